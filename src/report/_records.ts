// internal: reading the parts of a record the report, summary and diff share (group, telemetry, rss).

import type { BenchRecord } from '../record/record.js';
import { forEachNumericField } from './_flatten.js';
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
export function groupOf(record: BenchRecord): RecordGroup {
  const command = record.command;
  if (Array.isArray(command) && command.length > 0) {
    const args = command.map((a) => String(a));
    return { key: `command:${JSON.stringify(args)}`, kind: 'command', name: quoteCommand(args) };
  }
  const name = typeof record.function_name === 'string' ? record.function_name : '<unnamed>';
  return { key: `function:${name}`, kind: 'function', name };
}

/** A command line as a shell would accept it: arguments with special characters single-quoted. */
export function quoteCommand(args: readonly string[]): string {
  return args
    .map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replaceAll("'", `'\\''`)}'`))
    .join(' ');
}

/** The record's telemetry as lists of sample objects; non-object entries are dropped. */
export function telemetryRuns(record: BenchRecord): TelemetryRun[] {
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
