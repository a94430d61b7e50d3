// internal: load the BUILT library (dist/), typed from src/, so the numbers are those of the code
// users run and `tsc` can check the harness without a build.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type * as Library from '../src/index.js';
import type * as Reservoir from '../src/telemetry/_reservoir.js';

/** The public API of microbench-ts. */
export type Lib = typeof Library;

/** The repository root. */
export const REPO_ROOT: string = fileURLToPath(new URL('..', import.meta.url));

/** The built CLI: the file the package's `bin` names. */
export const CLI_PATH: string = fileURLToPath(new URL('../dist/cli/bin.cjs', import.meta.url));

/** Throw a clear error when `npm run build` has not been run. */
export function assertBuilt(): void {
  const index = fileURLToPath(new URL('../dist/index.js', import.meta.url));
  if (!existsSync(index)) {
    throw new Error(`${index} is missing: run \`npm run build\` first (npm run bench does it)`);
  }
}

/** Import dist/index.js. */
export async function loadLibrary(): Promise<Lib> {
  assertBuilt();
  return (await import(new URL('../dist/index.js', import.meta.url).href)) as Lib;
}

/** Import the internal sample reservoir (dist/telemetry/_reservoir.js) used for long runs. */
export async function loadReservoir(): Promise<typeof Reservoir> {
  assertBuilt();
  return (await import(
    new URL('../dist/telemetry/_reservoir.js', import.meta.url).href
  )) as typeof Reservoir;
}
