import { readFileSync } from 'node:fs';

/** The installed microbench-ts version (recorded as `mb_version`). */
export const VERSION: string = readVersion();

// Read microbench-ts's package.json: the first one found going up from this module (src/,
// dist/, or dist/cli/ for the bundled CLI). A broken install still records something.
function readVersion(): string {
  for (const up of ['../', '../../']) {
    try {
      const pkg = JSON.parse(
        readFileSync(new URL(`${up}package.json`, import.meta.url), 'utf8'),
      ) as {
        name?: unknown;
        version?: unknown;
      };
      if (pkg.name === 'microbench-ts' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // Not there (or unreadable): look one level up.
    }
  }
  return 'unknown';
}
