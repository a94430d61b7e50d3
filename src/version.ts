import { readFileSync } from 'node:fs';

/** The installed microbench-ts version (recorded as `mb_version`). */
export const VERSION: string = readVersion();

// Read package.json next to src/ or dist/; a broken install still records something.
function readVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      version?: unknown;
    };
    return typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch {
    return 'unknown';
  }
}
