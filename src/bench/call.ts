// one benchmarked call (all its iterations) from captures to delivered record: the
// run engine the library's calls and the CLI's commands share (src/cli/commands/run.ts builds
// one per command run, with the command in place of a function and its own telemetry).
//
//   begin(): fields, mb_*, package_versions, env_*, mixin capture(), capture*() methods,
//            start_time, telemetry start
//   iteration(): beforeIteration hooks, timed run, afterIteration hooks
//   end():   finish_time, capturePost hooks, capturepost*() methods, exception
//            ──► telemetry stop (async only while the initial sample is on its way) ──► outputs
import { copyOwnKeys } from '../json/_own-key.js';
import { encodeJson } from '../json/encode.js';
import type { Mixin, MixinContext } from '../mixins/mixin.js';
import type { BenchRecord, RecordedException, SubTiming } from '../record/record.js';
import { formatTimestamp, nowEpochMs, type Timezone } from '../record/timestamp.js';
import type { AppendedFields } from '../record/write-record.js';
import type { TelemetryResult, TelemetryRun } from '../telemetry/sampler.js';
import { type CaptureMethods, readEnvVars } from './_captures.js';

/** What a call needs from its bench; built once per bench. */
export interface CallEnvironment {
  readonly baseRecord: Readonly<Record<string, unknown>>;
  /** Environment variables read (as `env_<NAME>`) when each call begins. */
  readonly envVars: readonly string[];
  readonly mixins: readonly Mixin[];
  readonly captureMethods: CaptureMethods;
  readonly instance: object;
  readonly timezone: Timezone;
  readonly counter: () => number;
  readonly toJsonValue: (value: unknown, what: string) => unknown;
  /**
   * Start sampling for this call, from the instant its `start_time` was formatted from;
   * undefined when telemetry is off.
   */
  readonly startTelemetry:
    | ((record: BenchRecord, startEpochMs: number) => TelemetryRun)
    | undefined;
  /** Wait for the sampler worker to be ready; the ms waited (0 once it is). */
  readonly prepareTelemetry?: (() => number) | undefined;
  /**
   * The finished record as flat JSON, for the pending journal of a call that ends before its
   * initial telemetry sample arrives; undefined without a journal.
   */
  readonly encodePending?: ((record: BenchRecord) => string) | undefined;
  /**
   * Deliver a finished record to the outputs. `appended`: its telemetry fields, its last keys,
   * with their JSON and that of the record before them where known, from which its output line
   * can be built without encoding the whole record.
   */
  readonly deliver: (record: BenchRecord, appended?: AppendedFields) => void;
  /** How the call's error is recorded as `exception`. @default {@link toRecordedException} */
  readonly describeException?: (error: unknown) => RecordedException;
}

/** One benchmarked call: owns its record, its mixin context and its telemetry run. */
export class BenchCall {
  readonly record: BenchRecord;
  readonly context: MixinContext;
  readonly timings: SubTiming[] = [];
  readonly counter: () => number;
  readonly #env: CallEnvironment;
  #telemetry: TelemetryRun | undefined;
  // ms this call waited, before it started, for the sampler worker to start.
  #telemetryWaitMs = 0;
  #iterationStart = 0;
  #ended = false;

  /**
   * A call of the function `functionName` with `args`, or (with `command`) a CLI run of that
   * command, whose mixins see `invocation: 'cli'`.
   */
  constructor(
    env: CallEnvironment,
    functionName: string,
    args: readonly unknown[],
    command?: readonly string[],
  ) {
    this.#env = env;
    this.counter = env.counter;
    // Copy, then add: a spread with extra keys (`{ ...base, function_name }`) makes V8 build a
    // fresh hidden class per record, which cost ~10 µs per call (npm run bench, BENCHMARKS.md).
    // (An own `__proto__` field is copied as a key, not as the prototype: src/json/_own-key.ts.)
    const record = copyOwnKeys(env.baseRecord) as BenchRecord;
    record.function_name = functionName;
    this.record = record;
    // Two literals rather than a conditional spread: the library's per-call path stays one shape.
    this.context = command
      ? {
          invocation: 'cli',
          functionName,
          args,
          command,
          returned: false,
          scratch: {},
          toJsonValue: env.toJsonValue,
        }
      : {
          invocation: 'function',
          functionName,
          args,
          returned: false,
          scratch: {},
          toJsonValue: env.toJsonValue,
        };
  }

  /** Run captures, start telemetry and stamp `start_time`. */
  begin(): void {
    const { record, context } = this;
    const env = this.#env;
    if (env.envVars.length > 0) Object.assign(record, readEnvVars(env.envVars));
    for (const mixin of env.mixins) {
      if (mixin.capture) this.#guard(mixin.name, () => mixin.capture!(record, context));
    }
    for (const [name, method] of env.captureMethods.pre) {
      this.#guard(name, () => method.call(env.instance, record));
    }
    // `telemetry` is added when the call ends, after every other field (attachTelemetry).
    record.run_durations = [];
    // A call made while the sampler worker is still starting (once per process, tens of ms)
    // waits for it here, before start_time: the wait is not timed, and the record states it.
    if (env.prepareTelemetry) this.#telemetryWaitMs = env.prepareTelemetry();
    // Stamped before telemetry starts: the initial sample is never earlier than start_time,
    // even when this thread is preempted while the sampler takes it.
    const startEpochMs = nowEpochMs();
    record.start_time = formatTimestamp(startEpochMs, env.timezone);
    if (env.startTelemetry) this.#telemetry = env.startTelemetry(record, startEpochMs);
  }

  /** Hooks before a timed iteration; returns the counter reading that starts it. */
  beforeIteration(): number {
    for (const mixin of this.#env.mixins) {
      if (mixin.beforeIteration)
        this.#guard(mixin.name, () => mixin.beforeIteration!(this.record, this.context));
    }
    this.#iterationStart = this.counter();
    return this.#iterationStart;
  }

  /**
   * Record a timed iteration's duration, then run the after-iteration hooks. `measuredS` is a
   * duration measured by the caller (the CLI times a command from its spawn to its exit);
   * without it, the counter since {@link beforeIteration}.
   */
  afterIteration(measuredS?: number): void {
    const seconds = measuredS ?? (this.counter() - this.#iterationStart) / 1000;
    const durations = this.record.run_durations;
    // The first duration replaces the empty list (kept only to fix the key's place): a push
    // onto `[]` reserves room for 17 numbers, ~130 bytes that a record kept in memory would
    // hold for good.
    if (durations.length === 0) this.record.run_durations = [seconds];
    else durations.push(seconds);
    for (const mixin of this.#env.mixins) {
      if (mixin.afterIteration)
        this.#guard(mixin.name, () => mixin.afterIteration!(this.record, this.context));
    }
  }

  /** The call returned `value` (from its last iteration). */
  returned(value: unknown): void {
    this.context.returnValue = value;
    this.context.returned = true;
  }

  /** The call threw `error`. */
  failed(error: unknown): void {
    this.context.error = error;
  }

  /**
   * Finish the record and hand it to the outputs: synchronously, unless telemetry's initial
   * sample has not arrived yet (a call shorter than the sampler's reaction time).
   * `sync` (a signal or process exit ends the call) collects telemetry synchronously;
   * `interrupted` names the signal that ended the call.
   */
  end(options?: { sync?: boolean; interrupted?: string }): void {
    // (No default object: one per call, for a parameter that is nearly always left out.)
    const sync = options?.sync ?? false;
    const interrupted = options?.interrupted;
    if (this.#ended) return;
    this.#ended = true;
    const { record, context } = this;
    const env = this.#env;
    const finishEpochMs = nowEpochMs();
    record.finish_time = formatTimestamp(finishEpochMs, env.timezone);
    for (const mixin of env.mixins) {
      if (mixin.capturePost) this.#guard(mixin.name, () => mixin.capturePost!(record, context));
    }
    for (const [name, method] of env.captureMethods.post) {
      this.#guard(name, () => method.call(env.instance, record));
    }
    if (this.timings.length > 0) record.timings = this.timings;
    if ('error' in context) {
      record.exception = (env.describeException ?? toRecordedException)(context.error);
    }
    if (interrupted) record.interrupted = interrupted;
    const telemetry = this.#telemetry;
    if (!telemetry) {
      // Telemetry was asked for but never started (the sampler failed to start): the shape
      // stays, with no samples.
      if (env.startTelemetry) record.telemetry ??= [];
      env.deliver(record);
    } else if (sync) {
      env.deliver(
        record,
        attachTelemetry(
          record,
          this.#telemetryWaitMs,
          telemetry.stopSync(finishEpochMs),
          undefined,
        ),
      );
    } else {
      stopTelemetry(telemetry, record, env, this.#telemetryWaitMs, finishEpochMs);
    }
  }

  /** Abandon the call without a record (a replaced `recordOnExit`). */
  cancel(): void {
    this.#ended = true;
    this.#telemetry?.cancel();
  }

  // A failing collector never loses the record: note which one failed and why.
  #guard(name: string, hook: () => void): void {
    try {
      hook();
    } catch (error) {
      const entry = { mixin: name, error: describeError(error) };
      // A fresh array: the record may share one from its bench's constant fields.
      const errors = (this.record.mixin_errors as (typeof entry)[] | undefined) ?? [];
      this.record.mixin_errors = [...errors, entry];
    }
  }
}

/** `{type, message}` for a thrown value (an Error or anything else). */
export function toRecordedException(error: unknown): RecordedException {
  if (error instanceof Error)
    return { type: error.name || error.constructor.name, message: error.message };
  return { type: typeof error, message: String(error) };
}

// Stop a call's telemetry and deliver its record once every sample is in (at once, or when the
// one still due arrives: the bench's flush() waits for that through its telemetry definition),
// journaled meanwhile as `journalJson`, which the output line then reuses. A function of its
// own, so that the callbacks' context holds the record and nothing else of the call (its
// context and its mixins' scratch are garbage once it returns, not held while it waits).
function stopTelemetry(
  telemetry: TelemetryRun,
  record: BenchRecord,
  env: CallEnvironment,
  waitedMs: number,
  finishEpochMs: number,
): void {
  let journalJson: string | undefined;
  const encodePending = env.encodePending;
  telemetry.stop(
    (result) => env.deliver(record, attachTelemetry(record, waitedMs, result, journalJson)),
    encodePending && (() => (journalJson = encodePending(record))),
    finishEpochMs,
  );
}

// Add the telemetry fields after the record's others (`waitedMs`: how long the call waited for
// the sampler to start). Returns them (with `prefixJson`, the record's JSON before them, if
// known) when none was in the record before, so that they are its last keys; else undefined.
function attachTelemetry(
  record: BenchRecord,
  waitedMs: number,
  result: TelemetryResult,
  prefixJson: string | undefined,
): AppendedFields | undefined {
  let appended = true;
  for (const key of TELEMETRY_KEYS) {
    if (Object.hasOwn(record, key)) appended = false;
  }
  // Named stores, in the record's order (a keyed copy from `fields` cost ~10 % of a short
  // call with telemetry kept in memory).
  const fields: Record<string, unknown> = {};
  record.telemetry = fields.telemetry = result.samples;
  if (result.total !== result.samples.length)
    record.telemetry_samples_total = fields.telemetry_samples_total = result.total;
  record.telemetry_samples_due = fields.telemetry_samples_due = result.due;
  record.telemetry_samples_taken = fields.telemetry_samples_taken = result.total;
  record.telemetry_samples_missed = fields.telemetry_samples_missed = result.missed;
  if (result.missedCause !== undefined)
    record.telemetry_missed_cause = fields.telemetry_missed_cause = result.missedCause;
  record.telemetry_lateness_p95_ms = fields.telemetry_lateness_p95_ms = result.latenessP95Ms;
  record.telemetry_lateness_max_ms = fields.telemetry_lateness_max_ms = result.latenessMaxMs;
  if (result.errors.length > 0)
    record.telemetry_errors = fields.telemetry_errors = [...result.errors];
  const { priority, nice, policy, tid } = result.sampler;
  record.telemetry_sampler = fields.telemetry_sampler =
    waitedMs > 0
      ? {
          priority,
          nice,
          policy,
          tid,
          startup_wait_ms: Math.round(waitedMs * 1000) / 1000,
        }
      : { priority, nice, policy, tid };
  return appended ? new TelemetryFields(fields, prefixJson, result, waitedMs > 0) : undefined;
}

// Every field attachTelemetry may add: when the record has one already (a constant field of that
// name), the fields are not its last keys and the line is encoded whole.
const TELEMETRY_KEYS = [
  'telemetry',
  'telemetry_samples_total',
  'telemetry_samples_due',
  'telemetry_samples_taken',
  'telemetry_samples_missed',
  'telemetry_missed_cause',
  'telemetry_lateness_p95_ms',
  'telemetry_lateness_max_ms',
  'telemetry_errors',
  'telemetry_sampler',
] as const;

// A record's telemetry fields, its last keys, and their JSON, made only if an output wants the
// line (a record kept in memory needs none): the samples' JSON from the sampler worker's, the
// scheduling's made once per sampler; the other values are numbers, null, strings and small
// plain objects of those.
class TelemetryFields implements AppendedFields {
  readonly fields: Readonly<Record<string, unknown>>;
  readonly prefixJson: string | undefined;
  readonly #result: TelemetryResult;
  readonly #waited: boolean;

  constructor(
    fields: Readonly<Record<string, unknown>>,
    prefixJson: string | undefined,
    result: TelemetryResult,
    waited: boolean,
  ) {
    this.fields = fields;
    this.prefixJson = prefixJson;
    this.#result = result;
    this.#waited = waited;
  }

  // Undefined (encode the fields) without the samples' JSON, or for a number JSON.stringify
  // would write otherwise than the record rules (±Infinity).
  json(): string | undefined {
    const { samplesJson, sampler } = this.#result;
    if (samplesJson === undefined) return undefined;
    const fields = this.fields;
    let json = `{"telemetry":${samplesJson}`;
    for (const key in fields) {
      if (key === 'telemetry') continue;
      if (key === 'telemetry_sampler' && !this.#waited) {
        json += `,"telemetry_sampler":${samplerJson(sampler)}`;
        continue;
      }
      const value = fields[key];
      if (typeof value === 'number' && !Number.isFinite(value) && !Number.isNaN(value))
        return undefined;
      // The keys are this file's own `telemetry_*` names: nothing in them to escape.
      json += `,"${key}":${
        typeof value === 'object' && value !== null ? encodeJson(value) : JSON.stringify(value)
      }`;
    }
    return `${json}}`;
  }
}

// The JSON of `telemetry_sampler` for a sampler's scheduling (the same object for as long as
// it holds, so its JSON is made once).
let lastScheduling: TelemetryResult['sampler'] | undefined;
let lastSchedulingJson = '';
function samplerJson(scheduling: TelemetryResult['sampler']): string {
  if (scheduling !== lastScheduling) {
    const { priority, nice, policy, tid } = scheduling;
    lastSchedulingJson = encodeJson({ priority, nice, policy, tid });
    lastScheduling = scheduling;
  }
  return lastSchedulingJson;
}

/** `Type: message` for a thrown value, as recorded in `mixin_errors`. */
export function describeError(error: unknown): string {
  const { type, message } = toRecordedException(error);
  return `${type}: ${message}`;
}
