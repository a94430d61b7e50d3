/** `microbench summary FILE...`: a table of duration statistics per function or command. */

import { InputError, UsageError } from '../../errors.js';
import { renderSummaryTable, summarizeRecords } from '../../report/summary.js';
import { readRecordFiles } from '../../report/write-report.js';
import { type CommandIO, handleCommandError, printWarnings, shouldColor } from './_io.js';

/** Arguments of `microbench summary`. */
export interface SummaryCommandOptions {
  /** JSON Lines results files; their records are summarised together. */
  readonly files: readonly string[];
}

/**
 * Print one row per function/command (runs, n, mean, median, min, max, sample stdev of durations,
 * peak RSS from telemetry) to stdout; `-` marks a value that does not exist (the stdev of a single
 * duration, the peak RSS of records without telemetry). Corrupt lines are warned about on stderr
 * and skipped. Returns 0, 1 on bad input (missing file, no records), 2 on usage errors.
 */
export async function runSummary(opts: SummaryCommandOptions, io: CommandIO): Promise<number> {
  try {
    if (opts.files.length === 0) {
      throw new UsageError(
        'Expected at least one results file, got none. Example: `microbench summary results.jsonl`.',
      );
    }
    const input = readRecordFiles(opts.files);
    printWarnings('summary', input.warnings, io);
    if (input.records.length === 0) {
      throw new InputError(
        `No records to summarise in ${opts.files.map((f) => JSON.stringify(f)).join(', ')}. ` +
          'Pass a results file written by microbench (JSON Lines, one record per line).',
      );
    }
    const rows = summarizeRecords(input.records.map((r) => r.record));
    io.stdout.write(renderSummaryTable(rows, { color: shouldColor(io.stdout) }));
    return 0;
  } catch (error) {
    return handleCommandError('summary', error, io);
  }
}
