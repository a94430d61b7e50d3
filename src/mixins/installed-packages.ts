import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import {
  detectScriptDir,
  validateBoolean,
  validateDirectory,
  validateOptionKeys,
} from './_options.js';
import { once } from './_subprocess.js';
import { defineMixin, type Mixin } from './mixin.js';

/** Options of {@link installedPackages}. */
export interface InstalledPackagesOptions {
  /**
   * Directory to start from; the nearest lock file or `node_modules` in it or above it is used.
   * @default the main script's directory (`process.argv[1]`), else `process.cwd()`; for the
   * CLI, the working directory
   */
  dir?: string;
  /** Also record `package_paths` (`{name: absolute directory}`). @default false */
  capturePaths?: boolean;
}

/** Installed packages as read from one project. */
export interface InstalledPackages {
  /** `{name: version}`, sorted by name. */
  readonly versions: Readonly<Record<string, string>>;
  /** `{name: absolute package directory}`, sorted by name. */
  readonly paths: Readonly<Record<string, string>>;
  /** The lock file or `node_modules` directory read; null when none was found. */
  readonly source: string | null;
}

/**
 * Installed packages of the project: `package_versions` (`{name: version}`), plus
 * `package_paths` with `capturePaths`, and `installed_packages_source` (the file or folder
 * read, null when none). Looks in `dir` and its parents for the nearest of, in order of trust,
 * `node_modules/.package-lock.json` (npm's record of what is actually installed),
 * `npm-shrinkwrap.json` / `package-lock.json` (lock file v2/v3 `packages` map; optional
 * platform packages missing from `node_modules` are left out), else the `package.json` of each
 * top-level `node_modules/*` folder. Where one name is installed at several depths the
 * shallowest (hoisted) copy is reported. Read once per mixin instance, at the first call.
 * Versions already in the record (from the bench's `captureVersions`) win on a clash.
 */
export function installedPackages(options?: InstalledPackagesOptions): Mixin {
  const raw = validateOptionKeys(options, 'installedPackages', ['dir', 'capturePaths']);
  const dir = raw.dir === undefined ? undefined : validateDirectory(raw.dir, 'dir');
  const capturePaths = validateBoolean(raw.capturePaths, 'capturePaths', false);
  const scriptDir = once(detectScriptDir);
  const answers = new Map<string, InstalledPackages>();
  return defineMixin({
    name: 'installed-packages',
    description: 'Versions of the installed npm packages (nearest lock file or node_modules)',
    capture(record, ctx) {
      const start = dir ?? (ctx.invocation === 'cli' ? process.cwd() : scriptDir());
      let found = answers.get(start);
      if (!found) {
        found = readInstalledPackages(start);
        answers.set(start, found);
      }
      const existing = record.package_versions;
      record.package_versions = {
        ...found.versions,
        ...(existing && typeof existing === 'object' ? existing : {}),
      };
      if (capturePaths) record.package_paths = { ...found.paths };
      record.installed_packages_source = found.source;
    },
  });
}

/** Find and read the installed packages nearest to `startDir` (uncached). */
export function readInstalledPackages(startDir: string): InstalledPackages {
  let dir = resolve(startDir);
  for (;;) {
    const found = readProjectDir(dir);
    if (found) return found;
    const parent = dirname(dir);
    if (parent === dir) return { versions: {}, paths: {}, source: null };
    dir = parent;
  }
}

// One package found: version, directory, and nesting depth (0 = top-level node_modules).
interface Found {
  version: string;
  path: string;
  depth: number;
}

// Read the installed packages of `dir` if it has a lock file or node_modules; else undefined.
function readProjectDir(dir: string): InstalledPackages | undefined {
  const modules = join(dir, 'node_modules');
  const hasModules = isDirectory(modules);
  const candidates = [
    join(modules, '.package-lock.json'),
    join(dir, 'npm-shrinkwrap.json'),
    join(dir, 'package-lock.json'),
  ];
  for (const file of candidates) {
    if (!existsSync(file)) continue;
    const found = readLockFile(file, dir, hasModules && !file.startsWith(modules));
    if (found) return toInstalled(found, file);
  }
  if (hasModules) return toInstalled(readNodeModules(modules), modules);
  return undefined;
}

// Packages from a lock file's `packages` map (v2/v3); undefined for v1 or unreadable files.
function readLockFile(
  file: string,
  projectDir: string,
  checkOptional: boolean,
): Map<string, Found> | undefined {
  let lock: { packages?: unknown };
  try {
    lock = JSON.parse(readFileSync(file, 'utf8')) as { packages?: unknown };
  } catch {
    return undefined;
  }
  const packages = lock.packages;
  if (!packages || typeof packages !== 'object') return undefined;
  const entries = packages as Record<string, LockEntry | undefined>;
  const found = new Map<string, Found>();
  for (const [key, entry] of Object.entries(entries)) {
    const marker = key.lastIndexOf('node_modules/');
    if (!entry || marker < 0) continue;
    const name = key.slice(marker + 'node_modules/'.length);
    const target = entry.link && typeof entry.resolved === 'string' ? entry.resolved : key;
    const version = entry.link ? entries[target]?.version : entry.version;
    if (typeof version !== 'string') continue;
    const path = join(projectDir, target);
    // A lock file lists optional packages for every platform; keep those actually present.
    if (checkOptional && (entry.optional || entry.os || entry.cpu) && !existsSync(path)) continue;
    keepShallowest(found, name, { version, path, depth: key.split('node_modules/').length - 2 });
  }
  return found;
}

// The fields of a lock file `packages` entry that matter here.
interface LockEntry {
  version?: unknown;
  resolved?: unknown;
  link?: unknown;
  optional?: unknown;
  os?: unknown;
  cpu?: unknown;
}

// Top-level packages of a node_modules folder (scoped ones included) from their package.json.
function readNodeModules(modules: string): Map<string, Found> {
  const found = new Map<string, Found>();
  for (const entry of safeReaddir(modules)) {
    if (entry.startsWith('.')) continue;
    const names = entry.startsWith('@')
      ? safeReaddir(join(modules, entry)).map((sub) => `${entry}/${sub}`)
      : [entry];
    for (const name of names) {
      const path = join(modules, name);
      const version = readPackageVersion(path);
      if (version !== null) found.set(name, { version, path, depth: 0 });
    }
  }
  return found;
}

/** The `version` of `<dir>/package.json`, or null when unreadable or absent. */
export function readPackageVersion(dir: string): string | null {
  try {
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
      version?: unknown;
    };
    return typeof pkg.version === 'string' ? pkg.version : null;
  } catch {
    return null;
  }
}

// Keep the shallowest copy of a package found at several depths.
function keepShallowest(found: Map<string, Found>, name: string, item: Found): void {
  const previous = found.get(name);
  if (!previous || item.depth < previous.depth) found.set(name, item);
}

// Sorted plain objects from the map.
function toInstalled(found: Map<string, Found>, source: string): InstalledPackages {
  const versions: Record<string, string> = {};
  const paths: Record<string, string> = {};
  for (const name of [...found.keys()].sort()) {
    const item = found.get(name)!;
    versions[name] = item.version;
    paths[name] = item.path;
  }
  return { versions, paths, source };
}

// readdirSync that returns [] for a missing or unreadable folder.
function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

// Whether `path` is an existing directory.
function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
