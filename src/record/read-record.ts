/**
 * The one record reader: any microbench record, v1 or v2, Python's or ours, as one view.
 *
 *   JSON object ──► toRecordView() ──┬─ a record ──► RecordView { name, iterations, telemetry,
 *                                    │                start/finish, run id, flat fields, ... }
 *                                    └─ no function name and no durations ──► undefined
 *                                       (readRecordsFrom reports it once, by line number)
 *
 * The view reads the record through the layout table (layout.ts), so `call.durations` and
 * `run_durations`, `call.monitor` and `telemetry`, `host.os` and `operating_system` are the
 * same thing to every reader (summary, compare, report, diff, recover, export).
 */

import { basename } from 'node:path';
import { readJsonLinesFrom } from './inputs.js';
import { detectRecordFormat, type RecordFormat, toFlatRecord } from './layout.js';
import type { JsonLinesProblem, ReadJsonLinesOptions } from './read-jsonl.js';

/** What a reader reports, once per line, for JSON that is not a microbench record. */
export const NOT_A_RECORD_MESSAGE = 'not a microbench record: no function name or durations';

/** One timed iteration of a record, with what the record says about how it ended. */
export interface IterationView {
  /** 0-based position in the record's durations. */
  readonly index: number;
  /** Seconds; null when the record holds no finite number there. */
  readonly durationS: number | null;
  /** The command's exit code (minus the signal number); null for library calls or when none was recorded. */
  readonly returncode: number | null;
  /**
   * Whether the iteration succeeded: a finite duration, a zero return code (CLI), and not the
   * iteration that threw or was interrupted (the last one of a record with an `exception` or
   * an `interrupted` mark).
   */
  readonly ok: boolean;
}

/** One list of telemetry samples: a library record has one, a CLI record one per iteration. */
export interface TelemetryRunView {
  /** 1-based iteration for per-iteration lists (CLI), null for a call's single list. */
  readonly iteration: number | null;
  /** The samples that are objects (anything else in the list is left out). */
  readonly samples: readonly Record<string, unknown>[];
}

/** The context fields that tell two environments apart, from either layout. */
export interface EnvironmentView {
  readonly hostname: string | null;
  /** `linux`, `darwin`, ... (`operating_system` / `host.os`). */
  readonly os: string | null;
  readonly cpuModel: string | null;
  readonly cpuCoresLogical: number | null;
  readonly ramTotalBytes: number | null;
  /** `node 20.11.0`, `python 3.11.2`, or null when the record names no runtime. */
  readonly runtime: string | null;
  /** The `cgroups` block as written (limits), or null. */
  readonly cgroups: Readonly<Record<string, unknown>> | null;
  readonly gitCommit: string | null;
  readonly gitDirty: boolean | null;
}

/** Any microbench record, read the same way whatever its layout and implementation. */
export interface RecordView {
  /** The layout it was written in. */
  readonly format: RecordFormat;
  /** `microbench-ts` for ours, `microbench` (Python) when the record names no implementation. */
  readonly implementation: string;
  /** Function name, record name or command basename; `<unnamed>` only when none is recorded but durations are. */
  readonly name: string;
  /** `command` for a CLI record (it has a command line), else `function`. */
  readonly kind: 'function' | 'command';
  /** The command line of a CLI record. */
  readonly command: readonly string[] | undefined;
  /** `CLI`, `Python`, `Node`, or undefined when the record does not say. */
  readonly invocation: string | undefined;
  /** One entry per recorded duration. */
  readonly iterations: readonly IterationView[];
  /** Whether the record says an iteration hit `--timeout`. */
  readonly timedOut: boolean;
  /** Telemetry (`telemetry` / `call.monitor`), as lists of samples. */
  readonly telemetry: readonly TelemetryRunView[];
  readonly startTime: string | undefined;
  readonly finishTime: string | undefined;
  /** `mb_run_id` / `mb.run_id`: one per process that wrote records. */
  readonly runId: string | undefined;
  /** `mb_version` / `mb.version`. */
  readonly version: string | undefined;
  /** `{type, message}` of an error the call threw, or the command could not be started. */
  readonly exception: { readonly type: string; readonly message: string } | undefined;
  /** `true` (recovered from a journal) or the signal that ended the call. */
  readonly interrupted: boolean | string | undefined;
  readonly environment: EnvironmentView;
  /** Every field under its flat (v1) name, whatever the layout (`run_durations`, `env_HOME`, `hostname`...). */
  readonly flat: Readonly<Record<string, unknown>>;
  /** The record as it was read. */
  readonly record: Readonly<Record<string, unknown>>;
}

/** One record read from a file. */
export interface RecordEntry {
  readonly file: string;
  /** 1-based line number. */
  readonly line: number;
  readonly view: RecordView;
}

/**
 * Whether a JSON object is a microbench record: it names a function (`function_name` /
 * `call.name`) or holds durations (`run_durations` / `call.durations`).
 */
export function isMicrobenchRecord(value: Readonly<Record<string, unknown>>): boolean {
  const call = value.call;
  if (isObject(call) && (typeof call.name === 'string' || Array.isArray(call.durations))) {
    return true;
  }
  return typeof value.function_name === 'string' || Array.isArray(value.run_durations);
}

/** The view of a record, or undefined for JSON that is no microbench record. */
export function toRecordView(value: Readonly<Record<string, unknown>>): RecordView | undefined {
  if (!isObject(value) || !isMicrobenchRecord(value)) return undefined;
  const format = detectRecordFormat(value);
  const flat = toFlatRecord(value);
  const command = stringArray(flat.command);
  const name =
    typeof flat.function_name === 'string' && flat.function_name !== ''
      ? flat.function_name
      : command?.[0] !== undefined
        ? basename(command[0])
        : '<unnamed>';
  const exception = toException(flat.exception);
  const interrupted =
    typeof flat.interrupted === 'boolean' || typeof flat.interrupted === 'string'
      ? flat.interrupted
      : undefined;
  const implementation =
    typeof flat.mb_implementation === 'string' ? flat.mb_implementation : 'microbench';
  return {
    format,
    implementation,
    name,
    kind: command !== undefined && command.length > 0 ? 'command' : 'function',
    command,
    invocation: typeof flat.invocation === 'string' ? flat.invocation : undefined,
    iterations: toIterations(flat, exception !== undefined || isInterrupted(interrupted)),
    timedOut: flat.timed_out === true,
    telemetry: toTelemetryRuns(flat.telemetry),
    startTime: stringOrUndefined(flat.start_time),
    finishTime: stringOrUndefined(flat.finish_time),
    runId: stringOrUndefined(flat.mb_run_id),
    version: stringOrUndefined(flat.mb_version),
    exception,
    interrupted,
    environment: toEnvironment(flat),
    flat,
    record: value,
  };
}

/** Options of {@link readRecordsFrom}. */
export interface ReadRecordsOptions extends ReadJsonLinesOptions {
  /**
   * Called once per skipped line: not JSON, not an object, or JSON that is no microbench record
   * ({@link NOT_A_RECORD_MESSAGE}).
   */
  onProblem?: (problem: JsonLinesProblem) => void;
}

/**
 * Every record of every input (files, folders, globs, `-`), line by line, as views. A line that
 * is JSON but no record is reported through `onProblem` with its line number and skipped, never
 * counted as a nameless benchmark.
 */
export async function* readRecordsFrom(
  inputs: readonly string[],
  options: ReadRecordsOptions = {},
): AsyncGenerator<RecordEntry, void, undefined> {
  for await (const entry of readJsonLinesFrom(inputs, options)) {
    const view = toRecordView(entry.value);
    if (view === undefined) {
      options.onProblem?.({ file: entry.file, line: entry.line, message: NOT_A_RECORD_MESSAGE });
      continue;
    }
    yield { file: entry.file, line: entry.line, view };
  }
}

/** The durations of the iterations that succeeded, in seconds (what statistics use). */
export function successfulDurationsOf(view: RecordView): number[] {
  const out: number[] = [];
  for (const iteration of view.iterations) {
    if (iteration.ok && iteration.durationS !== null) out.push(iteration.durationS);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// internal

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function numberOrNull(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function stringArray(value: unknown): string[] | undefined {
  return Array.isArray(value) ? value.map((item) => String(item)) : undefined;
}

function isInterrupted(interrupted: boolean | string | undefined): boolean {
  return interrupted !== undefined && interrupted !== false;
}

function toException(value: unknown): RecordView['exception'] {
  if (!isObject(value)) return undefined;
  return { type: String(value.type ?? 'Error'), message: String(value.message ?? '') };
}

// One entry per duration; a CLI record's return codes line up with its durations.
function toIterations(
  flat: Readonly<Record<string, unknown>>,
  lastFailed: boolean,
): IterationView[] {
  const durations = Array.isArray(flat.run_durations) ? flat.run_durations : [];
  const codes = Array.isArray(flat.returncode) ? flat.returncode : undefined;
  const out: IterationView[] = [];
  for (let index = 0; index < durations.length; index++) {
    const durationS = numberOrNull(durations[index]);
    const code = codes?.[index];
    const returncode = typeof code === 'number' ? code : null;
    let ok = durationS !== null;
    if (codes !== undefined && returncode !== 0) ok = false;
    if (lastFailed && index === durations.length - 1) ok = false;
    out.push({ index, durationS, returncode, ok });
  }
  return out;
}

// A flat list of samples (a call), or one list per iteration (CLI).
function toTelemetryRuns(value: unknown): TelemetryRunView[] {
  if (!Array.isArray(value) || value.length === 0) return [];
  if (value.some((entry) => Array.isArray(entry))) {
    return value.map((entry, i) => ({
      iteration: i + 1,
      samples: Array.isArray(entry) ? entry.filter(isObject) : [],
    }));
  }
  return [{ iteration: null, samples: value.filter(isObject) }];
}

function toEnvironment(flat: Readonly<Record<string, unknown>>): EnvironmentView {
  const git = isObject(flat.git) ? flat.git : undefined;
  const runtime =
    typeof flat.node_version === 'string'
      ? `node ${flat.node_version}`
      : typeof flat.python_version === 'string'
        ? `python ${flat.python_version}`
        : null;
  return {
    hostname: stringOrNull(flat.hostname),
    os: stringOrNull(flat.operating_system),
    cpuModel: stringOrNull(flat.cpu_model),
    cpuCoresLogical: numberOrNull(flat.cpu_cores_logical),
    ramTotalBytes: numberOrNull(flat.ram_total),
    runtime,
    cgroups: isObject(flat.cgroups) ? flat.cgroups : null,
    gitCommit: stringOrNull(git?.commit),
    gitDirty: typeof git?.dirty === 'boolean' ? git.dirty : null,
  };
}
