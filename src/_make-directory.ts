// internal: create a folder and its missing parents, without Node 20's recursive-mkdir hang.
//
// `mkdirSync(dir, { recursive: true })` loops forever, ignoring signals, when the kernel answers
// ENOENT for a folder whose parent exists (procfs and sysfs do: `--outfile /proc/x/out.jsonl`
// hung the CLI at 100 % CPU). Creating one level at a time turns that answer into an error.
import { mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';

/** Create `dir` and any missing parents; a folder that exists already is fine. */
export function makeDirectorySync(dir: string): void {
  try {
    mkdirSync(dir);
    return;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' && isDirectory(dir)) return;
    const parent = dirname(dir);
    if (code !== 'ENOENT' || parent === dir) throw error;
    makeDirectorySync(parent);
  }
  // The parent exists now: an error here (ENOENT again on procfs) is the answer.
  try {
    mkdirSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || !isDirectory(dir)) throw error;
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
