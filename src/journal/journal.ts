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
