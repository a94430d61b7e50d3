/**
 * Files or records → an HTML report file: read (corrupt lines become warnings), shape, render
 * with the inlined uPlot, write. This is what `microbench report` and `bench.report(path)` run.
 *
 * ```
 * files ─► readRecordFiles ─► SourcedRecord[] + warnings ─┐
 * records ────────────────────────────────────────────────┴─► shapeReport ─► renderReport ─► file
 *                                                  loadReportAssets (uPlot, read once) ──┘
 * ```
 */

import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { makeDirectorySync } from '../_make-directory.js';
import { InputError, MicrobenchError } from '../errors.js';
import { readJsonLinesFile } from '../outputs/_jsonl.js';
import type { BenchRecord } from '../record/record.js';
import { type ReportAssets, renderReport } from './render-report.js';
import { type ReportSource, type SourcedRecord, shapeReport } from './shape.js';

/** Records read from results files, with what went wrong on the way. */
export interface RecordFiles {
  readonly records: readonly SourcedRecord[];
  readonly sources: readonly ReportSource[];
  /** One line per corrupt line (with its number) or empty file; the CLI prints them to stderr. */
  readonly warnings: readonly string[];
}

/** What to make a report of: a results file, several, records in memory, or files already read. */
export type ReportInput = string | readonly string[] | readonly BenchRecord[] | RecordFiles;

/** Options for {@link writeReport}. */
export interface ReportOptions {
  /** Page title and heading. @default 'microbench report' */
  readonly title?: string;
  /** Most points drawn per chart; longer series are min/max decimated. @default 2000 */
  readonly maxPoints?: number;
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

/** Corrupt lines reported per file before the rest are only counted. */
const MAX_LINE_WARNINGS_PER_FILE = 20;

let cachedAssets: ReportAssets | undefined;

/**
 * Write a self-contained HTML report (charts of every numeric telemetry field, durations,
 * metadata) of `input` to `path`, creating its folder if needed. Corrupt lines are skipped and
 * listed in `warnings` and in the page.
 *
 * @throws InputError when a file cannot be read or there are no records at all.
 * @throws MicrobenchError (`ERR_MB_OUTPUT`) when the report cannot be written.
 */
export async function writeReport(
  input: ReportInput,
  path: string,
  options: ReportOptions = {},
): Promise<ReportResult> {
  const files = toRecordFiles(input);
  if (files.records.length === 0) throw new InputError(noRecordsMessage(files));
  const model = shapeReport(files.records, {
    ...(options.title === undefined ? {} : { title: options.title }),
    ...(options.maxPoints === undefined ? {} : { maxPoints: options.maxPoints }),
    generatedAt: new Date().toISOString(),
    sources: files.sources,
    warnings: files.warnings,
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
    warnings: files.warnings,
  };
}

/**
 * Read JSON Lines results files. Corrupt lines are skipped and reported as
 * `results.jsonl:7: skipped corrupt line: <why>`; an empty file is reported too.
 *
 * @throws InputError when a file is missing or unreadable.
 */
export function readRecordFiles(files: readonly string[]): RecordFiles {
  const records: SourcedRecord[] = [];
  const sources: ReportSource[] = [];
  const warnings: string[] = [];
  for (const file of files) {
    const parsed = readJsonLinesFile(file);
    parsed.records.forEach((record, i) => {
      records.push({ record, file, index: i + 1 });
    });
    sources.push({ file, records: parsed.records.length, skippedLines: parsed.errors.length });
    for (const e of parsed.errors.slice(0, MAX_LINE_WARNINGS_PER_FILE)) {
      warnings.push(`${e.file}:${e.line}: skipped corrupt line: ${e.message}`);
    }
    if (parsed.errors.length > MAX_LINE_WARNINGS_PER_FILE) {
      warnings.push(
        `${file}: ... and ${parsed.errors.length - MAX_LINE_WARNINGS_PER_FILE} more corrupt lines skipped`,
      );
    }
    if (parsed.records.length === 0) {
      warnings.push(
        parsed.errors.length === 0
          ? `${file}: the file is empty (no records)`
          : `${file}: no valid records (every non-blank line is corrupt)`,
      );
    }
  }
  return { records, sources, warnings };
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

// Normalise every input form to records with their sources.
function toRecordFiles(input: ReportInput): RecordFiles {
  if (typeof input === 'string') return readRecordFiles([input]);
  if (!Array.isArray(input)) return input as RecordFiles;
  const list = input as readonly (string | BenchRecord)[];
  if (list.every((x) => typeof x === 'string')) return readRecordFiles(list as string[]);
  const records: SourcedRecord[] = [];
  const warnings: string[] = [];
  list.forEach((record, i) => {
    if (record !== null && typeof record === 'object' && !Array.isArray(record))
      records.push({ record });
    else warnings.push(`record ${i + 1}: skipped, not a record object (got ${typeof record})`);
  });
  return { records, sources: [], warnings };
}

// Why there is nothing to report, and what to do about it.
function noRecordsMessage(files: RecordFiles): string {
  if (files.sources.length === 0) {
    return (
      'No records to report: the list of records is empty. Run a benchmark first, or pass ' +
      'results files (JSON Lines) instead.'
    );
  }
  const why = files.sources
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
