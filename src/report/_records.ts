// internal: reading the parts of a record the report, summary and diff share (group, telemetry, rss).

import {
  type AnyRecord,
  flatten,
  rawCommand,
  rawFunctionName,
  rawReturnCodes,
} from '../record/_layout-fields.js';
import type { BenchRecord } from '../record/record.js';
import { displayValue, forEachNumericField } from './_flatten.js';
import { isRssField } from './_units.js';

/** What a record belongs to: a library function or a CLI command. */
export interface RecordGroup {
  /** Stable key: `function:<name>` or `command:<json array>`. */
  readonly key: string;
  readonly kind: 'function' | 'command';
  /** The function name, or the command line shell-quoted. */
  readonly name: string;
}

/** One telemetry list: a library record has one, a CLI record one per iteration. */
export interface TelemetryRun {
  /** 1-based iteration for CLI records, `null` for a library record's single list. */
  readonly iteration: number | null;
  readonly samples: readonly Record<string, unknown>[];
}

/** The group a record is summarised and charted in. */
export function groupOf(record: AnyRecord): RecordGroup {
  const flat = flatten(record);
  const command = rawCommand(flat);
  if (command !== undefined) {
    const args = command.map((a) => (typeof a === 'string' ? a : displayValue(a)));
    return { key: `command:${JSON.stringify(args)}`, kind: 'command', name: quoteCommand(args) };
  }
  const name = rawFunctionName(flat) ?? '<unnamed>';
  return { key: `function:${name}`, kind: 'function', name };
}

/** How a run ended. */
export type RunStatus =
  | { readonly type: 'ok' }
  | { readonly type: 'exception'; readonly name: string; readonly message: string }
  | { readonly type: 'interrupted'; readonly detail: string }
  | { readonly type: 'failed'; readonly returncodes: readonly number[] };

/** How a record ended: exception, interruption, non-zero return code, or fine. */
export function statusOf(record: AnyRecord): RunStatus {
  const flat = flatten(record);
  const exception = flat.exception;
  if (exception !== undefined && exception !== null) {
    const e = exception as { type?: unknown; message?: unknown };
    return {
      type: 'exception',
      name: typeof e.type === 'string' ? e.type : 'Error',
      message: typeof e.message === 'string' ? e.message : displayValue(exception),
    };
  }
  const interrupted = flat.interrupted;
  if (interrupted !== undefined && interrupted !== null && interrupted !== false) {
    return { type: 'interrupted', detail: typeof interrupted === 'string' ? interrupted : '' };
  }
  const codes = rawReturnCodes(flat);
  if (codes?.some((c) => c !== 0)) {
    return { type: 'failed', returncodes: codes.filter((c): c is number => typeof c === 'number') };
  }
  return { type: 'ok' };
}

/** A command line as a shell would accept it: arguments with special characters single-quoted. */
export function quoteCommand(args: readonly string[]): string {
  return args
    .map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replaceAll("'", `'\\''`)}'`))
    .join(' ');
}

/** The record's telemetry as lists of sample objects; non-object entries are dropped. */
export function telemetryRuns(record: AnyRecord): TelemetryRun[] {
  const telemetry: unknown = record.telemetry;
  if (!Array.isArray(telemetry) || telemetry.length === 0) return [];
  if (telemetry.some((entry) => Array.isArray(entry))) {
    return telemetry.map((entry, i) => ({
      iteration: i + 1,
      samples: Array.isArray(entry) ? entry.filter(isPlainObject) : [],
    }));
  }
  return [{ iteration: null, samples: telemetry.filter(isPlainObject) }];
}

/** The record's durations in seconds (finite numbers only). */
export function durationsOf(record: BenchRecord): number[] {
  const durations: unknown = record.run_durations;
  if (!Array.isArray(durations)) return [];
  return durations.filter((d): d is number => typeof d === 'number' && Number.isFinite(d));
}

/** The highest resident set size found in the record's telemetry, in bytes, or `null`. */
export function peakRssBytesOf(record: BenchRecord): number | null {
  let peak: number | null = null;
  for (const run of telemetryRuns(record)) {
    for (const sample of run.samples) {
      forEachNumericField(sample, (path, value) => {
        if (value !== null && isRssField(path) && (peak === null || value > peak)) peak = value;
      });
    }
  }
  return peak;
}

/** Whether a value is a non-array object. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
