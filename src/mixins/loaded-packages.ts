import { createRequire } from 'node:module';
import { sep } from 'node:path';
import { validateOptionKeys } from './_options.js';
import { readPackageVersion } from './installed-packages.js';
import { defineMixin, type Mixin } from './mixin.js';

/** Options of {@link loadedPackages}. */
export interface LoadedPackagesOptions {
  /**
   * The module cache to read: `{absoluteFilename: module}` (tests pass their own).
   * @default require.cache (Node's CommonJS module cache, shared by the whole process)
   */
  moduleCache?: Readonly<Record<string, unknown>>;
}

/**
 * Packages the process has actually loaded: `loaded_packages` (`{name: version}`, sorted), from
 * the files in Node's CommonJS module cache that live under a `node_modules` folder (version from
 * that package's `package.json`; the shallowest copy where one name is loaded from several
 * places). Computed on every call, incrementally: only files new since the last call are looked
 * at, so the cost is a scan of the cache's keys.
 *
 * Limitation (Node 20): ES modules loaded with `import` are not listed anywhere Node exposes
 * (`module.findPackageJSON` and loader introspection arrive in later versions), so a package
 * that ships only ES modules is missed unless something `require`s it. CommonJS packages
 * imported from ESM code are seen, as are packages imported through a CommonJS build.
 * List ESM-only packages you care about in the bench's `captureVersions` instead.
 */
export function loadedPackages(options?: LoadedPackagesOptions): Mixin {
  const raw = validateOptionKeys(options, 'loadedPackages', ['moduleCache']);
  const cache = raw.moduleCache ?? createRequire(import.meta.url).cache;
  const tracker = createLoadedPackageTracker();
  return defineMixin({
    name: 'loaded-packages',
    description: 'Versions of the npm packages the process has loaded (CommonJS module cache)',
    capture(record) {
      record.loaded_packages = tracker.update(Object.keys(cache));
    },
  });
}

// What one package name resolved to: its version and how deep in node_modules it sits.
interface LoadedPackage {
  version: string | null;
  depth: number;
}

// Remembers which module files were seen, so each call only looks at new ones.
function createLoadedPackageTracker(): {
  update(files: readonly string[]): Record<string, string | null>;
} {
  const seenFiles = new Set<string>();
  const packageVersions = new Map<string, string | null>();
  const byName = new Map<string, LoadedPackage>();
  let snapshot: Record<string, string | null> = {};
  let changed = true;
  const marker = `${sep}node_modules${sep}`;
  return {
    update(files) {
      for (const file of files) {
        if (seenFiles.has(file)) continue;
        seenFiles.add(file);
        const at = file.lastIndexOf(marker);
        if (at < 0) continue;
        const rest = file.slice(at + marker.length).split(sep);
        const name = rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1] ?? ''}` : (rest[0] ?? '');
        if (!name || name.endsWith('/')) continue;
        const dir = file.slice(0, at + marker.length) + name.split('/').join(sep);
        let version = packageVersions.get(dir);
        if (version === undefined) {
          version = readPackageVersion(dir);
          packageVersions.set(dir, version);
        }
        const depth = file.slice(0, at).split(marker).length - 1;
        const previous = byName.get(name);
        if (!previous || depth < previous.depth) {
          byName.set(name, { version, depth });
          changed = true;
        }
      }
      if (changed) {
        snapshot = {};
        for (const name of [...byName.keys()].sort()) snapshot[name] = byName.get(name)!.version;
        changed = false;
      }
      return { ...snapshot };
    },
  };
}
