/**
 * Files or records → an HTML report file: stream the records into the report's running
 * aggregates, render with the inlined uPlot, write. This is what `microbench report` and
 * `bench.report(path)` run. Memory follows what the page shows, not the size of the input.
 *
 * ```
 * files, folders, globs ─► forEachRecord (streaming) ─┐
 * records in memory ──────────────────────────────────┴─► ReportShaper.add ─► finish ─► renderReport ─► file
 *                                                    loadReportAssets (uPlot, read once) ──┘
 * ```
 *
 * A report never overwrites a file it did not write: an existing file without the report's
 * marker is left alone unless `force` is set.
 */

import { closeSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { makeDirectorySync } from '../_make-directory.js';
import { InputError, MicrobenchError } from '../errors.js';
import type { AnyRecord } from '../record/_layout-fields.js';
import { forEachRecord } from './read-records.js';
import { REPORT_MARKER, type ReportAssets, renderReport } from './render-report.js';
import { ReportShaper, type ReportSource } from './shape.js';

/** What to make a report of: results files (folders, globs), or records in memory. */
export type ReportInput = string | readonly string[] | readonly AnyRecord[];

/** Options for {@link writeReport}. */
export interface ReportOptions {
  /** Page title and heading. @default 'microbench report' */
  readonly title?: string;
  /** Most points drawn per chart; longer series are min/max decimated. @default 2000 */
  readonly maxPoints?: number;
  /** Overwrite `path` even when it is not a report microbench wrote. @default false */
  readonly force?: boolean;
  /** With several benchmarks, the one the others are compared with. @default the fastest */
  readonly baseline?: string;
  /** Called with each problem met reading the input, as it happens. */
  readonly onWarning?: (warning: string) => void;
}

/** What {@link writeReport} wrote. */
export interface ReportResult {
  readonly path: string;
  readonly records: number;
  /** Functions and commands. */
  readonly groups: number;
  readonly charts: number;
  readonly bytes: number;
  /** Problems met reading the input (also listed in the report). */
  readonly warnings: readonly string[];
}

/** Bytes of an existing file read to look for the report marker. */
const MARKER_SEARCH_BYTES = 64 * 1024;

let cachedAssets: ReportAssets | undefined;

/**
 * Write a self-contained HTML report (statistics, distribution and per-run charts, telemetry,
 * metadata) of `input` to `path`, creating its folder if needed. Files are streamed: any size,
 * several files, folders and globs. Corrupt lines are skipped and listed in `warnings` and in
 * the page.
 *
 * @throws InputError when a file cannot be read or there are no records at all.
 * @throws MicrobenchError (`ERR_MB_OUTPUT`) when `path` is a file microbench did not write (and
 *   `force` is not set), or the report cannot be written.
 */
export async function writeReport(
  input: ReportInput,
  path: string,
  options: ReportOptions = {},
): Promise<ReportResult> {
  validateReportTarget(path, options.force === true);
  const shaper = new ReportShaper({
    ...(options.maxPoints === undefined ? {} : { maxPoints: options.maxPoints }),
  });
  let sources: readonly ReportSource[] = [];
  let warnings: readonly string[] = [];
  if (
    typeof input === 'string' ||
    (input.length > 0 && input.every((x) => typeof x === 'string'))
  ) {
    const files = typeof input === 'string' ? [input] : (input as readonly string[]);
    const read = await forEachRecord(files, (item) => shaper.add(item), {
      ...(options.onWarning === undefined ? {} : { onWarning: options.onWarning }),
    });
    sources = read.sources;
    warnings = read.warnings;
  } else {
    const list: string[] = [];
    (input as readonly unknown[]).forEach((record, i) => {
      if (record !== null && typeof record === 'object' && !Array.isArray(record)) {
        shaper.add({ record: record as AnyRecord });
      } else {
        const text = `record ${i + 1}: skipped, not a record object (got ${typeof record})`;
        list.push(text);
        options.onWarning?.(text);
      }
    });
    warnings = list;
  }
  if (shaper.records === 0) throw new InputError(noRecordsMessage(sources));
  const model = shaper.finish({
    ...(options.title === undefined ? {} : { title: options.title }),
    ...(options.baseline === undefined ? {} : { baseline: options.baseline }),
    generatedAt: new Date().toISOString(),
    sources,
    warnings,
  });
  const html = renderReport(model, loadReportAssets());
  try {
    makeDirectorySync(dirname(path));
    await writeFile(path, html);
  } catch (cause) {
    throw new MicrobenchError(
      'ERR_MB_OUTPUT',
      `Cannot write the report to ${JSON.stringify(path)}: ${(cause as Error).message}. ` +
        'Choose a writable path with -o/--output.',
      { cause },
    );
  }
  return {
    path,
    records: model.recordCount,
    groups: model.groups.length,
    charts: model.groups.reduce((n, g) => n + g.charts.length, 0),
    bytes: Buffer.byteLength(html),
    warnings,
  };
}

/**
 * Check that a report may be written to `path`: it does not exist, is empty, or is a report
 * microbench wrote (its marker is in the first 64 KiB); any other file needs `force`.
 *
 * @throws MicrobenchError (`ERR_MB_OUTPUT`) naming the file and the way out.
 */
export function validateReportTarget(path: string, force: boolean): void {
  let size: number;
  try {
    const info = statSync(path);
    if (info.isDirectory()) {
      throw new MicrobenchError(
        'ERR_MB_OUTPUT',
        `Cannot write the report to ${JSON.stringify(path)}: it is a directory. ` +
          'Name a file with -o/--output, e.g. -o report.html.',
      );
    }
    size = info.size;
  } catch (error) {
    if (error instanceof MicrobenchError) throw error;
    return; // Missing (or not statable): the write itself says what is wrong.
  }
  if (force || size === 0 || hasReportMarker(path)) return;
  throw new MicrobenchError(
    'ERR_MB_OUTPUT',
    `Refusing to overwrite ${JSON.stringify(path)}: it exists and is not a report microbench wrote. ` +
      'Pass --force (or `force: true`) to overwrite it, or choose another path with -o/--output.',
  );
}

// Whether the file starts like a report this package wrote.
function hasReportMarker(path: string): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const buffer = Buffer.alloc(MARKER_SEARCH_BYTES);
    const n = readSync(fd, buffer, 0, buffer.length, 0);
    return buffer.subarray(0, n).includes(REPORT_MARKER);
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * uPlot's script and stylesheet, read once from the installed `uplot` package (resolved from
 * this module, so it works from `src/` under tsx and from `dist/`).
 */
export function loadReportAssets(): ReportAssets {
  if (cachedAssets === undefined) {
    const require = createRequire(import.meta.url);
    const read = (file: string): string => {
      try {
        return readFileSync(require.resolve(`uplot/dist/${file}`), 'utf8');
      } catch (cause) {
        throw new MicrobenchError(
          'ERR_MB_OUTPUT',
          `Cannot read the chart library file uplot/dist/${file}: ${(cause as Error).message}. ` +
            'Reinstall microbench-ts (its dependency `uplot` is missing).',
          { cause },
        );
      }
    };
    cachedAssets = { uplotScript: read('uPlot.iife.min.js'), uplotCss: read('uPlot.min.css') };
  }
  return cachedAssets;
}

// Why there is nothing to report, and what to do about it.
function noRecordsMessage(sources: readonly ReportSource[]): string {
  if (sources.length === 0) {
    return (
      'No records to report: the list of records is empty. Run a benchmark first, or pass ' +
      'results files (JSON Lines) instead.'
    );
  }
  const why = sources
    .map((s) =>
      s.skippedLines === 0
        ? `${JSON.stringify(s.file)} is empty`
        : `${JSON.stringify(s.file)} has only corrupt lines (${s.skippedLines})`,
    )
    .join(', ');
  return (
    `No records to report: ${why}. Pass a results file written by microbench ` +
    '(JSON Lines, one record per line).'
  );
}
