/**
 * `microbench summary` and `summarize()`: per benchmark (function or command), statistics of the
 * durations of successful iterations, failed / timed-out / interrupted iterations counted apart,
 * and the peak RSS records carry. As text, JSON, CSV or Markdown. Pure: records or gathered
 * samples in, numbers or a string out.
 */

import { type BenchmarkSamples, type CollectOptions, collectSamples } from '../compare/samples.js';
import type { AnyRecord } from '../record/_layout-fields.js';
import { medianSorted } from '../stats/quantile.js';
import { formatBytes, formatSeconds } from './_units.js';

/** Statistics of a list of durations; every value in seconds. */
export interface DurationStats {
  readonly count: number;
  /** `NaN` when there are no durations (as are median, min and max). */
  readonly meanS: number;
  readonly medianS: number;
  readonly minS: number;
  readonly maxS: number;
  /** Sample standard deviation (n − 1); `NaN` when there are fewer than two durations. */
  readonly stdevS: number;
}

/** One line of the summary: a benchmark and what its records measured. */
export interface SummaryRow {
  readonly kind: 'function' | 'command' | 'field';
  /** Function name, or the command line shell-quoted. */
  readonly name: string;
  /** How many records. */
  readonly records: number;
  /** Statistics over the durations of the successful iterations of every record. */
  readonly stats: DurationStats;
  /** Highest RSS any record carries (telemetry `rss`/`rss_bytes`, `peak_rss_bytes`...), or `null`. */
  readonly peakRssBytes: number | null;
  /** Iterations that threw, returned a non-zero code or could not start. */
  readonly failed: number;
  /** Iterations stopped by `--timeout`. */
  readonly timedOut: number;
  /** Iterations a signal ended (or a killed process left unfinished). */
  readonly interrupted: number;
}

/** The formats of {@link renderSummary}. */
export type SummaryFormat = 'text' | 'json' | 'csv' | 'markdown';

/** Options for {@link renderSummaryTable}. */
export interface RenderSummaryOptions {
  /** A bold header line (ANSI); only for a terminal. @default false */
  readonly color?: boolean;
}

/** count, mean, median, min, max and sample stdev of `durationsS` (seconds). */
export function computeDurationStats(durationsS: ArrayLike<number>): DurationStats {
  return statsOfSorted(Float64Array.from(durationsS).sort());
}

// The statistics of durations already sorted ascending.
function statsOfSorted(sorted: Float64Array): DurationStats {
  const count = sorted.length;
  if (count === 0) {
    return {
      count,
      meanS: Number.NaN,
      medianS: Number.NaN,
      minS: Number.NaN,
      maxS: Number.NaN,
      stdevS: Number.NaN,
    };
  }
  let sum = 0;
  for (const d of sorted) sum += d;
  const meanS = sum / count;
  let squares = 0;
  for (const d of sorted) squares += (d - meanS) ** 2;
  const stdevS = count < 2 ? Number.NaN : Math.sqrt(squares / (count - 1));
  return {
    count,
    meanS,
    medianS: medianSorted(sorted),
    minS: sorted[0]!,
    maxS: sorted[count - 1]!,
    stdevS,
  };
}

/**
 * Summarise records (v1 or v2, library or CLI) per benchmark, in order of first appearance:
 * statistics of the successful iterations only; failed, timed-out and interrupted iterations are
 * counted per iteration. `options.by` groups by another field, `options.filters` selects records.
 */
export function summarize(
  records: Iterable<AnyRecord>,
  options: CollectOptions = {},
): SummaryRow[] {
  return summarizeSamples(collectSamples(records, options));
}

/** {@link summarize} under its earlier name. */
export const summarizeRecords = summarize;

/** Summary rows of benchmarks already gathered (by `readSamples` or a `SampleCollector`). */
export function summarizeSamples(benchmarks: readonly BenchmarkSamples[]): SummaryRow[] {
  return benchmarks.map((b) => ({
    kind: b.kind,
    name: b.name,
    records: b.records,
    stats: statsOfSorted(b.durations.sorted()),
    peakRssBytes: b.peakRssBytes,
    failed: b.failed,
    timedOut: b.timedOut,
    interrupted: b.interrupted,
  }));
}

/** Render rows in one of the summary formats (text is {@link renderSummaryTable}). */
export function renderSummary(
  rows: readonly SummaryRow[],
  format: SummaryFormat,
  options: RenderSummaryOptions = {},
): string {
  switch (format) {
    case 'text':
      return renderSummaryTable(rows, options);
    case 'json':
      return `${JSON.stringify(rows.map(toSummaryJson), null, 2)}\n`;
    case 'csv':
      return renderSummaryCsv(rows);
    case 'markdown':
      return renderSummaryMarkdown(rows);
  }
}

/**
 * One row as JSON: `name`, `kind`, `records`, `n`, `failed`, `timed_out`, `interrupted`, `mean`,
 * `median`, `stdev`, `min`, `max` (seconds; `null` where none exists) and `peak_rss_bytes`.
 */
export function toSummaryJson(row: SummaryRow): Record<string, unknown> {
  const num = (v: number) => (Number.isFinite(v) ? v : null);
  const s = row.stats;
  return {
    name: row.name,
    kind: row.kind,
    records: row.records,
    n: s.count,
    failed: row.failed,
    timed_out: row.timedOut,
    interrupted: row.interrupted,
    mean: num(s.meanS),
    median: num(s.medianS),
    stdev: num(s.stdevS),
    min: num(s.minS),
    max: num(s.maxS),
    peak_rss_bytes: row.peakRssBytes,
  };
}

/** The CSV columns of the summary (seconds, bytes). */
export const SUMMARY_CSV_COLUMNS = [
  'name',
  'kind',
  'records',
  'n',
  'failed',
  'timed_out',
  'interrupted',
  'mean_s',
  'median_s',
  'stdev_s',
  'min_s',
  'max_s',
  'peak_rss_bytes',
] as const;

// CSV (RFC 4180, CRLF): a header and one row per benchmark; a missing value is an empty cell.
function renderSummaryCsv(rows: readonly SummaryRow[]): string {
  const lines = [SUMMARY_CSV_COLUMNS.join(',')];
  for (const row of rows) {
    const s = row.stats;
    const cells: unknown[] = [
      row.name,
      row.kind,
      row.records,
      s.count,
      row.failed,
      row.timedOut,
      row.interrupted,
      s.meanS,
      s.medianS,
      s.stdevS,
      s.minS,
      s.maxS,
      row.peakRssBytes,
    ];
    lines.push(cells.map(csvCell).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}

// A CSV cell: numbers as they are (empty for NaN/null), text quoted when it must be.
function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

// A Markdown table (GitHub job summaries), the same columns as the text table.
function renderSummaryMarkdown(rows: readonly SummaryRow[]): string {
  if (rows.length === 0) return 'No records found.\n';
  const { header, body } = tableCells(rows, Number.POSITIVE_INFINITY);
  const cell = (c: string) => c.replaceAll('|', '\\|');
  const lines = [
    `| ${header.join(' | ')} |`,
    `| ${header.map((_, i) => (i === 0 ? ':--' : '--:')).join(' | ')} |`,
    ...body.map((cells) => `| ${cells.map(cell).join(' | ')} |`),
  ];
  return `${lines.join('\n')}\n`;
}

/**
 * The rows as an aligned text table. Durations get an adaptive unit (`1.204 s`, `106.0 ms`);
 * a value that does not exist (stdev of one duration, no telemetry) is shown as `-`. `failed`,
 * `timed out` and `interrupted` columns appear when any iteration ended so.
 */
export function renderSummaryTable(
  rows: readonly SummaryRow[],
  options: RenderSummaryOptions = {},
): string {
  if (rows.length === 0) return 'No records found.\n';
  const { header, body } = tableCells(rows, 48);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((cells) => cells[i]!.length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  const head = line(header);
  const out = [options.color === true ? `\u001b[1m${head}\u001b[22m` : head];
  for (const cells of body) out.push(line(cells));
  return `${out.join('\n')}\n`;
}

// The header and cells of the text and Markdown tables.
function tableCells(
  rows: readonly SummaryRow[],
  nameWidth: number,
): { header: string[]; body: string[][] } {
  const extra: [string, (r: SummaryRow) => number][] = (
    [
      ['failed', (r) => r.failed],
      ['timed out', (r) => r.timedOut],
      ['interrupted', (r) => r.interrupted],
    ] as [string, (r: SummaryRow) => number][]
  ).filter(([, get]) => rows.some((r) => get(r) > 0));
  const header = [
    'function / command',
    'runs',
    'n',
    'mean',
    'median',
    'min',
    'max',
    'stdev',
    'peak rss',
    ...extra.map(([name]) => name),
  ];
  const body = rows.map((r) => {
    const s = r.stats;
    return [
      truncate(r.name, nameWidth),
      String(r.records),
      String(s.count),
      seconds(s.meanS),
      seconds(s.medianS),
      seconds(s.minS),
      seconds(s.maxS),
      seconds(s.stdevS),
      r.peakRssBytes === null ? '-' : formatBytes(r.peakRssBytes),
      ...extra.map(([, get]) => String(get(r))),
    ];
  });
  return { header, body };
}

// A duration cell: adaptive unit, `-` for NaN.
function seconds(value: number): string {
  return Number.isNaN(value) ? '-' : formatSeconds(value);
}

// Shorten a long name with an ellipsis.
function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
