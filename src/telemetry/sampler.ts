/**
 * Main-thread handle of the sampler worker.
 *
 *   MicroBench ─ defineTelemetry() ─► TelemetryDefinition ─ start(record) ─► TelemetryRun
 *        │                                                                      │
 *        │           postMessage (no handshake, a few µs)                       │ stop():     async, record delivered later
 *        └──────────────► sampler worker ──► reply port ──► samples per run     │ stopSync(): drains the reply port with
 *                                                                               │             receiveMessageOnPort + Atomics.wait
 *
 * One worker per process (per thread that benchmarks), created on first use and `unref()`ed.
 * Starting a run costs one postMessage; the worker takes the initial sample within a fraction
 * of a millisecond, while user code already runs. The reply port is ref'ed only while some
 * run is being stopped, so a pending record keeps the process alive just long enough.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  isMainThread,
  MessageChannel,
  type MessagePort,
  receiveMessageOnPort,
  Worker,
} from 'node:worker_threads';
import type { BenchRecord, TelemetrySample } from '../bench/record.js';
import { formatTimestamp, nowEpochMs, type Timezone } from '../bench/timestamp.js';
import { TelemetryError } from '../errors.js';
import { removeJournalFile } from '../journal/journal.js';
import { toJsonValue } from '../json/encode.js';
import { compileTelemetrySource } from './_compile.js';
import { SampleReservoir } from './_reservoir.js';
import {
  DOORBELL,
  type FromWorker,
  type JournalSpec,
  READY,
  REPLY_COUNTER,
  SHARED_BYTES,
  STOP_BASE,
  STOP_SLOTS,
  type TelemetrySource,
  type ToWorker,
} from './protocol.js';

/** Samples collected by one run. */
export interface TelemetryResult {
  readonly samples: TelemetrySample[];
  /** Samples taken in all (more than `samples.length` when thinned). */
  readonly total: number;
}

/** One sampling session (one benchmarked call). */
export interface TelemetryRun {
  /** Stop sampling; resolves with the samples once the worker confirms (or the timeout passes). */
  stop(): Promise<TelemetryResult>;
  /** Stop sampling and collect the samples without the event loop (process exit, signals). */
  stopSync(): TelemetryResult;
  /** Stop sampling and drop the samples. */
  cancel(): void;
}

/** How a bench samples: its function, interval, timeout and journal. */
export interface TelemetrySpec {
  readonly fn?: (process: never) => unknown;
  readonly moduleUrl?: string;
  readonly intervalS: number;
  readonly timeoutS: number;
  readonly timezone: Timezone;
  readonly maxSamples: number | undefined;
  /** Journal folder (crash safety); undefined = no journal. */
  readonly journalDir: string | undefined;
  readonly outfile: string | undefined;
}

/** A bench's telemetry, registered with the sampler; starts runs. */
export interface TelemetryDefinition {
  start(record: BenchRecord): TelemetryRun;
}

// One run's main-side state.
interface RunState {
  readonly sid: number;
  readonly spec: TelemetrySpec;
  readonly reservoir: SampleReservoir;
  readonly journal: JournalSpec | undefined;
  readonly defId: number;
  readonly anchorEpochMs: number;
  host: SamplerHost;
  stopped: boolean;
  done: boolean;
  resolve?: (result: TelemetryResult) => void;
  /** When a requested stop is abandoned (performance.now() ms); set while stopping. */
  deadline?: number;
}

let nextDefId = 1;
let nextSid = 1;
let warnedErrors = new Set<string>();

/** Register a telemetry function (or module) with the process's sampler worker. */
export function defineTelemetry(spec: TelemetrySpec): TelemetryDefinition {
  let source: TelemetrySource;
  if (spec.fn) {
    const text = Function.prototype.toString.call(spec.fn);
    if (/\{\s*\[native code\]\s*\}$/.test(text)) {
      throw new TelemetryError(
        'The telemetry function is a native or bound function, whose source text cannot be shipped to the sampler worker; pass a plain function, or use `telemetryModule`',
      );
    }
    try {
      compileTelemetrySource(text, spec.fn.name);
    } catch (error) {
      throw new TelemetryError((error as Error).message, { cause: error });
    }
    source = { kind: 'source', source: text, name: spec.fn.name };
  } else {
    const url = spec.moduleUrl!;
    const path = url.startsWith('file:') ? new URL(url) : url;
    if (!/^[a-z][a-z0-9+.-]*:/i.test(url) || url.startsWith('file:')) {
      if (!existsSync(path)) {
        throw new TelemetryError(
          `telemetryModule ${url} does not exist; pass the URL of a module whose default export is the telemetry function, e.g. new URL('./sampler.js', import.meta.url)`,
        );
      }
    }
    source = { kind: 'module', url };
  }
  if (!isMainThread) {
    process.emitWarning(
      'microbench: telemetry started off the main thread: signal handling is skipped (signals reach the main thread only); samples are still taken',
      { type: 'RuntimeWarning', code: 'MB_TELEMETRY_OFF_MAIN_THREAD' },
    );
  }
  const defId = nextDefId++;
  definitions.set(defId, source);
  const intervalMs = spec.intervalS * 1000;
  return {
    start(record) {
      const host = getHost();
      host.waitReady(spec.timeoutS * 1000);
      host.ensureDefined(defId);
      const sid = nextSid++;
      const anchorEpochMs = nowEpochMs();
      const journal = spec.journalDir
        ? {
            path: join(
              spec.journalDir,
              `${process.pid}-${sid}-${Math.floor(anchorEpochMs)}.journal`,
            ),
            header: {
              outfile: spec.outfile,
              timezone: spec.timezone.name,
              anchor_epoch_ms: anchorEpochMs,
              max_samples: spec.maxSamples ?? null,
              record,
            },
          }
        : undefined;
      const run: RunState = {
        sid,
        spec,
        reservoir: new SampleReservoir(spec.maxSamples),
        journal,
        defId,
        anchorEpochMs,
        host,
        stopped: false,
        done: false,
      };
      host.begin(run, intervalMs, true);
      return {
        stop: () => host.stop(run),
        stopSync: () => host.stopSync(run),
        cancel: () => run.host.cancel(run),
      };
    },
  };
}

const definitions = new Map<number, TelemetrySource>();
let current: SamplerHost | undefined;

function getHost(): SamplerHost {
  current ??= new SamplerHost();
  return current;
}

/** The sampler worker and its reply channel; replaced when a telemetry function hangs. */
class SamplerHost {
  readonly #worker: Worker;
  readonly #port: MessagePort;
  readonly #flags: Int32Array;
  readonly #defined = new Set<number>();
  readonly #runs = new Map<number, RunState>();
  /** Runs whose stop was requested and not yet confirmed. */
  readonly #stopping = new Set<RunState>();
  // One timer for every pending stop's telemetryTimeout (a timer per call would cost more than
  // the rest of the stop): it fires at the earliest deadline and is left to lapse when idle.
  #deadlineTimer: NodeJS.Timeout | undefined;
  #deadlineAt = Number.POSITIVE_INFINITY;
  #dead = false;
  #ready = false;

  constructor() {
    const shared = new SharedArrayBuffer(SHARED_BYTES);
    this.#flags = new Int32Array(shared);
    const { port1, port2 } = new MessageChannel();
    this.#port = port1;
    const [entry, entryOptions] = workerEntry();
    this.#worker = new Worker(entry, {
      ...entryOptions,
      workerData: { replyPort: port2, shared },
      transferList: [port2],
      name: 'microbench-sampler',
      execArgv: workerExecArgv(process.execArgv),
    });
    this.#worker.unref();
    this.#worker.on('error', (error) =>
      this.#abandon(`the sampler worker crashed: ${error.message}`),
    );
    this.#port.on('message', (message: FromWorker) => this.#handle(message));
    this.#port.unref();
  }

  /**
   * Wait (once per worker, synchronously) until the worker has loaded, so the first call's
   * initial sample is taken when the call starts, not after a 30 ms+ worker start-up.
   */
  waitReady(timeoutMs: number): void {
    if (this.#ready) return;
    const deadline = performance.now() + timeoutMs;
    while (Atomics.load(this.#flags, READY) === 0) {
      const left = deadline - performance.now();
      if (left <= 0) return;
      Atomics.wait(this.#flags, READY, 0, left);
    }
    this.#ready = true;
  }

  ensureDefined(defId: number): void {
    if (this.#defined.has(defId)) return;
    this.#defined.add(defId);
    this.#post({ type: 'define', defId, telemetry: definitions.get(defId)! });
  }

  begin(run: RunState, intervalMs: number, initialSample: boolean): void {
    this.#runs.set(run.sid, run);
    const message: ToWorker = {
      type: 'start',
      sid: run.sid,
      defId: run.defId,
      intervalMs,
      anchorEpochMs: run.anchorEpochMs,
      initialSample,
      ...(run.journal ? { journal: run.journal } : {}),
    };
    try {
      this.#post(message);
    } catch (error) {
      // The journal header carries the partial record, which may hold what cannot be cloned
      // (a function a capture method stored): send its JSON-safe form instead.
      if (!run.journal || (error as Error).name !== 'DataCloneError') throw error;
      const { header } = run.journal;
      const journal = { ...run.journal, header: { ...header, record: toJsonSafe(header.record) } };
      this.#post({ ...message, journal });
    }
  }

  stop(run: RunState): Promise<TelemetryResult> {
    if (run.done) return Promise.resolve(run.reservoir.result());
    return new Promise((resolve) => {
      run.resolve = (result) => {
        resolve(result);
        // Queued after the caller's `then`, which delivers the record: only then may the
        // journal go (a process killed before delivery leaves a complete record to recover).
        if (run.journal) queueMicrotask(() => run.host.discard(run));
      };
      this.#requestStop(run, true);
      this.#watchStop(run);
    });
  }

  stopSync(run: RunState): TelemetryResult {
    if (!run.done) {
      this.#requestStop(run, false);
      const deadline = performance.now() + run.spec.timeoutS * 1000;
      while (!run.done) {
        const seen = Atomics.load(this.#flags, REPLY_COUNTER);
        this.#drain();
        if (run.done) break;
        const left = deadline - performance.now();
        if (left <= 0) {
          this.#timeout(run);
          break;
        }
        Atomics.wait(this.#flags, REPLY_COUNTER, seen, Math.min(left, 50));
      }
    }
    // Signals and process exit: the record is delivered right after, with no event loop turn
    // for a 'discard' to reach the worker; delete the journal here.
    if (run.journal) removeJournalFile(run.journal.path);
    return run.reservoir.result();
  }

  /** Stop sampling and drop the samples and the journal. */
  cancel(run: RunState): void {
    if (!run.done) {
      this.#requestStop(run, false);
      this.finish(run);
    }
    if (run.journal) this.discard(run);
  }

  /** The run's record is delivered: have its journal deleted. */
  discard(run: RunState): void {
    const path = run.journal!.path;
    if (this.#dead) {
      removeJournalFile(path);
      return;
    }
    trackDiscard(run.sid, path);
    this.#post({ type: 'discard', sid: run.sid, path });
  }

  finish(run: RunState): void {
    run.done = true;
    this.#runs.delete(run.sid);
    if (this.#stopping.delete(run) && this.#stopping.size === 0) this.#port.unref();
    run.resolve?.(run.reservoir.result());
  }

  // `withRecord`: journal the finished record (the header's record object, by now complete).
  #requestStop(run: RunState, withRecord: boolean): void {
    if (run.stopped) return;
    run.stopped = true;
    Atomics.store(this.#flags, STOP_BASE + (run.sid % STOP_SLOTS), run.sid);
    const record = withRecord ? run.journal?.header.record : undefined;
    if (record === undefined) {
      this.#post({ type: 'stop', sid: run.sid });
      return;
    }
    try {
      this.#post({ type: 'stop', sid: run.sid, record });
    } catch (error) {
      if ((error as Error).name !== 'DataCloneError') throw error;
      this.#post({ type: 'stop', sid: run.sid, record: toJsonSafe(record) });
    }
  }

  #drain(): void {
    for (let m = receiveMessageOnPort(this.#port); m; m = receiveMessageOnPort(this.#port)) {
      this.#handle(m.message as FromWorker);
    }
  }

  #handle(message: FromWorker): void {
    switch (message.type) {
      case 'sample':
      case 'sample-error': {
        const run = this.#runs.get(message.sid);
        if (!run || run.done) return;
        const timestamp = formatTimestamp(message.epochMs, run.spec.timezone);
        if (message.type === 'sample') {
          run.reservoir.add({
            timestamp,
            ...(JSON.parse(message.json) as Record<string, unknown>),
          });
        } else {
          run.reservoir.add({ timestamp, error: message.error });
          warnOnce(`microbench telemetry: ${message.error}`);
        }
        return;
      }
      case 'stopped': {
        const run = this.#runs.get(message.sid);
        if (run) this.finish(run);
        return;
      }
      case 'define-error':
        warnOnce(`microbench telemetry: ${message.error}`);
        return;
      case 'discarded':
        pendingDiscards.delete(message.sid);
        return;
      case 'journal-error':
        warnOnce(
          `microbench telemetry journal could not be written (${message.error}); the run is not crash-safe`,
        );
        return;
    }
  }

  // A telemetry function that hangs: give up on this worker, keep the samples taken so far,
  // and move the other live runs to a fresh worker.
  #timeout(run: RunState): void {
    this.#drain();
    if (run.done) return;
    process.emitWarning(
      `microbench telemetry: the sampler did not stop within telemetryTimeout (${run.spec.timeoutS} s), probably because the telemetry function hangs; the record keeps the ${run.reservoir.total} sample(s) taken so far and the sampler worker was replaced`,
      { type: 'MicrobenchTelemetryWarning', code: 'MB_TELEMETRY_TIMEOUT' },
    );
    this.finish(run);
    this.#abandon();
  }

  #abandon(reason?: string): void {
    if (this.#dead) return;
    this.#dead = true;
    if (reason)
      process.emitWarning(`microbench telemetry: ${reason}`, {
        type: 'MicrobenchTelemetryWarning',
      });
    this.#drain();
    void this.#worker.terminate();
    this.#port.close();
    if (current === this) current = undefined;
    const survivors = [...this.#runs.values()].filter((r) => !r.done);
    this.#runs.clear();
    if (survivors.length === 0) return;
    // A worker that dies before it ever ran would die again: keep what was sampled, stop there.
    if (!this.#ready && ++startFailures >= 2) {
      for (const run of survivors) this.finish(run);
      return;
    }
    const next = getHost();
    for (const run of survivors) {
      run.host = next;
      next.ensureDefined(run.defId);
      next.begin(run, run.spec.intervalS * 1000, false);
      if (run.stopped) {
        run.stopped = false;
        if (run.resolve) {
          const resolve = run.resolve;
          this.#stopping.delete(run);
          void next.stop(run).then(resolve);
        }
      }
    }
  }

  // Keep the process alive until `run`'s stop is confirmed, and abandon it at its deadline.
  #watchStop(run: RunState): void {
    if (this.#stopping.size === 0) this.#port.ref();
    this.#stopping.add(run);
    run.deadline = performance.now() + run.spec.timeoutS * 1000;
    if (run.deadline < this.#deadlineAt) this.#armDeadlineTimer(run.deadline);
  }

  #armDeadlineTimer(at: number): void {
    if (this.#deadlineTimer) clearTimeout(this.#deadlineTimer);
    this.#deadlineAt = at;
    this.#deadlineTimer = setTimeout(
      () => this.#checkDeadlines(),
      Math.max(0, at - performance.now()),
    );
    this.#deadlineTimer.unref();
  }

  #checkDeadlines(): void {
    this.#deadlineTimer = undefined;
    this.#deadlineAt = Number.POSITIVE_INFINITY;
    const now = performance.now();
    let next = Number.POSITIVE_INFINITY;
    for (const run of [...this.#stopping]) {
      if (run.done) continue;
      if ((run.deadline ?? 0) <= now) this.#timeout(run);
      else next = Math.min(next, run.deadline!);
    }
    if (next < Number.POSITIVE_INFINITY && !this.#dead) this.#armDeadlineTimer(next);
  }

  #post(message: ToWorker): void {
    this.#worker.postMessage(message);
    Atomics.add(this.#flags, DOORBELL, 1);
    Atomics.notify(this.#flags, DOORBELL);
  }
}

// Workers whose start-up failed in a row (a guard against replacing a doomed worker forever).
let startFailures = 0;

/**
 * The parent's Node flags minus those a worker rejects or must not repeat: `--input-type`
 * (workers refuse it) and the parent's own `-e`/`-p` script.
 */
export function workerExecArgv(execArgv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const flag = execArgv[i]!;
    if (/^--(input-type|eval|print)=/.test(flag)) continue;
    if (['--input-type', '-e', '--eval', '-p', '--print', '-pe'].includes(flag)) {
      i++; // and its value
      continue;
    }
    out.push(flag);
  }
  return out;
}

// The worker entry beside this file: worker.js when built. Run from source through tsx, the
// worker does not inherit tsx's loader on Node 20, so a tiny eval entry registers it first.
function workerEntry(): [string | URL, { eval?: boolean }] {
  const js = new URL('./worker.js', import.meta.url);
  if (existsSync(js)) return [js, {}];
  const ts = new URL('./worker.ts', import.meta.url).href;
  const tsx = import.meta.resolve('tsx/esm/api');
  return [
    `import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(ts)}); });`,
    { eval: true },
  ];
}

// Journals whose records are delivered but whose 'discard' the worker has not confirmed:
// deleted at process exit, when the worker may never get to them.
const pendingDiscards = new Map<number, string>();
let exitCleanupInstalled = false;

// Note a discard in flight (and make sure exit deletes what the worker did not).
function trackDiscard(sid: number, path: string): void {
  pendingDiscards.set(sid, path);
  if (exitCleanupInstalled) return;
  exitCleanupInstalled = true;
  process.on('exit', () => {
    for (const pending of pendingDiscards.values()) removeJournalFile(pending);
  });
}

// A record (or anything in it) in the JSON-safe form that structured clone accepts.
function toJsonSafe(value: unknown): unknown {
  return toJsonValue(value, 'record', { warn: () => undefined });
}

function warnOnce(message: string): void {
  if (warnedErrors.has(message)) return;
  if (warnedErrors.size > 100) warnedErrors = new Set();
  warnedErrors.add(message);
  process.emitWarning(message, { type: 'MicrobenchTelemetryWarning', code: 'MB_TELEMETRY_SAMPLE' });
}
