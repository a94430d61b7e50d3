/** `microbench report FILE... [-o report.html] [--title TEXT]`: write the HTML telemetry report. */

import { UsageError } from '../../errors.js';
import { formatBytes } from '../../report/_units.js';
import { readRecordFiles, writeReport } from '../../report/write-report.js';
import { type CommandIO, handleCommandError, printWarnings } from './_io.js';

/** Arguments of `microbench report`. */
export interface ReportCommandOptions {
  /** JSON Lines results files; records of all of them go into one report. */
  readonly files: readonly string[];
  /** Where to write the HTML. @default 'report.html' (in the current directory) */
  readonly output?: string;
  /** Page title. @default 'microbench report' */
  readonly title?: string;
}

/** The default output path of `microbench report`. */
export const DEFAULT_REPORT_PATH = 'report.html';

/**
 * Read the files (corrupt lines and empty files are warned about on stderr and skipped), write
 * the report, and print where it went on stdout. Returns the exit code: 0 written, 1 bad input
 * (missing file, no records at all) or unwritable output, 2 usage error.
 */
export async function runReport(opts: ReportCommandOptions, io: CommandIO): Promise<number> {
  try {
    if (opts.files.length === 0) {
      throw new UsageError(
        'Expected at least one results file, got none. Example: `microbench report results.jsonl -o report.html`.',
      );
    }
    const input = readRecordFiles(opts.files);
    printWarnings('report', input.warnings, io);
    const path = opts.output ?? DEFAULT_REPORT_PATH;
    const result = await writeReport(
      input,
      path,
      opts.title === undefined ? {} : { title: opts.title },
    );
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
