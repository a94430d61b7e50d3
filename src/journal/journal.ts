import { rmdirSync, unlinkSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

/** Name of the folder, next to an outfile, that holds its telemetry journals. */
export const JOURNAL_DIR_NAME = '.microbench-journal';

/**
 * Where the journals of `outfile` live: `<outfile's folder>/.microbench-journal/<outfile name>/`.
 * One file per running call: `<pid>-<session>-<epoch ms>.journal` (JSON Lines: a header with
 * the partial record, then one line per sample).
 */
export function journalDirFor(outfile: string): string {
  const absolute = resolve(outfile);
  return join(dirname(absolute), JOURNAL_DIR_NAME, basename(absolute));
}

/**
 * The outfile a journal folder belongs to (the inverse of {@link journalDirFor}): recovered
 * records go where the journal lies, whatever the writing process's working directory was.
 */
export function outfileForJournalDir(dir: string): string {
  const absolute = resolve(dir);
  return join(dirname(dirname(absolute)), basename(absolute));
}

/**
 * Delete a journal file, then its outfile's journal folder and `.microbench-journal/` if they
 * are left empty. Every step is tried on its own: another thread or process may have done
 * some of them already (or be using the folders).
 */
export function removeJournalFile(path: string): void {
  for (const remove of [
    () => unlinkSync(path),
    () => rmdirSync(dirname(path)),
    () => rmdirSync(dirname(dirname(path))),
  ]) {
    try {
      remove();
    } catch {
      // Gone already, or the folder is still in use.
    }
  }
}
