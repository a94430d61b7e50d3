/** `microbench summary FILE... [--format text|json|csv|markdown]`: statistics per benchmark. */

import { readSamples } from '../../compare/samples.js';
import { InputError, UsageError } from '../../errors.js';
import { renderSummary, type SummaryFormat, summarizeSamples } from '../../report/summary.js';
import { type CommandIO, handleCommandError, printWarnings, shouldColor } from './_io.js';

/** Arguments of `microbench summary`. */
export interface SummaryCommandOptions {
  /** Results files, folders or globs (`FILE:N` for one record); summarised together. */
  readonly files: readonly string[];
  /** @default 'text' */
  readonly format?: SummaryFormat;
}

/**
 * Print one row per function/command (runs, n, mean, median, min, max, sample stdev of the
 * durations of successful iterations, peak RSS; failed, timed-out and interrupted iterations
 * counted) to stdout; `-` marks a value that does not exist. Files are read line by line (any
 * size); skipped lines are warned about on stderr. Returns 0, 1 on bad input (missing file, no
 * records), 2 on usage errors.
 */
export async function runSummary(opts: SummaryCommandOptions, io: CommandIO): Promise<number> {
  try {
    if (opts.files.length === 0) {
      throw new UsageError(
        'Expected at least one results file, got none. Example: `microbench summary results.jsonl`.',
      );
    }
    const input = await readSamples(opts.files);
    printWarnings(
      'summary',
      input.problems.map((p) => `${p.file}:${p.line}: skipped: ${p.message}`),
      io,
    );
    if (input.records === 0) {
      throw new InputError(
        `No records to summarise in ${opts.files.map((f) => JSON.stringify(f)).join(', ')}. ` +
          'Pass a results file written by microbench (JSON Lines, one record per line).',
      );
    }
    const rows = summarizeSamples(input.benchmarks);
    io.stdout.write(renderSummary(rows, opts.format ?? 'text', { color: shouldColor(io.stdout) }));
    return 0;
  } catch (error) {
    return handleCommandError('summary', error, io);
  }
}
