// internal: the parts of a record gathered before a call: env vars, package versions and
// microbench v1-style `capture*` / `capturepost*` methods of subclasses.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import type { BenchRecord } from '../record/record.js';

/** A subclass method found by name: `capture*` (before the call) or `capturepost*` (after). */
export type CaptureMethod = (this: unknown, record: BenchRecord) => void;

/** Capture methods of an instance, sorted by name like microbench's `dir()` order. */
export interface CaptureMethods {
  readonly pre: readonly [string, CaptureMethod][];
  readonly post: readonly [string, CaptureMethod][];
}

const methodCache = new WeakMap<object, CaptureMethods>();

/** Find `capture*`/`capturepost*` methods on the prototype chain up to (not including) `stop`. */
export function findCaptureMethods(instance: object, stop: object): CaptureMethods {
  const proto = Object.getPrototypeOf(instance) as object;
  const cached = methodCache.get(proto);
  if (cached) return cached;
  const names = new Set<string>();
  for (
    let p: object | null = proto;
    p && p !== stop;
    p = Object.getPrototypeOf(p) as object | null
  ) {
    for (const name of Object.getOwnPropertyNames(p)) {
      if (name.startsWith('capture')) names.add(name);
    }
  }
  const pre: [string, CaptureMethod][] = [];
  const post: [string, CaptureMethod][] = [];
  for (const name of [...names].sort()) {
    const method = (instance as Record<string, unknown>)[name];
    if (typeof method !== 'function') continue;
    (name.startsWith('capturepost') || name.startsWith('capturePost') ? post : pre).push([
      name,
      method as CaptureMethod,
    ]);
  }
  const found = { pre, post };
  methodCache.set(proto, found);
  return found;
}

/** `{ env_<NAME>: value | null }` for the named environment variables. */
export function readEnvVars(names: readonly string[]): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const name of names) out[`env_${name}`] = process.env[name] ?? null;
  return out;
}

/**
 * Installed versions of the named packages, resolved from the working directory and the main
 * script's directory; `null` for a package that cannot be found.
 */
export function readPackageVersions(names: readonly string[]): Record<string, string | null> {
  const bases = [process.cwd()];
  if (process.argv[1]) bases.push(dirname(resolve(process.argv[1])));
  const out: Record<string, string | null> = {};
  for (const name of names) out[name] = findPackageVersion(name, bases);
  return out;
}

// Walk up node_modules folders (works even for packages whose `exports` hide package.json).
function findPackageVersion(name: string, bases: readonly string[]): string | null {
  for (const base of bases) {
    try {
      const require = createRequire(join(base, 'noop.js'));
      for (const dir of require.resolve.paths(name) ?? []) {
        const file = join(dir, name, 'package.json');
        if (existsSync(file)) {
          const pkg = JSON.parse(readFileSync(file, 'utf8')) as { version?: unknown };
          return typeof pkg.version === 'string' ? pkg.version : null;
        }
      }
    } catch {
      // Unreadable package.json: try the next base.
    }
  }
  return null;
}
