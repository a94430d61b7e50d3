/**
 * `microbench summary`: per function or command, statistics of the run durations and the peak
 * RSS seen in telemetry, as a terminal table. Pure: records in, numbers or a string out.
 */

import type { BenchRecord } from '../record/record.js';
import { durationsOf, groupOf, peakRssBytesOf } from './_records.js';
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

/** One line of the summary: a function or a command and what its records measured. */
export interface SummaryRow {
  readonly kind: 'function' | 'command';
  /** Function name, or the command line shell-quoted. */
  readonly name: string;
  /** How many records. */
  readonly records: number;
  /** Statistics over every duration of every record (all iterations). */
  readonly stats: DurationStats;
  /** Highest RSS in any record's telemetry (`rss`, `rss_bytes`, `memory_info.rss`...), or `null`. */
  readonly peakRssBytes: number | null;
  /** Records that carry an `exception`, an `interrupted` mark or a non-zero `returncode`. */
  readonly failed: number;
}

/** Options for {@link renderSummaryTable}. */
export interface RenderSummaryOptions {
  /** A bold header line (ANSI); only for a terminal. @default false */
  readonly color?: boolean;
}

/** count, mean, median, min, max and sample stdev of `durationsS` (seconds). */
export function computeDurationStats(durationsS: readonly number[]): DurationStats {
  const count = durationsS.length;
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
  const sorted = [...durationsS].sort((a, b) => a - b);
  let sum = 0;
  for (const d of sorted) sum += d;
  const meanS = sum / count;
  const mid = Math.floor(count / 2);
  const medianS = count % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  let squares = 0;
  for (const d of sorted) squares += (d - meanS) ** 2;
  const stdevS = count < 2 ? Number.NaN : Math.sqrt(squares / (count - 1));
  return { count, meanS, medianS, minS: sorted[0]!, maxS: sorted[count - 1]!, stdevS };
}

/** Whether a record reports a failure: an exception, an interruption or a non-zero return code. */
export function isFailedRecord(record: BenchRecord): boolean {
  if (record.exception !== undefined && record.exception !== null) return true;
  if (
    record.interrupted !== undefined &&
    record.interrupted !== false &&
    record.interrupted !== null
  ) {
    return true;
  }
  const codes: unknown = record.returncode;
  return Array.isArray(codes) && codes.some((c) => c !== 0);
}

/** Group records by function or command (in order of first appearance) and compute their rows. */
export function summarizeRecords(records: readonly BenchRecord[]): SummaryRow[] {
  const groups = new Map<
    string,
    { kind: 'function' | 'command'; name: string; records: BenchRecord[] }
  >();
  for (const record of records) {
    const group = groupOf(record);
    let entry = groups.get(group.key);
    if (entry === undefined) {
      entry = { kind: group.kind, name: group.name, records: [] };
      groups.set(group.key, entry);
    }
    entry.records.push(record);
  }
  return [...groups.values()].map((g) => {
    let peak: number | null = null;
    for (const r of g.records) {
      const p = peakRssBytesOf(r);
      if (p !== null && (peak === null || p > peak)) peak = p;
    }
    return {
      kind: g.kind,
      name: g.name,
      records: g.records.length,
      stats: computeDurationStats(g.records.flatMap(durationsOf)),
      peakRssBytes: peak,
      failed: g.records.filter(isFailedRecord).length,
    };
  });
}

/**
 * The rows as an aligned text table. Durations get an adaptive unit (`1.204 s`, `106.0 ms`);
 * a value that does not exist (stdev of one duration, no telemetry) is shown as `-`. A `failed`
 * column appears when any record failed.
 */
export function renderSummaryTable(
  rows: readonly SummaryRow[],
  options: RenderSummaryOptions = {},
): string {
  if (rows.length === 0) return 'No records found.\n';
  const anyFailed = rows.some((r) => r.failed > 0);
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
  ];
  if (anyFailed) header.push('failed');
  const body = rows.map((r) => {
    const s = r.stats;
    const cells = [
      truncate(r.name, 48),
      String(r.records),
      String(s.count),
      seconds(s.meanS),
      seconds(s.medianS),
      seconds(s.minS),
      seconds(s.maxS),
      seconds(s.stdevS),
      r.peakRssBytes === null ? '-' : formatBytes(r.peakRssBytes),
    ];
    if (anyFailed) cells.push(String(r.failed));
    return cells;
  });
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

// A duration cell: adaptive unit, `-` for NaN.
function seconds(value: number): string {
  return Number.isNaN(value) ? '-' : formatSeconds(value);
}

// Shorten a long name with an ellipsis.
function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
