// internal: the rows of `microbench export`, from record views (pure: views in, cells out).
//
//   iteration rows: one per duration of every record ─► benchmark, run, run_id, iteration,
//                   duration_s, ok, returncode, ..., then the record's context, flattened
//   sample rows:    one per telemetry sample ─► benchmark, run, run_id, iteration, t, timestamp,
//                   then the sample's fields, flattened (`memory_info.rss`, `gpus[0].util`)
//
// Context columns use the flat (v1) field names whatever the layout (read-record.ts), so a file
// mixing v1 and v2 records, ours and Python's, exports as one table.

import { flattenValue } from '../record/flatten-value.js';
import type { RecordView } from '../record/read-record.js';

/** One cell value; objects and arrays are written as JSON. */
export type Cell = string | number | boolean | null | undefined | object;

/** A row: column name → value. */
export type Row = Map<string, Cell>;

/** The leading columns of the per-iteration table, in order. */
export const ITERATION_COLUMNS: readonly string[] = [
  'benchmark',
  'run',
  'run_id',
  'iteration',
  'duration_s',
  'ok',
  'returncode',
  'timed_out',
  'interrupted',
  'exception_type',
  'exception_message',
  'start_time',
  'finish_time',
];

/** The leading columns of the per-sample table, in order. */
export const SAMPLE_COLUMNS: readonly string[] = [
  'benchmark',
  'run',
  'run_id',
  'iteration',
  't',
  'timestamp',
];

// Flat fields the leading columns already hold, or that are per-iteration lists handled apart.
const SKIPPED_FIELDS = new Set([
  'function_name',
  'mb_run_id',
  'run_durations',
  'returncode',
  'timed_out',
  'interrupted',
  'exception',
  'start_time',
  'finish_time',
  'telemetry',
]);

// Per-iteration lists of a CLI record (or a library record's resource_usage): element i goes
// with iteration i.
const PER_ITERATION_FIELDS = new Set([
  'stdout',
  'stderr',
  'stdout_dropped_bytes',
  'stderr_dropped_bytes',
  'resource_usage',
]);

/**
 * The rows of one record, one per iteration. `run` is the record's 1-based number in the export.
 */
export function toIterationRows(view: RecordView, run: number): Row[] {
  const context = new Map<string, Cell>();
  for (const key of Object.keys(view.flat)) {
    if (SKIPPED_FIELDS.has(key) || PER_ITERATION_FIELDS.has(key)) continue;
    flattenValue(context, key, view.flat[key]);
  }
  const rows: Row[] = [];
  for (const iteration of view.iterations) {
    const row: Row = new Map<string, Cell>([
      ['benchmark', view.name],
      ['run', run],
      ['run_id', view.runId],
      ['iteration', iteration.index + 1],
      ['duration_s', iteration.durationS],
      ['ok', iteration.ok],
      ['returncode', iteration.returncode],
      ['timed_out', view.timedOut],
      ['interrupted', view.interrupted],
      ['exception_type', view.exception?.type],
      ['exception_message', view.exception?.message],
      ['start_time', view.startTime],
      ['finish_time', view.finishTime],
    ]);
    for (const key of PER_ITERATION_FIELDS) {
      const list = view.flat[key];
      if (Array.isArray(list)) flattenValue(row, key, list[iteration.index]);
    }
    for (const [key, value] of context) row.set(key, value);
    rows.push(row);
  }
  return rows;
}

/**
 * The rows of one record's telemetry, one per sample. `t` is seconds since the first sample of
 * the same list (taken when the call, or for the CLI the iteration, started).
 */
export function toSampleRows(view: RecordView, run: number): Row[] {
  const rows: Row[] = [];
  for (const list of view.telemetry) {
    let firstMs: number | undefined;
    for (const sample of list.samples) {
      const ms = parseTimestampMs(sample.timestamp);
      if (firstMs === undefined && ms !== undefined) firstMs = ms;
      const row: Row = new Map<string, Cell>([
        ['benchmark', view.name],
        ['run', run],
        ['run_id', view.runId],
        ['iteration', list.iteration],
        ['t', ms !== undefined && firstMs !== undefined ? round6((ms - firstMs) / 1000) : null],
        ['timestamp', typeof sample.timestamp === 'string' ? sample.timestamp : undefined],
      ]);
      for (const key of Object.keys(sample)) {
        if (key !== 'timestamp') flattenValue(row, key, sample[key]);
      }
      rows.push(row);
    }
  }
  return rows;
}

/** One CSV line (RFC 4180: a cell with a comma, quote or line break is quoted). */
export function toCsvLine(cells: readonly Cell[]): string {
  return `${cells.map(toCsvCell).join(',')}\r\n`;
}

/**
 * Milliseconds since the epoch of an ISO 8601 timestamp, microseconds kept
 * (`2024-01-01T00:01:30.123456+00:00`); undefined for anything else.
 */
export function parseTimestampMs(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const match = /^(.*T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:?\d{2})?$/.exec(value);
  if (!match) return undefined;
  const whole = Date.parse(`${match[1]}${match[3] ?? 'Z'}`);
  if (Number.isNaN(whole)) return undefined;
  const fraction = match[2] ? Number(`0.${match[2]}`) * 1000 : 0;
  return whole + fraction;
}

// ---------------------------------------------------------------------------------------------
// internal

function toCsvCell(value: Cell): string {
  if (value === null || value === undefined) return '';
  const text =
    typeof value === 'string'
      ? value
      : typeof value === 'object'
        ? JSON.stringify(value)
        : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
