/**
 * Per-benchmark running aggregates of results records, as summary and compare read them: the
 * durations of successful iterations (8 bytes each; no record is kept), counts of the other
 * iterations, the peak RSS and a few environment values.
 *
 *   records (any layout) ──► filters ──► benchmark key (function name / command / --by FIELD)
 *                                    └─► splitIterations ──► durations, failed/timed-out/interrupted
 *
 * Reading files goes through the streaming JSON Lines reader, so inputs of any size are read in
 * memory bounded by their durations. An input may select one record: `file.jsonl:3` (1-based;
 * negative counts from the end).
 */

import { existsSync } from 'node:fs';
import { UsageError } from '../errors.js';
import {
  type AnyRecord,
  flatten,
  rawCommand,
  rawFunctionName,
  valueAt,
} from '../record/_layout-fields.js';
import { readJsonLinesFrom } from '../record/inputs.js';
import { splitIterations } from '../record/iterations.js';
import type { JsonLinesProblem } from '../record/read-jsonl.js';
import { isMicrobenchRecord, NOT_A_RECORD_MESSAGE } from '../record/read-record.js';
import { SampleBuffer } from '../stats/sample-buffer.js';
import { type EnvironmentValues, noteEnvironment } from './_environment.js';

/** What one benchmark's records measured, gathered record by record. */
export interface BenchmarkSamples {
  /** How benchmarks are matched across sides: the name, or `FIELD=value` with `--by`. */
  readonly name: string;
  /** A library function, a CLI command, or a group by another field. */
  readonly kind: 'function' | 'command' | 'field';
  /** Records read. */
  records: number;
  /** Durations (seconds) of the successful iterations. */
  readonly durations: SampleBuffer;
  /** Iterations that threw, returned non-zero or could not start. */
  failed: number;
  timedOut: number;
  interrupted: number;
  /** How often each non-zero return code was seen (CLI records). */
  readonly failedReturnCodes: Map<number, number>;
  /** Highest RSS any record carries (telemetry, peak-memory mixin, resource usage), or null. */
  peakRssBytes: number | null;
  /** A few distinct values of each environment field. */
  readonly environment: EnvironmentValues;
}

/** A condition on records: the field at `key` (top-level name or dotted path) equals `value`. */
export interface RecordFilter {
  readonly key: string;
  readonly value: string;
}

/** Options of a {@link SampleCollector}. */
export interface CollectOptions {
  /** Match benchmarks by this field's value instead of the function name or command. */
  readonly by?: string;
  /** Only records that pass every filter are counted. */
  readonly filters?: readonly RecordFilter[];
}

/** Gathers records into {@link BenchmarkSamples}, one per benchmark, in order of first appearance. */
export class SampleCollector {
  readonly #benchmarks = new Map<string, BenchmarkSamples>();
  readonly #by: string | undefined;
  readonly #filters: readonly RecordFilter[];

  constructor(options: CollectOptions = {}) {
    this.#by = options.by;
    this.#filters = options.filters ?? [];
  }

  /** Add one record (v1 or v2); returns false when a filter left it out. */
  add(record: AnyRecord): boolean {
    const flat = flatten(record);
    for (const f of this.#filters) if (!matches(record, flat, f)) return false;
    const { key, name, kind } = this.#identify(record, flat);
    let samples = this.#benchmarks.get(key);
    if (samples === undefined) {
      samples = {
        name,
        kind,
        records: 0,
        durations: new SampleBuffer(),
        failed: 0,
        timedOut: 0,
        interrupted: 0,
        failedReturnCodes: new Map(),
        peakRssBytes: null,
        environment: new Map(),
      };
      this.#benchmarks.set(key, samples);
    }
    samples.records += 1;
    const outcomes = splitIterations(flat);
    for (const d of outcomes.successfulDurationsS) samples.durations.push(d);
    samples.failed += outcomes.failed;
    samples.timedOut += outcomes.timedOut;
    samples.interrupted += outcomes.interrupted;
    for (const code of outcomes.failedReturnCodes) {
      samples.failedReturnCodes.set(code, (samples.failedReturnCodes.get(code) ?? 0) + 1);
    }
    const peak = peakRssBytesOf(flat);
    if (peak !== null && (samples.peakRssBytes === null || peak > samples.peakRssBytes)) {
      samples.peakRssBytes = peak;
    }
    noteEnvironment(samples.environment, flat);
    return true;
  }

  /** The benchmarks gathered so far, in order of first appearance. */
  benchmarks(): BenchmarkSamples[] {
    return [...this.#benchmarks.values()];
  }

  // The benchmark a record belongs to.
  #identify(
    record: AnyRecord,
    flat: AnyRecord,
  ): { key: string; name: string; kind: BenchmarkSamples['kind'] } {
    if (this.#by !== undefined) {
      const value = fieldValue(record, flat, this.#by);
      const text =
        value === undefined ? '(none)' : typeof value === 'string' ? value : JSON.stringify(value);
      return { key: `field:${text}`, name: `${this.#by}=${text}`, kind: 'field' };
    }
    const command = rawCommand(flat);
    if (command !== undefined) {
      const args = command.map((a) => String(a));
      return { key: `command:${JSON.stringify(args)}`, name: quoteCommand(args), kind: 'command' };
    }
    const name = rawFunctionName(flat) ?? '<unnamed>';
    return { key: `function:${name}`, name, kind: 'function' };
  }
}

/** Gather records held in memory (the library's entry point). */
export function collectSamples(
  records: Iterable<AnyRecord>,
  options: CollectOptions = {},
): BenchmarkSamples[] {
  const collector = new SampleCollector(options);
  for (const record of records) collector.add(record);
  return collector.benchmarks();
}

/** What reading inputs gave: the benchmarks, and the lines skipped (with why). */
export interface ReadSamplesResult {
  readonly benchmarks: BenchmarkSamples[];
  /** Records read (after selection, before filters). */
  readonly records: number;
  readonly problems: JsonLinesProblem[];
}

/**
 * Read files, folders, globs or `-` (see `resolveInputs`), each optionally `FILE:N` for record
 * N alone, line by line into per-benchmark samples. A JSON object that is no microbench record
 * (no function name and no durations) is a problem reported by line, never a benchmark.
 *
 * @throws UsageError for `FILE:0` or a record number past the end; InputError for missing files.
 */
export async function readSamples(
  inputs: readonly string[],
  options: CollectOptions = {},
): Promise<ReadSamplesResult> {
  const collector = new SampleCollector(options);
  const problems: JsonLinesProblem[] = [];
  const onProblem = (p: JsonLinesProblem) => problems.push(p);
  let records = 0;
  for (const input of inputs) {
    const { path, index } = parseSelection(input);
    if (index === 0) {
      throw new UsageError(`${input}: record numbers start at 1 (or -1 for the last record)`);
    }
    let seen = 0;
    // A negative index keeps the last |index| records until the end is known.
    const tail: AnyRecord[] = [];
    for await (const entry of readJsonLinesFrom([path], { onProblem })) {
      if (!isMicrobenchRecord(entry.value)) {
        problems.push({ file: entry.file, line: entry.line, message: NOT_A_RECORD_MESSAGE });
        continue;
      }
      seen += 1;
      if (index === null) {
        records += 1;
        collector.add(entry.value);
      } else if (index > 0 && seen === index) {
        records += 1;
        collector.add(entry.value);
        break;
      } else if (index < 0) {
        tail.push(entry.value);
        if (tail.length > -index) tail.shift();
      }
    }
    if (index !== null) {
      const found = index > 0 ? seen >= index : tail.length === -index;
      if (!found) {
        throw new UsageError(
          `${input}: there is no record ${index} (the file holds ${seen} record${seen === 1 ? '' : 's'})`,
        );
      }
      if (index < 0) {
        records += 1;
        collector.add(tail[0]!);
      }
    }
  }
  return { benchmarks: collector.benchmarks(), records, problems };
}

/**
 * Split `FILE:N` into the path and the record number; the suffix is a record number only when
 * the whole text is not an existing path (a file named `x:3` still reads whole).
 */
export function parseSelection(
  input: string,
  exists: (path: string) => boolean = existsSync,
): { path: string; index: number | null } {
  const m = /^(.+):(-?\d+)$/.exec(input);
  if (m === null || exists(input)) return { path: input, index: null };
  return { path: m[1]!, index: Number(m[2]) };
}

/** Parse `KEY=VALUE` into a filter. @throws UsageError naming the option */
export function parseFilter(text: string, option = '--filter'): RecordFilter {
  const eq = text.indexOf('=');
  if (eq <= 0) {
    throw new UsageError(
      `${option}: expected KEY=VALUE, got '${text}'. Write e.g. ${option} experiment=baseline`,
    );
  }
  return { key: text.slice(0, eq), value: text.slice(eq + 1) };
}

// The value of a field by its flat (v1) name, or by its dotted path in the record as written
// (`git.dirty`, `host.hostname`) or flattened.
function fieldValue(record: AnyRecord, flat: AnyRecord, key: string): unknown {
  if (Object.hasOwn(flat, key)) return flat[key];
  if (Object.hasOwn(record, key)) return record[key];
  if (!key.includes('.')) return undefined;
  const path = key.split('.');
  return valueAt(record, path) ?? valueAt(flat, path);
}

// Whether a record's field equals the filter's value (compared as text).
function matches(record: AnyRecord, flat: AnyRecord, filter: RecordFilter): boolean {
  const value = fieldValue(record, flat, filter.key);
  if (value === undefined) return false;
  return (typeof value === 'string' ? value : JSON.stringify(value)) === filter.value;
}

/** A command line as a shell would accept it: arguments with special characters single-quoted. */
export function quoteCommand(args: readonly string[]): string {
  return args
    .map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replaceAll("'", `'\\''`)}'`))
    .join(' ');
}

/**
 * The highest resident set size a record carries, in bytes, or null: `peak_rss_bytes` (the
 * peak-memory mixin), telemetry samples' `rss_bytes` / `rss` / `memory_info.rss` (v1 `telemetry`, v2 `call.monitor`;
 * a CLI record's per-iteration lists too) and `resource_usage[].maxrss`.
 */
export function peakRssBytesOf(record: AnyRecord): number | null {
  const flat = flatten(record);
  let peak: number | null = null;
  const note = (value: unknown) => {
    if (typeof value === 'number' && Number.isFinite(value) && (peak === null || value > peak)) {
      peak = value;
    }
  };
  note(flat.peak_rss_bytes);
  const visitSamples = (list: unknown) => {
    if (!Array.isArray(list)) return;
    for (const sample of list) {
      if (Array.isArray(sample)) {
        visitSamples(sample);
      } else if (sample !== null && typeof sample === 'object') {
        const s = sample as Record<string, unknown>;
        note(s.rss_bytes);
        note(s.rss);
        note(valueAt(s, ['memory_info', 'rss']));
      }
    }
  };
  visitSamples(flat.telemetry);
  const usage = flat.resource_usage;
  if (Array.isArray(usage)) {
    for (const u of usage)
      if (u !== null && typeof u === 'object') note((u as Record<string, unknown>).maxrss);
  }
  return peak;
}
