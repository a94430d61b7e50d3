/**
 * `microbench report FILE... [-o report.html] [--title TEXT] [--baseline NAME] [--force]`: write
 * the HTML report. FILEs may be files, folders (their `*.jsonl`) or glob patterns; they are
 * streamed, so their size does not matter.
 */

import { UsageError } from '../../errors.js';
import { formatBytes } from '../../report/_units.js';
import { writeReport } from '../../report/write-report.js';
import { type CommandIO, handleCommandError, printWarnings } from './_io.js';

/** Arguments of `microbench report`. */
export interface ReportCommandOptions {
  /** JSON Lines results files, folders or globs; records of all of them go into one report. */
  readonly files: readonly string[];
  /** Where to write the HTML. @default 'report.html' (in the current directory) */
  readonly output?: string;
  /** Page title. @default 'microbench report' */
  readonly title?: string;
  /** With several benchmarks, the one the others are compared with. @default the fastest */
  readonly baseline?: string;
  /** Overwrite the output even when it is not a report microbench wrote. @default false */
  readonly force?: boolean;
}

/** The default output path of `microbench report`. */
export const DEFAULT_REPORT_PATH = 'report.html';

/**
 * Read the files (corrupt lines and empty files are warned about on stderr and skipped), write
 * the report, and print where it went on stdout. Returns the exit code: 0 written, 1 bad input
 * (missing file, no records at all), an output that is not ours without --force, or an unwritable
 * output, 2 usage error.
 */
export async function runReport(opts: ReportCommandOptions, io: CommandIO): Promise<number> {
  try {
    if (opts.files.length === 0) {
      throw new UsageError(
        'Expected at least one results file, got none. Example: `microbench report results.jsonl -o report.html`.',
      );
    }
    const path = opts.output ?? DEFAULT_REPORT_PATH;
    const result = await writeReport(opts.files, path, {
      ...(opts.title === undefined ? {} : { title: opts.title }),
      ...(opts.baseline === undefined ? {} : { baseline: opts.baseline }),
      ...(opts.force === true ? { force: true } : {}),
      onWarning: (w) => printWarnings('report', [w], io),
    });
    io.stdout.write(
      `Wrote ${path} (${formatBytes(result.bytes)}): ${plural(result.records, 'record')}, ` +
        `${plural(result.groups, 'function/command', 'functions/commands')}, ${plural(result.charts, 'chart')}.\n`,
    );
    return 0;
  } catch (error) {
    return handleCommandError('report', error, io);
  }
}

// "3 records", "1 record".
function plural(n: number, singular: string, many = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : many}`;
}
