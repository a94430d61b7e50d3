import { OptionError } from '../errors.js';
import { journalDirFor } from '../journal/journal.js';
import { type JsonReplacer, toJsonValue } from '../json/encode.js';
import type { Mixin } from '../mixins/mixin.js';
import { nodeRuntime } from '../mixins/node-runtime.js';
import { OutputFanOut } from '../outputs/fan-out.js';
import { fileOutput } from '../outputs/file.js';
import { memoryOutput } from '../outputs/memory.js';
import type { BatchItem, Output } from '../outputs/output.js';
import { IMPLEMENTATION, toFlatRecord } from '../record/layout.js';
import type { BenchRecord } from '../record/record.js';
import { RUN_ID } from '../record/run-id.js';
import { createRecordWriter, type RecordWriter } from '../record/write-record.js';
import type { ReportOptions, ReportResult } from '../report/write-report.js';
import { atDeliveryBatchEnd, deliveryBatchOpen } from '../telemetry/delivery-batch.js';
import { defineTelemetry, type TelemetryDefinition } from '../telemetry/sampler.js';
import { VERSION } from '../version.js';
import { findCaptureMethods, readPackageVersions } from './_captures.js';
import { addExitHooks, type ExitSignal } from './_exit-hooks.js';
import { flattenRecord } from './_flatten.js';
import { installCallSignalHandlers } from './_signals.js';
import { BenchCall, type CallEnvironment, describeError } from './call.js';
import {
  type MicroBenchOptions,
  type ResolvedMicroBenchOptions,
  resolveMicroBenchOptions,
} from './options.js';
import { currentCall, runInCall, type SubTimer, startSubTimer } from './time.js';

export { RUN_ID };

/** Options of `bench.getResults()`. */
export interface GetResultsOptions {
  /** Flatten nested objects into dotted keys (`git.commit`); empty objects disappear. @default false */
  flat?: boolean;
}

/** Options of `bench.recordOnExit()`. */
export interface RecordOnExitOptions {
  /**
   * Catch SIGTERM (a scheduler's time limit, `kill`) to write the record, with
   * `exit_signal: 'SIGTERM'`, before re-raising the signal, as microbench v2's
   * `handle_sigterm` does. The process then ends as SIGTERM ends it (status 143 in a shell).
   * A handler cannot run while synchronous code blocks the main thread: such a process ends
   * when that code returns, or at the scheduler's SIGKILL (with an `outfile`, the telemetry
   * journal recovers that run). A program with SIGTERM listeners of its own is left to them.
   * @default true
   */
  handleSigterm?: boolean;
  /**
   * Catch SIGINT as well as SIGTERM. Off by default: Ctrl-C must stop a blocked main thread
   * at once.
   * @default false
   */
  handleSignals?: boolean;
}

// Any function signature: `wrap` must accept every function and return the same type.
// biome-ignore lint/suspicious/noExplicitAny: the one place a fully generic signature is needed
type AnyFunction = (this: any, ...args: any[]) => any;

/**
 * Times functions and records, with every timing, the context needed to explain it, and
 * (when `telemetry` is set) resource samples taken on a background worker thread.
 *
 * ```ts
 * class MyBench extends MicroBench {
 *   static telemetryInterval = 0.5;
 *   static telemetry(process: ProcessInfo) { return process.memoryInfo(); }
 * }
 * const bench = new MyBench({ outfile: 'results.jsonl' });
 * const work = bench.wrap(function work(n: number) { ... });
 * ```
 */
export class MicroBench {
  /** The resolved configuration. */
  readonly options: ResolvedMicroBenchOptions;
  readonly #fanOut: OutputFanOut;
  readonly #env: CallEnvironment;
  readonly #telemetry: TelemetryDefinition | undefined;
  // Records as JSON lines in the bench's layout (the fields every record shares are encoded once).
  readonly #encoder: RecordWriter;
  #onExit: { call: BenchCall; dispose: () => void } | undefined;

  constructor(options?: MicroBenchOptions) {
    this.options = resolveMicroBenchOptions(options, new.target);
    const opts = this.options;
    // Opened now, so an unwritable outfile fails here; its path has its placeholders replaced.
    const outfile = opts.outfile !== undefined ? fileOutput(opts.outfile) : undefined;
    const outputs: Output[] = opts.outputs
      ? [...opts.outputs]
      : [
          outfile ??
            // Its own encoder: a record held in memory then holds no closure to encode it.
            memoryOutput({ encode: (record) => this.#encode(record) }),
        ];
    this.#fanOut = new OutputFanOut(outputs);
    this.#batches = outputs.some((output) => output.writeBatch !== undefined);

    const mixins: Mixin[] = opts.defaultMixins ? [nodeRuntime()] : [];
    for (const mixin of opts.mixins) {
      const existing = mixins.findIndex((m) => m.name === mixin.name);
      if (existing >= 0) mixins[existing] = mixin;
      else mixins.push(mixin);
    }

    const baseRecord: Record<string, unknown> = {
      ...opts.fields,
      mb_run_id: RUN_ID,
      mb_version: VERSION,
      mb_implementation: IMPLEMENTATION,
      timestamp_tz: opts.timezone.name,
      duration_counter: opts.durationCounterName,
      function_name: '',
      invocation: INVOCATION,
    };
    // Fields that cannot change during the process are gathered once, here.
    for (const mixin of mixins) {
      if (!mixin.constantFields) continue;
      try {
        Object.assign(baseRecord, mixin.constantFields());
      } catch (error) {
        const entry = { mixin: mixin.name, error: describeError(error) };
        baseRecord.mixin_errors = [...((baseRecord.mixin_errors as unknown[]) ?? []), entry];
      }
    }
    if (opts.captureVersions.length > 0)
      baseRecord.package_versions = readPackageVersions(opts.captureVersions);

    const journalDir =
      opts.journal && outfile !== undefined ? journalDirFor(outfile.path) : undefined;
    if (opts.telemetry || opts.telemetryModule) {
      this.#telemetry = defineTelemetry({
        ...(opts.telemetry ? { fn: opts.telemetry } : { moduleUrl: opts.telemetryModule! }),
        intervalS: opts.telemetryIntervalS,
        timeoutS: opts.telemetryTimeoutS,
        timezone: opts.timezone,
        maxSamples: opts.telemetryMaxSamples,
        priority: opts.telemetryPriority,
        baseRecord,
        journalDir,
        outfile: outfile?.path,
        recordFormat: opts.recordFormat,
      });
    }

    const replacer = opts.jsonReplacer;
    this.#encoder = createRecordWriter(opts.recordFormat, baseRecord, { replacer });
    this.#env = {
      baseRecord,
      envVars: opts.envVars,
      mixins,
      captureMethods: findCaptureMethods(this, MicroBench.prototype),
      instance: this,
      timezone: opts.timezone,
      counter: opts.durationCounter,
      toJsonValue: (value, what) => toJsonValue(value, what, { replacer }),
      startTelemetry: this.#telemetry
        ? (record, startEpochMs) => this.#telemetry!.start(record, startEpochMs)
        : undefined,
      prepareTelemetry: this.#telemetry ? () => this.#telemetry!.prepare() : undefined,
      // A journaled record waiting for its initial sample is encoded once: its journal line's
      // JSON becomes its output line, with the telemetry fields added (v1; v2 encodes again).
      encodePending:
        this.#telemetry && journalDir !== undefined
          ? (record) => this.#encoder.encodeFlat(record)
          : undefined,
      deliver: (record, appended) => {
        const encode =
          appended === undefined
            ? () => this.#encode(record)
            : () => this.#encoder.lineAppended(record, appended) ?? this.#encode(record);
        if (this.#batches && deliveryBatchOpen()) this.#queue(record, encode);
        else this.#fanOut.deliver(record, encode);
      },
    };
  }

  // Records delivered together (telemetry/delivery-batch.ts): queued, and handed to the outputs
  // at once when the batch closes; only when an output writes batches (a file), as queueing
  // costs the others (in memory) ~5 % per call for nothing.
  readonly #batches: boolean;
  // One function per bench: a signal flushes each bench once, and calls that end while none
  // runs are remembered by it (_signals.ts), not by a closure per call.
  readonly #flushOnSignal = (): Promise<void> => this.flush();
  #batch: BatchItem[] = [];
  #queue(record: BenchRecord, encode: () => string): void {
    if (this.#batch.length === 0) {
      atDeliveryBatchEnd(() => {
        const batch = this.#batch;
        this.#batch = [];
        this.#fanOut.deliverMany(batch);
      });
    }
    this.#batch.push({ record, encode });
  }

  /**
   * Wrap `fn` so every call is benchmarked. The wrapper has the same signature: a synchronous
   * function stays synchronous; a returned promise is awaited before the record is finished.
   */
  wrap<F extends AnyFunction>(fn: F, name?: string): F {
    if (typeof fn !== 'function') {
      throw new OptionError(`Expected bench.wrap() to receive a function, got ${typeof fn}`);
    }
    const bench = this;
    const functionName = name ?? (fn.name || '<anonymous>');
    const wrapper = function (this: unknown, ...args: unknown[]) {
      return bench.#invoke(
        fn,
        this,
        args,
        functionName,
        bench.options.iterations,
        bench.options.warmup,
      );
    };
    Object.defineProperty(wrapper, 'name', { value: fn.name, configurable: true });
    Object.defineProperty(wrapper, 'length', { value: fn.length, configurable: true });
    return wrapper as F;
  }

  /**
   * TC39 method decorator: `@bench.method` benchmarks every call of the method.
   */
  readonly method = <F extends AnyFunction>(fn: F, context?: ClassMethodDecoratorContext): F =>
    this.wrap(fn, context ? String(context.name) : undefined);

  /**
   * Benchmark one block: `await bench.record('load', async () => { ... })`. One record with one
   * duration (`iterations` and `warmup` do not apply). Returns what `fn` returns.
   */
  record<R>(name: string, fn: () => R): R {
    if (typeof fn !== 'function') {
      throw new OptionError(
        `Expected bench.record(name, fn) to receive a function, got ${typeof fn}`,
      );
    }
    return this.#invoke(fn, undefined, [], name, 1, 0) as R;
  }

  /**
   * Time a labelled part of the active benchmarked call, appended to its `timings` as
   * `{name, duration}`. With `fn`, times and returns `fn()` (awaiting a promise); without,
   * returns a timer to `stop()` (or to dispose with `using`).
   */
  time(label: string): SubTimer;
  time<R>(label: string, fn: () => R): R;
  time<R>(label: string, fn?: () => R): SubTimer | R {
    const sink = currentCall() ?? this.#onExit?.call;
    const timer = startSubTimer(label, sink, this.options.durationCounter);
    if (!fn) return timer;
    let result: R;
    try {
      result = fn();
    } catch (error) {
      timer.stop();
      throw error;
    }
    if (isThenable(result)) {
      return Promise.resolve(result).finally(() => timer.stop()) as R;
    }
    timer.stop();
    return result;
  }

  /**
   * Write one record when the process ends (normal exit, `process.exit()`, an uncaught error,
   * SIGTERM unless `handleSigterm: false`), timing and sampling the process from now on. Calling it again replaces the earlier one.
   */
  recordOnExit(name = '<process>', options: RecordOnExitOptions = {}): void {
    // dispose() forgets #onExit, so keep the earlier registration to cancel its telemetry too.
    const previous = this.#onExit;
    previous?.dispose();
    previous?.call.cancel();
    const call = new BenchCall(this.#env, name, []);
    call.begin();
    call.beforeIteration();
    let uncaught: unknown;
    let fired = false;
    const finish = (sync: boolean, signal?: string) => {
      if (fired) return;
      fired = true;
      forget();
      call.afterIteration();
      if (uncaught !== undefined) call.failed(uncaught);
      if (signal) call.record.exit_signal = signal;
      call.end({ sync, ...(signal ? { interrupted: signal } : {}) });
    };
    const removeHooks = addExitHooks({
      uncaught: (error) => {
        uncaught = error;
      },
      beforeExit: () => {
        finish(false);
        void this.flush().catch(() => undefined);
      },
      exit: () => finish(true),
      signal: (signal) => {
        finish(true, signal);
        return this.flush().catch(() => undefined);
      },
      signals: exitSignals(options),
    });
    const forget = () => {
      removeHooks();
      if (this.#onExit?.call === call) this.#onExit = undefined;
    };
    this.#onExit = { call, dispose: forget };
  }

  // Records whose telemetry waits for a sample still on its way: wait until they are delivered.
  async #settled(): Promise<void> {
    for (let waiting = this.#telemetry?.settled(); waiting; waiting = this.#telemetry?.settled())
      await waiting;
  }

  /** Wait until every record so far is delivered; rejects with an `OutputDeliveryError` listing failures. */
  async flush(): Promise<void> {
    await this.#settled();
    await this.#fanOut.flush();
  }

  /** Flush, then release outputs (files, connections). */
  async close(): Promise<void> {
    await this.#settled();
    this.#telemetry?.close();
    await this.#fanOut.close();
  }

  /**
   * The records written so far, read back from the first output that can (memory, file, Redis).
   * Waits for records whose telemetry is still being collected.
   */
  async getResults(options: GetResultsOptions = {}): Promise<BenchRecord[]> {
    await this.#settled();
    const readable = this.#fanOut.outputs.find((o) => typeof o.getResults === 'function');
    if (!readable) {
      throw new OptionError(
        'None of the configured outputs can read records back (getResults); use the default memory output, fileOutput or redisOutput',
      );
    }
    const records = await readable.getResults!();
    return options.flat ? records.map(flattenRecord) : records;
  }

  /**
   * Print (and return) per-function statistics of the records so far: count, mean, median,
   * min, max, stdev of durations and peak RSS from telemetry.
   */
  async summary(options: { print?: (text: string) => void } = {}): Promise<string> {
    const { renderSummaryTable, summarizeRecords } = await import('../report/summary.js');
    const records = (await this.getResults()).map(toFlatRecord) as BenchRecord[];
    const text = renderSummaryTable(summarizeRecords(records));
    (options.print ?? ((t: string) => process.stdout.write(t)))(text);
    return text;
  }

  /**
   * Write a self-contained HTML report (telemetry charts, durations, metadata) of the records
   * so far to `path`.
   */
  async report(path: string, options: ReportOptions = {}): Promise<ReportResult> {
    const { writeReport } = await import('../report/write-report.js');
    const records = (await this.getResults()).map(toFlatRecord) as BenchRecord[];
    return writeReport(records, path, options);
  }

  /** The outputs this bench delivers to. */
  get outputs(): readonly Output[] {
    return this.#fanOut.outputs;
  }

  // The heart of wrap/method/record: warmup, captures, timed iterations, record.
  #invoke(
    fn: AnyFunction,
    thisArg: unknown,
    args: unknown[],
    name: string,
    iterations: number,
    warmup: number,
  ): unknown {
    for (let w = 0; w < warmup; w++) {
      const result = fn.apply(thisArg, args);
      if (isThenable(result)) {
        return this.#finishWarmupAsync(fn, thisArg, args, name, iterations, warmup - w - 1, result);
      }
    }
    return this.#runTimed(fn, thisArg, args, name, iterations);
  }

  // The warmup turned out asynchronous: await it and the `left` remaining runs, then time.
  async #finishWarmupAsync(
    fn: AnyFunction,
    thisArg: unknown,
    args: unknown[],
    name: string,
    iterations: number,
    left: number,
    pending: PromiseLike<unknown>,
  ): Promise<unknown> {
    await pending;
    for (let w = 0; w < left; w++) await fn.apply(thisArg, args);
    learnedAsync.add(fn);
    return this.#runTimed(fn, thisArg, args, name, iterations);
  }

  // Captures, timed iterations and the record; goes asynchronous when an iteration returns a promise.
  #runTimed(
    fn: AnyFunction,
    thisArg: unknown,
    args: unknown[],
    name: string,
    iterations: number,
  ): unknown {
    const call = new BenchCall(this.#env, name, args);
    return runInCall(call, isAsync(fn), () => {
      call.begin();
      let result: unknown;
      for (let i = 0; i < iterations; i++) {
        call.beforeIteration();
        try {
          result = fn.apply(thisArg, args);
        } catch (error) {
          call.afterIteration();
          call.failed(error);
          call.end();
          throw error;
        }
        if (isThenable(result)) {
          learnedAsync.add(fn);
          return this.#continueAsync(fn, thisArg, args, call, iterations, i, result);
        }
        call.afterIteration();
      }
      call.returned(result);
      call.end();
      return result;
    });
  }

  // Timed iteration `index` returned `pending`: await it and run the remaining iterations.
  async #continueAsync(
    fn: AnyFunction,
    thisArg: unknown,
    args: unknown[],
    call: BenchCall,
    iterations: number,
    index: number,
    pending: unknown,
  ): Promise<unknown> {
    const release = this.options.handleSignals
      ? installCallSignalHandlers(call, this.#flushOnSignal)
      : undefined;
    try {
      let result: unknown;
      try {
        result = await pending;
        call.afterIteration();
        for (let i = index + 1; i < iterations; i++) {
          call.beforeIteration();
          try {
            result = await fn.apply(thisArg, args);
          } finally {
            call.afterIteration();
          }
        }
      } catch (error) {
        if (call.record.run_durations.length <= index) call.afterIteration();
        call.failed(error);
        call.end();
        throw error;
      }
      call.returned(result);
      call.end();
      return result;
    } finally {
      release?.();
    }
  }

  #encode(record: BenchRecord): string {
    return this.#encoder.encode(record);
  }
}

// The signals recordOnExit() writes its record on: SIGTERM unless turned off, SIGINT on request.
function exitSignals(options: RecordOnExitOptions): ExitSignal[] {
  const signals: ExitSignal[] = [];
  if (options.handleSignals === true) signals.push('SIGINT');
  if (options.handleSigterm !== false || options.handleSignals === true) signals.push('SIGTERM');
  return signals;
}

/** `invocation` of library records (the CLI's are `CLI`; Python microbench's library writes `Python`). */
const INVOCATION = 'Node';

/** A replacer for `MicroBench` options (re-exported for typing user code). */
export type { JsonReplacer };

// Functions seen returning a promise (a plain function may); their calls track async context.
const learnedAsync = new WeakSet<object>();

// Does calling `fn` continue asynchronously (so `bench.time()` after an await must find its call)?
function isAsync(fn: AnyFunction): boolean {
  const kind = fn.constructor?.name;
  return kind === 'AsyncFunction' || kind === 'AsyncGeneratorFunction' || learnedAsync.has(fn);
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}
