/**
 * Main-thread handle of the sampler worker.
 *
 *   MicroBench ─ defineTelemetry() ─► TelemetryDefinition ─ start(record) ─► TelemetryRun
 *        │                                                                      │
 *        │           postMessage 'start' (no handshake, a few µs)               │ stop(deliver): one atomic OR on the
 *        └──────────────► sampler worker ──► reply port ──► samples per run     │   session's state word says how many
 *                                                                               │   samples were posted; they are read
 *                                                                               │   off the port at once (no round-trip)
 *
 * One worker per process (per thread that benchmarks), created on first use and `unref()`ed.
 * Starting a run costs one postMessage; the worker takes the initial sample within a fraction
 * of a millisecond, while user code already runs. Stopping costs no message for a run without
 * journal: the record is complete at once, or (a call shorter than the worker's reaction time)
 * as soon as its initial sample arrives. The reply port is ref'ed only while some record waits
 * for that sample, so a pending record keeps the process alive just long enough.
 */
import { existsSync } from 'node:fs';
import { join, sep } from 'node:path';
import {
  isMainThread,
  MessageChannel,
  type MessagePort,
  receiveMessageOnPort,
  Worker,
  type WorkerOptions,
} from 'node:worker_threads';
import { OptionError, TelemetryError } from '../errors.js';
import { journalNameToken, removeJournalFile, sessionJournalFileName } from '../journal/journal.js';
import { type PendingJournal, pendingJournalFor } from '../journal/pending.js';
import { encodeJson, toJsonValue } from '../json/encode.js';
import type { BenchRecord, TelemetrySample } from '../record/record.js';
import { formatTimestamp, nowEpochMs, type Timezone } from '../record/timestamp.js';
import { compileTelemetrySource, HELPER_NAMES } from './_compile.js';
import { findOutsideVariables } from './_free-variables.js';
import { completeTemplate, type HeaderTemplate, OwnFieldsJson } from './_own-fields-json.js';
import { POLICY_NAMES } from './_priority.js';
import { SampleReservoir } from './_reservoir.js';
import { afterDeliveryBatch, runDeliveryBatch } from './delivery-batch.js';
import {
  ANCHOR_F64,
  BUSY_SID,
  BUSY_UNTIL,
  CLAIMED_BIT,
  DEF_BASE,
  DOORBELL,
  F64_OFFSET,
  type FromWorker,
  HEADER_BYTES,
  HEADER_LEN_BASE,
  HEADER_OFFSET,
  INTERVAL_F64,
  JOURNAL_BASE,
  JOURNAL_DELAY_MS,
  type JournalBase,
  LAST_DUE_BASE,
  MESSAGES,
  NEXT_SLOT_BASE,
  NO_SLOT,
  OWNER_BASE,
  POSTED_STEP,
  PRIORITY_NICE_OFFSET,
  PRIORITY_OUTCOMES,
  type PriorityOutcome,
  READY,
  REPLY_COUNTER,
  SAMPLER_NICE,
  SAMPLER_POLICY,
  SAMPLER_PRIORITY,
  SAMPLER_TID,
  SAMPLING_BIT,
  type SamplerPriority,
  SESSION_SLOTS,
  SHARED_BYTES,
  START_ARMED,
  START_FLAGS_BASE,
  START_HEAD,
  START_INITIAL,
  START_RING_BASE,
  START_TAIL,
  STATE_BASE,
  STOPPED_BIT,
  sidAfter,
  type TelemetrySource,
  TIMEOUT_F64,
  type ToWorker,
  templateHeaderLength,
  WORKER_IDLE,
} from './protocol.js';
import { percentile95, roundMs } from './sample-account.js';

/** Why samples due in a call are missing from its record. */
export type MissedCause =
  | 'sampler behind'
  | 'machine overloaded'
  | 'telemetry function hung'
  | 'too many concurrent calls';

/** The scheduling the sampler thread had for a run (read from /proc by the thread itself). */
export interface SamplerScheduling {
  /** What the priority request achieved: `raised`, `realtime`, `normal` (not permitted), `not requested`, `unknown`. */
  readonly priority: PriorityOutcome;
  /** The thread's nice value; null where unknown. */
  readonly nice: number | null;
  /** The thread's scheduling policy (`SCHED_OTHER`, `SCHED_FIFO`, ...); null where unknown. */
  readonly policy: string | null;
  /** Kernel thread id of the sampler thread; null where unknown. */
  readonly tid: number | null;
}

/** Samples collected by one run, and how faithfully. */
export interface TelemetryResult {
  readonly samples: TelemetrySample[];
  /** Samples taken in all (more than `samples.length` when thinned). */
  readonly total: number;
  /** Samples due while the call ran (the initial one, then one per interval). */
  readonly due: number;
  /** Due samples not taken (`due − total`, never negative). */
  readonly missed: number;
  /** The main reason for the missed samples; undefined when none were missed. */
  readonly missedCause: MissedCause | undefined;
  /** How late samples were against their schedule, ms: 95th percentile and maximum (null: none). */
  readonly latenessP95Ms: number | null;
  readonly latenessMaxMs: number | null;
  /** Each distinct telemetry-function error once, with the number of samples it failed. */
  readonly errors: readonly { readonly message: string; readonly count: number }[];
  /** The sampler thread's scheduling. */
  readonly sampler: SamplerScheduling;
  /**
   * `samples` as JSON, byte for byte what encoding them gives, built from the worker's JSON;
   * undefined where it could not be (a sample whose keys JSON.stringify would order otherwise).
   */
  readonly samplesJson?: string | undefined;
}

/** One sampling session (one benchmarked call). */
export interface TelemetryRun {
  /**
   * Stop sampling and hand the samples to `deliver`: at once when they are all in (the usual
   * case; then it returns true), or, when a sample due in the call is still on its way (the
   * initial sample of a call shorter than the worker's reaction time), once it arrives or the
   * timeout passes; then it returns false, and {@link TelemetryDefinition.settled} waits for it.
   * Records reach `deliver` in the order their runs completed. A journaled run that waits
   * journals its finished record as `encodePending()` gives it (flat JSON; by default the
   * record by the record rules). `endEpochMs` is when the call ended (its `finish_time`;
   * now by default): the samples due are counted to it.
   */
  stop(
    deliver: (result: TelemetryResult) => void,
    encodePending?: () => string,
    endEpochMs?: number,
  ): boolean;
  /**
   * Stop sampling and collect the samples without the event loop (process exit, signals); due
   * counted to `endEpochMs` as for {@link stop}.
   */
  stopSync(endEpochMs?: number): TelemetryResult;
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
  /** How the sampler thread asks to be scheduled. @default 'raised' */
  readonly priority?: SamplerPriority;
  /**
   * The fields every record of the bench starts with (never changed after the bench is made):
   * sent to the worker once, so a call's start message carries only its own fields.
   */
  readonly baseRecord?: Readonly<Record<string, unknown>>;
  /** Journal folder (crash safety); undefined = no journal. */
  readonly journalDir: string | undefined;
  readonly outfile: string | undefined;
  /** The bench's record layout, for `recover` to write the record in (journal header). @default 'v1' */
  readonly recordFormat?: 'v1' | 'v2';
}

/** A bench's telemetry, registered with the sampler; starts runs. */
export interface TelemetryDefinition {
  /**
   * Wait until the sampler worker is ready, so the call's initial sample is taken as it starts;
   * returns the ms waited (0 once the worker is up). Call it before stamping `start_time`, so a
   * call made while the worker starts (tens of ms, once per process) does not count the wait.
   */
  prepare(): number;
  /**
   * Start sampling the call whose record this is. `startEpochMs`: the instant its `start_time`
   * was formatted from (in the bench's timezone); sampling is anchored there, and the sampler
   * can then write the call's journal header from the anchor. Without it, now.
   */
  start(record: BenchRecord, startEpochMs?: number): TelemetryRun;
  /**
   * A promise that settles once every stopped run of this definition has handed its samples
   * to `deliver`; undefined when none is waiting. (One promise for any number of waiting runs:
   * a loop of short calls creates none per call.)
   */
  settled(): Promise<void> | undefined;
  /** Every record is delivered: delete what the pending journal still holds open. */
  close(): void;
}

// A sample as it came from the worker; formatted into a TelemetrySample when the run ends.
// One initial sample shared by calls that started together is one RawSample in each of their
// reservoirs: the first record formatted from it keeps its formatted fields (when they are all
// primitives, so no two records share an object), and the others copy them.
interface RawSample {
  readonly epochMs: number;
  readonly json?: string;
  readonly error?: string;
  readonly shared?: boolean;
  formatted?: TelemetrySample;
  formattedIn?: Timezone;
  /** The JSON of `formatted` (undefined: build it by encoding the sample). */
  formattedJson?: string | undefined;
}

// Lateness values kept per run for the p95 (beyond, a uniform random subset; the max is exact).
const LATENESS_KEPT = 4096;

// Stopped runs of one definition still waiting for a sample, and who waits for them.
interface Waiting {
  count: number;
  readonly resolvers: (() => void)[];
}

// What a call holds of its run (methods on the prototype: no closures per call).
class RunHandle implements TelemetryRun {
  readonly #run: RunState;
  constructor(run: RunState) {
    this.#run = run;
  }
  stop(
    deliver: (result: TelemetryResult) => void,
    encodePending?: () => string,
    endEpochMs?: number,
  ): boolean {
    return this.#run.host.stop(this.#run, deliver, encodePending, endEpochMs);
  }
  stopSync(endEpochMs?: number): TelemetryResult {
    return this.#run.host.stopSync(this.#run, endEpochMs);
  }
  cancel(): void {
    this.#run.host.cancel(this.#run);
  }
}

/** What a run reads of its bench's {@link TelemetrySpec} while it is sampled. */
class RunSettings {
  readonly intervalS: number;
  readonly timeoutS: number;
  readonly timezone: Timezone;
  readonly maxSamples: number | undefined;

  constructor(spec: TelemetrySpec) {
    this.intervalS = spec.intervalS;
    this.timeoutS = spec.timeoutS;
    this.timezone = spec.timezone;
    this.maxSamples = spec.maxSamples;
  }
}

// The latest bench's objects that its calls read, kept alive. Objects shaped alike share a V8
// map only while one of them lives: once every earlier bench was collected, a new bench's
// objects got new maps, and the code of the call path, optimized for the old ones, was
// deoptimized and compiled again (~40 deopts in a burst, over 4 rounds of 2,000 calls, with the
// compiler threads taking the second core from the sampler). A class instance (RunSettings)
// and these kept objects keep their maps.
// biome-ignore lint/correctness/noUnusedVariables: written, never read: it keeps its objects alive
let keptForShapes: readonly unknown[] = [];

// One run's main-side state.
interface RunState {
  readonly sid: number;
  readonly spec: RunSettings;
  /** The call's record (partial while it runs, finished once stopped). */
  readonly record: BenchRecord;
  readonly reservoir: SampleReservoir<RawSample>;
  /** Its bench's journal fields (journaled runs only): the worker derives the journal from them. */
  readonly journalBase: JournalBase | undefined;
  /** Where the record goes while it waits for its initial sample (with a journal). */
  readonly pendingJournal: PendingJournal | undefined;
  readonly defId: number;
  /** Its definition's count of waiting runs. */
  readonly waiting: Waiting;
  readonly anchorEpochMs: number;
  /** `record.start_time` is anchorEpochMs formatted in the bench's timezone. */
  readonly anchorIsStart: boolean;
  host: SamplerHost;
  /** Ran long enough for the worker to have written its journal file (set when stopped). */
  journaledByWorker: boolean;
  /** Samples received from earlier workers (a run moved off a hung worker). */
  base: number;
  stopped: boolean;
  done: boolean;
  /** Samples the run waits for once stopped. */
  needed: number;
  /** Hands the record over once the run is done (a stopped run waiting for its initial sample). */
  deliver: ((result: TelemetryResult) => void) | undefined;
  /** Stopped and waiting for a sample (its host counts it: SamplerHost.#waitingCount). */
  awaited: boolean;
  /** When a pending stop is abandoned (performance.now() ms); 0 until stopped. */
  deadline: number;
  /** Samples due by the stop (set when stopped). */
  due: number;
  /** ms late of each sample received (see LATENESS_KEPT), and the largest. */
  lateness: number[];
  latenessMax: number;
  /** Slots the worker skipped, by the cause it saw. */
  skippedBehind: number;
  skippedOverloaded: number;
  /** Moved off a worker whose telemetry function hung. */
  hung: boolean;
  /** No worker session at all: every slot was taken by a running call (back-pressure). */
  unsampled: boolean;
  /** Unsampled because the worker had not read the last SESSION_SLOTS starts (it was behind). */
  unsampledBehind: boolean;
  /** The sampler thread's scheduling when the run started. */
  readonly sampler: SamplerScheduling;
  /** The bench's once-only warning about missed samples. */
  readonly warnMissed: (run: RunState) => void;
}

let nextDefId = 1;
let nextBaseId = 1;
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
    validateSelfContained(text, spec.fn.name);
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
  // Under Node's permission model `new Worker` throws unless workers are allowed: say so here,
  // where the bench is made, rather than fail every benchmarked call.
  const permission = (process as { permission?: { has(scope: string): boolean } }).permission;
  if (permission !== undefined && !permission.has('worker')) {
    throw new TelemetryError(
      "Telemetry samples on a worker thread, and Node's permission model forbids worker threads in this process; add --allow-worker to the node command, or leave telemetry off",
    );
  }
  if (!isMainThread) {
    process.emitWarning(
      'microbench: telemetry started off the main thread: signal handling is skipped (signals reach the main thread only); samples are still taken',
      { type: 'RuntimeWarning', code: 'MB_TELEMETRY_OFF_MAIN_THREAD' },
    );
  }
  // Benches with the same telemetry function share its definition (one compiled copy in the
  // worker): a program that makes a bench per task would otherwise grow by one per bench.
  const key =
    source.kind === 'source' ? `source\0${source.name}\0${source.source}` : `module\0${source.url}`;
  let defId = definitionIds.get(key);
  if (defId === undefined) {
    defId = nextDefId++;
    definitionIds.set(key, defId);
    definitions.set(defId, source);
  }
  const pendingJournal = spec.journalDir
    ? pendingJournalFor(spec.journalDir, {
        outfile: spec.outfile,
        timezone: spec.timezone.name,
        recordFormat: spec.recordFormat ?? 'v1',
      })
    : undefined;
  const intervalMs = spec.intervalS * 1000;
  const settings = new RunSettings(spec);
  const waiting: Waiting = { count: 0, resolvers: [] };
  // What every journal of this bench shares, sent to the worker once; a call's journal header
  // adds only the call's own fields.
  const journalBase: JournalBase | undefined = spec.journalDir
    ? {
        baseId: nextBaseId++,
        // The journal folder with its separator, so a call's journal path is one concatenation.
        prefix: join(spec.journalDir, sep),
        token: journalNameToken(),
        outfile: spec.outfile,
        timezone: spec.timezone.name,
        maxSamples: spec.maxSamples ?? null,
        recordFormat: spec.recordFormat ?? 'v1',
        record: spec.baseRecord ?? {},
      }
    : undefined;
  // The worker starts now, while the program sets up, so no call waits for it; the process's
  // sampler follows the priority the latest bench asked for.
  keptForShapes = [settings, waiting, journalBase];
  requestPriority(spec.priority ?? 'raised');
  getHost().ensureDefined(defId);
  let warnedMissed = false;
  let firstCall = true;
  const warnMissed = (run: RunState) => {
    if (warnedMissed) return;
    warnedMissed = true;
    warnMissedSamples(run);
  };
  return {
    prepare() {
      const host = getHost();
      if (host.isReady()) return 0;
      const before = performance.now();
      host.waitReady(settings.timeoutS * 1000);
      return performance.now() - before;
    },
    start(record, startEpochMs) {
      let host = getHost();
      host.waitReady(settings.timeoutS * 1000);
      // A worker stuck in a hanging telemetry function would never take this call's samples.
      if (!host.checkHealthy()) host = getHost();
      host.ensureDefined(defId);
      const sid = nextSid;
      nextSid = sidAfter(sid);
      const anchorEpochMs = startEpochMs ?? nowEpochMs();
      const run: RunState = {
        sid,
        spec: settings,
        record,
        reservoir: new SampleReservoir<RawSample>(settings.maxSamples),
        journalBase,
        pendingJournal,
        defId,
        waiting,
        anchorEpochMs,
        anchorIsStart: startEpochMs !== undefined,
        host,
        journaledByWorker: false,
        awaited: false,
        base: 0,
        stopped: false,
        done: false,
        needed: 0,
        // Every field from the start, none added later: a run whose shape changed as it went
        // gave V8 new maps to deoptimize on, a storm of recompiles every few thousand calls.
        deliver: undefined,
        deadline: 0,
        due: 0,
        lateness: [],
        latenessMax: Number.NaN,
        skippedBehind: 0,
        skippedOverloaded: 0,
        hung: false,
        unsampled: false,
        unsampledBehind: false,
        sampler: host.scheduling(),
        warnMissed,
      };
      host.begin(run, intervalMs, true);
      // A bench's first call: its user code starts once the initial sample is stamped (later
      // calls do not wait: the worker stamps it within tens of µs while user code runs).
      if (firstCall) {
        firstCall = false;
        host.awaitInitialStamp(run, Math.min(intervalMs, settings.timeoutS * 1000));
      }
      return new RunHandle(run);
    },
    settled() {
      if (waiting.count === 0) return undefined;
      return new Promise<void>((resolve) => waiting.resolvers.push(resolve));
    },
    close() {
      pendingJournal?.closeDelivered();
    },
  };
}

/**
 * Throw an OptionError when a telemetry function's text uses variables from outside its body:
 * it runs on the sampler thread from that text, where they do not exist.
 */
function validateSelfContained(text: string, name: string): void {
  const outside = findOutsideVariables(text).filter(
    (variable) =>
      !(variable in globalThis) && !HELPER_NAMES.includes(variable) && variable !== name,
  );
  if (outside.length === 0) return;
  const list = outside.map((v) => `\`${v}\``).join(', ');
  throw new OptionError(
    `The telemetry function${name ? ` \`${name}\`` : ''} uses ${list}, defined outside it. Telemetry runs on the sampler thread from the function's source text, so like a static method it may use only its \`process\` argument and globals: move ${outside.length > 1 ? 'them' : 'it'} inside the function, or put the function in a module (default export) and pass \`telemetryModule: new URL('./sampler.js', import.meta.url)\``,
  );
}

// How long a call waits for the worker to finish a sample of its slot's previous session.
const CLAIM_WAIT_MS = 20;

const definitions = new Map<number, TelemetrySource>();
// A definition's id by its kind and text (see defineTelemetry).
const definitionIds = new Map<string, number>();

/** How many distinct telemetry functions this process has defined (for tests and diagnostics). */
export function telemetryDefinitionCount(): number {
  return definitions.size;
}
let current: SamplerHost | undefined;
// The priority the latest bench asked for (a fresh worker starts with it).
let requestedPriority: SamplerPriority = 'raised';

// Ask for `priority` (a running worker is told when it differs from the last request).
function requestPriority(priority: SamplerPriority): void {
  if (priority === requestedPriority) return;
  requestedPriority = priority;
  current?.setPriority(priority);
}

function getHost(): SamplerHost {
  if (current === undefined) {
    current = new SamplerHost();
    // Installed before any pending journal's own exit hook, so that one sees what this delivers.
    if (!exitDeliveryInstalled) {
      exitDeliveryInstalled = true;
      process.on('exit', () => current?.settleWaitingSync());
    }
  }
  return current;
}

let exitDeliveryInstalled = false;

/** The sampler worker and its reply channel; replaced when a telemetry function hangs. */
class SamplerHost {
  readonly #worker: Worker;
  readonly #port: MessagePort;
  readonly #flags: Int32Array;
  readonly #f64: Float64Array;
  readonly #headerBytes: Buffer;
  /** Starts appended to the ring (START_HEAD; only this thread writes it). */
  #head = 0;
  /** REPLY_COUNTER when the reply port was last drained. */
  #repliesSeen = 0;
  /** Epoch ms the worker's BUSY_UNTIL counts from. */
  readonly #epochBase = nowEpochMs();
  readonly #defined = new Set<number>();
  /**
   * The run that owns each session slot (sid % SESSION_SLOTS), until it is done: the runs this
   * worker samples. (An array: a Map's set and delete per call cost allocations.)
   */
  readonly #slots: (RunState | undefined)[] = new Array(SESSION_SLOTS).fill(undefined);
  /**
   * Stopped runs waiting for a sample (`awaited`); they are in #slots until done. (A count,
   * not a Set: a Set churned at every call keeps runs and their records alive in V8's young
   * generation far too long, see _int-key-table.ts.)
   */
  #waitingCount = 0;
  // One timer for every waiting run's telemetryTimeout (a timer per call would cost more than
  // the rest of the stop): it fires at the earliest deadline and is left to lapse when idle.
  #deadlineTimer: NodeJS.Timeout | undefined;
  #deadlineAt = Number.POSITIVE_INFINITY;
  #dead = false;
  #ready = false;

  constructor() {
    const shared = new SharedArrayBuffer(SHARED_BYTES);
    this.#flags = new Int32Array(shared);
    this.#f64 = new Float64Array(shared, F64_OFFSET, 3 * SESSION_SLOTS);
    this.#headerBytes = Buffer.from(shared, HEADER_OFFSET, HEADER_BYTES * SESSION_SLOTS);
    const { port1, port2 } = new MessageChannel();
    this.#port = port1;
    const [entry, entryOptions] = workerEntry();
    this.#worker = startWorker(entry, {
      ...entryOptions,
      workerData: {
        replyPort: port2,
        shared,
        epochBase: this.#epochBase,
        priority: requestedPriority,
      },
      transferList: [port2],
      name: 'microbench-sampler',
    });
    this.#worker.unref();
    this.#worker.on('error', (error) =>
      this.#abandon(`the sampler worker crashed: ${error.message}`),
    );
    this.#port.on('message', (message: FromWorker) => this.#handle(message));
    this.#port.unref();
  }

  /** Whether the worker has loaded (and published its scheduling). */
  isReady(): boolean {
    if (!this.#ready && Atomics.load(this.#flags, READY) !== 0) this.#ready = true;
    return this.#ready;
  }

  /**
   * Wait (at most `maxMs`) until the worker has stamped `run`'s initial sample: it sets the
   * session's sampling bit (or has posted the sample) right after taking the timestamp.
   */
  awaitInitialStamp(run: RunState, maxMs: number): void {
    if (run.unsampled || this.#dead) return;
    const word = STATE_BASE + (run.sid % SESSION_SLOTS);
    const deadline = performance.now() + maxMs;
    for (;;) {
      const state = Atomics.load(this.#flags, word);
      if (state !== 0) return;
      const left = deadline - performance.now();
      if (left <= 0) return;
      Atomics.wait(this.#flags, word, 0, left);
    }
  }

  /** Tell the worker to apply another priority. */
  setPriority(priority: SamplerPriority): void {
    if (!this.#dead) this.#post({ type: 'priority', priority });
  }

  /** The sampler thread's scheduling as the worker last published it. */
  scheduling(): SamplerScheduling {
    const code = Atomics.load(this.#flags, SAMPLER_PRIORITY);
    const nice = Atomics.load(this.#flags, SAMPLER_NICE);
    const policy = Atomics.load(this.#flags, SAMPLER_POLICY);
    const cached = this.#scheduling;
    if (cached && cached.code === code && cached.nice === nice && cached.policy === policy)
      return cached.value;
    const tid = Atomics.load(this.#flags, SAMPLER_TID);
    const value: SamplerScheduling = {
      priority: PRIORITY_OUTCOMES[code] ?? 'unknown',
      nice: nice === 0 || code === 0 ? null : nice - PRIORITY_NICE_OFFSET,
      policy: policy < 0 || code === 0 ? null : (POLICY_NAMES[policy] ?? `policy ${policy}`),
      tid: tid > 0 ? tid : null,
    };
    this.#scheduling = { code, nice, policy, value };
    return value;
  }

  #scheduling: { code: number; nice: number; policy: number; value: SamplerScheduling } | undefined;

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

  /**
   * False (and the worker replaced) when the telemetry function has been running for longer
   * than its telemetryTimeout: it hangs, and the worker will never take another sample.
   */
  checkHealthy(): boolean {
    if (this.#dead) return false;
    const until = Atomics.load(this.#flags, BUSY_UNTIL);
    if (until === 0) return true;
    if (nowEpochMs() - this.#epochBase < until) {
      // Not yet: look again when it would be (the process may be idle by then).
      this.#armDeadlineTimer(performance.now() + until - (nowEpochMs() - this.#epochBase));
      return true;
    }
    const sid = Atomics.load(this.#flags, BUSY_SID);
    const owner = this.#slots[sid % SESSION_SLOTS];
    const timeout =
      owner?.sid === sid ? `telemetryTimeout (${owner.spec.timeoutS} s)` : 'its telemetryTimeout';
    process.emitWarning(
      `microbench telemetry: the telemetry function has run for longer than ${timeout}, probably because it hangs; the sampler worker was replaced, and records keep the samples taken before`,
      { type: 'MicrobenchTelemetryWarning', code: 'MB_TELEMETRY_TIMEOUT' },
    );
    this.#abandon();
    return false;
  }

  /**
   * Deliver the records still waiting for a sample without the event loop (`process.exit()`):
   * collect the replies with receiveMessageOnPort, waiting on the reply counter in between,
   * until every waiting run is done, the worker is found hung, or their telemetryTimeout ends.
   */
  settleWaitingSync(): void {
    let deadline = 0;
    for (const run of this.#awaitedRuns()) deadline = Math.max(deadline, run.deadline);
    while (this.#waitingCount > 0 && !this.#dead) {
      const seen = Atomics.load(this.#flags, REPLY_COUNTER);
      this.#drain();
      if (this.#waitingCount === 0 || !this.checkHealthy()) return;
      const left = deadline - performance.now();
      if (left <= 0) {
        for (const run of this.#awaitedRuns()) this.#timeout(run);
        return;
      }
      Atomics.wait(this.#flags, REPLY_COUNTER, seen, Math.min(left, 50));
    }
  }

  ensureDefined(defId: number): void {
    if (this.#defined.has(defId)) return;
    this.#defined.add(defId);
    this.#post({ type: 'define', defId, telemetry: definitions.get(defId)! });
  }

  begin(run: RunState, intervalMs: number, initialSample: boolean): void {
    // Records still waiting for their initial sample (a loop of short synchronous calls): the
    // samples are usually in by now, so deliver those records before this call starts.
    if (this.#waitingCount > 0 && Atomics.load(this.#flags, REPLY_COUNTER) !== this.#repliesSeen)
      this.#drain();
    const flags = this.#flags;
    const slot = run.sid % SESSION_SLOTS;
    const owner = this.#slots[slot];
    if (owner !== undefined && !owner.done) {
      // The slot's last run still waits for a sample: the worker is that far behind (a tight
      // loop of short calls on a busy machine). Deliver it without that sample (counted as
      // missed) rather than fail this call.
      if (owner.stopped) this.finish(owner);
      else {
        // SESSION_SLOTS calls are running at once: this one goes unsampled, and says so.
        run.unsampled = true;
        return;
      }
    }
    if (((this.#head - Atomics.load(flags, START_TAIL)) | 0) >= SESSION_SLOTS) {
      // The worker has not read the last SESSION_SLOTS starts (its thread got no CPU for all
      // that time): the ring is full, and this call goes unsampled, and says why.
      run.unsampled = true;
      run.unsampledBehind = true;
      return;
    }
    if (!this.#claimSlot(slot)) {
      // The worker is still taking a sample of the slot's previous session: this call goes
      // unsampled (and says so) rather than share the slot's words with it.
      run.unsampled = true;
      return;
    }
    this.#slots[slot] = run;
    const base = run.journalBase;
    if (base) this.#ensureBase(base);
    // The start, in the slot's words (protocol.ts): the worker reads them once the sid is in
    // the ring. The initial sample (index 0) is owed from the start; a run moved to a fresh
    // worker owes nothing until that worker has scheduled its next sample. The state word is
    // cleared last: until then the claimed bit keeps the worker's samples of the previous owner
    // out.
    flags[DEF_BASE + slot] = run.defId;
    flags[START_FLAGS_BASE + slot] = initialSample ? START_INITIAL : 0;
    flags[JOURNAL_BASE + slot] = base ? base.baseId : 0;
    if (base) flags[HEADER_LEN_BASE + slot] = this.#writeHeader(run, slot, base);
    const f64 = this.#f64;
    f64[ANCHOR_F64 + slot] = run.anchorEpochMs;
    f64[INTERVAL_F64 + slot] = intervalMs;
    f64[TIMEOUT_F64 + slot] = run.spec.timeoutS * 1000;
    Atomics.store(flags, OWNER_BASE + slot, run.sid);
    Atomics.store(flags, NEXT_SLOT_BASE + slot, initialSample ? 0 : NO_SLOT);
    Atomics.store(flags, STATE_BASE + slot, 0);
    const head = this.#head;
    flags[START_RING_BASE + (head & (SESSION_SLOTS - 1))] = run.sid;
    this.#head = (head + 1) | 0;
    Atomics.store(flags, START_HEAD, this.#head);
    // A worker waiting at the doorbell for this start is rung (once: it re-arms at its next
    // wait); one that read starts just now reads this one when its wait ends (a loop of short
    // calls: no wake-up per call); one idle in its event loop needs a message (once: the first
    // start that finds it idle).
    if (
      Atomics.load(flags, START_ARMED) === 1 &&
      Atomics.compareExchange(flags, START_ARMED, 1, 0) === 1
    ) {
      Atomics.add(flags, DOORBELL, 1);
      Atomics.notify(flags, DOORBELL);
    }
    if (
      Atomics.load(flags, WORKER_IDLE) === 1 &&
      Atomics.compareExchange(flags, WORKER_IDLE, 1, 0) === 1
    )
      this.#post({ type: 'wake' });
  }

  // The call's own record fields for its journal header (HEADER_LEN, protocol.ts): a header
  // template the worker completes with the start time (the fields are the last call's but for
  // start_time), or their JSON in the slot's header bytes (their length), or −1 after posting
  // them in a 'header' message (too long for the slot). The worker reads them only if the call
  // runs long enough to be journaled.
  #writeHeader(run: RunState, slot: number, base: JournalBase): number {
    let encoder = ownFieldsJson.get(base);
    if (encoder === undefined) {
      encoder = new OwnFieldsJson();
      ownFieldsJson.set(base, encoder);
    }
    const baseRecord = base.record as Readonly<Record<string, unknown>>;
    let json: string;
    if (run.anchorIsStart) {
      const header = encoder.header(run.record, baseRecord);
      if (typeof header === 'string') json = header;
      else if (this.#ensureTemplate(header)) return templateHeaderLength(header.id);
      else json = completeTemplate(header, run.record.start_time);
    } else {
      json = encoder.encode(run.record, baseRecord);
    }
    if (json.length <= HEADER_BYTES) {
      // One copy, no byteLength first: a write that stops more than 3 bytes (one UTF-8
      // character) short of the end wrote the whole text.
      const written = this.#headerBytes.write(json, slot * HEADER_BYTES, HEADER_BYTES, 'utf8');
      if (written < HEADER_BYTES - 3 || Buffer.byteLength(json) <= HEADER_BYTES) return written;
    }
    this.#post({ type: 'header', sid: run.sid, record: JSON.parse(json) as unknown });
    return -1;
  }

  // Take a session slot from its previous owner (protocol.ts, CLAIMED_BIT): false while the
  // worker keeps sampling that owner past CLAIM_WAIT_MS (it clears its sampling bit in the same
  // atomic add that counts the sample, within microseconds unless its thread is preempted).
  #claimSlot(slot: number): boolean {
    const word = STATE_BASE + slot;
    let deadline: number | undefined;
    for (;;) {
      const state = Atomics.load(this.#flags, word);
      if ((state & SAMPLING_BIT) === 0) {
        if (Atomics.compareExchange(this.#flags, word, state, CLAIMED_BIT | STOPPED_BIT) === state)
          return true;
        continue;
      }
      deadline ??= performance.now() + CLAIM_WAIT_MS;
      if (performance.now() >= deadline) return false;
      Atomics.wait(this.#flags, word, state, 1);
    }
  }

  // Send a journaling bench's shared fields to this worker once (JSON-safe if they cannot be
  // cloned).
  #ensureBase(base: JournalBase): void {
    if (this.#bases.has(base.baseId)) return;
    this.#bases.add(base.baseId);
    try {
      this.#post({ type: 'base', ...base });
    } catch (error) {
      if ((error as Error).name !== 'DataCloneError') throw error;
      this.#post({ type: 'base', ...base, record: toJsonSafe(base.record) });
    }
  }

  readonly #bases = new Set<number>();

  // Send a header template to this worker once; false past MAX_TEMPLATES (the worker keeps
  // each one: a program making endless benches gets plain headers from there on).
  #ensureTemplate(template: HeaderTemplate): boolean {
    if (this.#templates.has(template.id)) return true;
    if (this.#templates.size >= MAX_TEMPLATES) return false;
    this.#templates.add(template.id);
    this.#post({
      type: 'template',
      id: template.id,
      before: template.before,
      after: template.after,
    });
    return true;
  }

  readonly #templates = new Set<number>();

  stop(
    run: RunState,
    deliver: (result: TelemetryResult) => void,
    encodePending?: () => string,
    endEpochMs?: number,
  ): boolean {
    if (!run.done) {
      // Drained only when a reply is waiting (an empty receiveMessageOnPort costs more than the
      // rest of a short call's stop): one the worker has counted, or a sample it posted for
      // this run before the stop (posted before it is counted).
      const unreceived = this.#markStopped(run, endEpochMs);
      if (unreceived || Atomics.load(this.#flags, REPLY_COUNTER) !== this.#repliesSeen)
        this.#drain();
      if (!run.done && run.reservoir.total >= run.needed) this.finish(run);
    }
    if (run.done) {
      deliver(resultOf(run));
      // Delivered: the worker's journal file, if it wrote one, can go.
      if (run.journaledByWorker) run.host.#postStop(run, undefined);
      this.checkHealthy();
      return true;
    }
    // The initial sample is still on its way. Journaled: the finished record must outlive a
    // kill until it is delivered, and the worker may lag far behind: journal it here.
    if (run.pendingJournal) {
      const { record } = run;
      run.pendingJournal.add(
        run.sid,
        encodePending ?? (() => encodeJson(record, { warn: ignoreWarning })),
        warnJournalError,
      );
      // A long call's journal file also gets the finished record.
      if (run.journaledByWorker) this.#postStop(run, run.record);
    }
    run.waiting.count++;
    // Kept on the run, not in a closure: a closure and its context per call, held until the
    // sample comes, are more for the young-generation GC to copy (see deliverStopped).
    run.deliver = deliver;
    this.#watchStop(run);
    this.checkHealthy();
    return false;
  }

  stopSync(run: RunState, endEpochMs?: number): TelemetryResult {
    if (!run.done) {
      this.#markStopped(run, endEpochMs);
      const deadline = performance.now() + run.spec.timeoutS * 1000;
      while (!run.done) {
        const seen = Atomics.load(this.#flags, REPLY_COUNTER);
        this.#drain();
        if (run.done || run.reservoir.total >= run.needed || !this.checkHealthy()) break;
        const left = deadline - performance.now();
        if (left <= 0) {
          this.#timeout(run);
          break;
        }
        Atomics.wait(this.#flags, REPLY_COUNTER, seen, Math.min(left, 50));
      }
      if (!run.done) this.finish(run);
    }
    // Signals and process exit: the record is delivered right after, with no event loop turn
    // for a message to reach the worker; delete the journal here.
    if (run.journalBase) removeJournalFile(journalPathOf(run));
    return resultOf(run);
  }

  /** Stop sampling and drop the samples and the journal. */
  cancel(run: RunState): void {
    if (!run.done) {
      this.#markStopped(run);
      this.finish(run);
    }
    if (run.journaledByWorker) this.#postStop(run, undefined);
  }

  /** The record of a run stopped before its initial sample is delivered: delete its journal. */
  discard(run: RunState): void {
    const path = journalPathOf(run);
    if (this.#dead) {
      removeJournalFile(path);
      return;
    }
    trackDiscard(run.sid, path);
    this.#post({ type: 'discard', sid: run.sid, path });
  }

  finish(run: RunState): void {
    run.done = true;
    // A done run frees its slot: kept there, it and its record would live until the slot's
    // next call (4,096 calls on), long enough to be copied out of V8's young generation.
    const slot = run.sid % SESSION_SLOTS;
    if (this.#slots[slot] === run) this.#slots[slot] = undefined;
    if (run.awaited) {
      run.awaited = false;
      if (--this.#waitingCount === 0) this.#port.unref();
    }
    if (run.deliver) deliverStopped(run);
  }

  // Set the run's stopped bit; the state word says how many samples the worker had posted.
  // Returns whether one of them is still on the reply port. Due: the slots to `endEpochMs`
  // (the call's finish_time, stamped before its post-captures ran), else to now.
  #markStopped(run: RunState, endEpochMs?: number): boolean {
    if (run.stopped) return false;
    run.stopped = true;
    const elapsedMs = (endEpochMs ?? nowEpochMs()) - run.anchorEpochMs;
    run.due = Math.floor(Math.max(elapsedMs, 0) / (run.spec.intervalS * 1000)) + 1;
    if (run.unsampled) {
      run.needed = 0;
      return false;
    }
    // The worker writes a journal file once a call has run for JOURNAL_DELAY_MS (by its own
    // clock, so with a margin): only then is there a file to tell it about.
    const journalAfterMs = Math.min(JOURNAL_DELAY_MS, run.spec.intervalS * 1000);
    run.journaledByWorker = run.journalBase !== undefined && elapsedMs >= journalAfterMs - 5;
    const slot = run.sid % SESSION_SLOTS;
    // The last sample due by now: if the worker has not taken it yet, the record waits for it
    // (a sample due at the very end of a call belongs to it, as does the initial sample).
    const lastDue = run.due - 1;
    Atomics.store(this.#flags, LAST_DUE_BASE + slot, Math.min(Math.max(lastDue, 0), NO_SLOT - 1));
    const state = Atomics.or(this.#flags, STATE_BASE + slot, STOPPED_BIT);
    const posted = Math.floor(state / POSTED_STEP);
    const owed =
      state & SAMPLING_BIT || Atomics.load(this.#flags, NEXT_SLOT_BASE + slot) <= lastDue ? 1 : 0;
    run.needed = run.base + posted + owed;
    return run.reservoir.total < run.base + posted;
  }

  // Tell the worker a journaled run is over: with `record`, journal it (not delivered yet);
  // without, delete the journal.
  #postStop(run: RunState, record: unknown): void {
    if (this.#dead) {
      if (record === undefined) removeJournalFile(journalPathOf(run));
      return;
    }
    if (record === undefined) {
      // Track the file until the worker confirms it is gone (a worker that hangs before then
      // leaves it to us).
      trackDiscard(run.sid, journalPathOf(run));
      this.#post({ type: 'stop', sid: run.sid, confirm: true });
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
    this.#repliesSeen = Atomics.load(this.#flags, REPLY_COUNTER);
    for (let m = receiveMessageOnPort(this.#port); m; m = receiveMessageOnPort(this.#port)) {
      this.#handle(m.message as FromWorker);
    }
  }

  #handle(message: FromWorker): void {
    switch (message.type) {
      case 'sample':
      case 'sample-error': {
        // The initial sample of calls that started together (protocol.ts): one raw sample.
        const raw: RawSample =
          message.type === 'sample'
            ? { epochMs: message.epochMs, json: message.json, shared: message.sids !== undefined }
            : { epochMs: message.epochMs, error: message.error };
        if (message.sids === undefined) {
          this.#takeSample(message.sid, message, raw);
          return;
        }
        // Many records at once: delivered together (one write per file, delivery-batch.ts).
        const { sids } = message;
        runDeliveryBatch(() => {
          this.#takeSample(message.sid, message, raw);
          for (const sid of sids) this.#takeSample(sid, message, raw);
        });
        return;
      }
      case 'define-error':
        warnOnce(`microbench telemetry: ${message.error}`);
        return;
      case 'discarded':
        pendingDiscards.delete(message.sid);
        return;
      case 'journal-error':
        warnJournalError(message.error);
        return;
    }
  }

  #takeSample(
    sid: number,
    message: Extract<FromWorker, { type: 'sample' | 'sample-error' }>,
    raw: RawSample,
  ) {
    const run = this.#slots[sid % SESSION_SLOTS];
    if (run === undefined || run.sid !== sid || run.done) return;
    noteTiming(run, message.epochMs, message.index);
    if (message.skipped) {
      if (message.cause === 'overloaded') run.skippedOverloaded += message.skipped;
      else run.skippedBehind += message.skipped;
    }
    run.reservoir.add(raw);
    if (message.type === 'sample-error') warnOnce(`microbench telemetry: ${message.error}`);
    if (run.stopped && run.reservoir.total >= run.needed) this.finish(run);
  }

  // A stopped run's last sample did not come within telemetryTimeout. A worker found hanging in
  // a telemetry function is replaced (checkHealthy warns, and the runs keep what they have); one
  // that is merely behind is not: the record goes without that sample, counted as missed.
  #timeout(run: RunState): void {
    this.#drain();
    if (run.done) return;
    this.checkHealthy();
    if (!run.done) this.finish(run);
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
    // Journals of delivered records that this worker was to delete.
    for (const [sid, path] of pendingDiscards) {
      removeJournalFile(path);
      pendingDiscards.delete(sid);
    }
    const survivors = this.#slots
      .filter((r): r is RunState => r !== undefined && !r.done)
      .sort((a, b) => a.sid - b.sid);
    // Stopped runs waiting for a sample from this worker: it will never come; keep what is in.
    for (const run of survivors) if (run.stopped) this.finish(run);
    const moving = survivors.filter((r) => !r.done);
    this.#slots.fill(undefined);
    if (moving.length === 0) return;
    // A worker that dies before it ever ran would die again: keep what was sampled, stop there.
    if (!this.#ready && ++startFailures >= 2) {
      for (const run of moving) {
        run.stopped = true;
        this.finish(run);
      }
      return;
    }
    const next = getHost();
    for (const run of moving) {
      run.host = next;
      run.hung = true;
      run.base = run.reservoir.total;
      next.ensureDefined(run.defId);
      next.begin(run, run.spec.intervalS * 1000, false);
    }
  }

  // Keep the process alive until `run`'s initial sample is in, and abandon it at its deadline.
  #watchStop(run: RunState): void {
    if (this.#waitingCount++ === 0) this.#port.ref();
    run.awaited = true;
    run.deadline = performance.now() + run.spec.timeoutS * 1000;
    this.#armDeadlineTimer(run.deadline);
  }

  // The runs waiting for a sample, from their slots (a copy: rare work, at a deadline or exit).
  #awaitedRuns(): RunState[] {
    if (this.#waitingCount === 0) return [];
    return this.#slots.filter((run): run is RunState => run?.awaited === true);
  }

  #armDeadlineTimer(at: number): void {
    if (at >= this.#deadlineAt) return;
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
    if (!this.checkHealthy()) return;
    const now = performance.now();
    let next = Number.POSITIVE_INFINITY;
    for (const run of this.#awaitedRuns()) {
      if (run.done) continue;
      if (run.deadline <= now) this.#timeout(run);
      else next = Math.min(next, run.deadline);
    }
    if (next < Number.POSITIVE_INFINITY && !this.#dead) this.#armDeadlineTimer(next);
  }

  #post(message: ToWorker): void {
    this.#worker.postMessage(message);
    Atomics.add(this.#flags, MESSAGES, 1);
    Atomics.add(this.#flags, DOORBELL, 1);
    Atomics.notify(this.#flags, DOORBELL);
  }
}

// A waiting run's record is delivered: drop its journals, then count it off its definition.
function settleDelivered(run: RunState): void {
  try {
    run.pendingJournal?.delivered(run.sid);
    if (run.journaledByWorker) run.host.discard(run);
  } finally {
    settleWaiting(run);
  }
}

// A stopped run waiting for a sample is done: hand its record over, then settle it. In a
// delivery batch the record's line is written when the batch closes: its journal entry goes
// only then.
function deliverStopped(run: RunState): void {
  const deliver = run.deliver!;
  run.deliver = undefined;
  let delivered = false;
  try {
    deliver(resultOf(run));
    delivered = true;
  } finally {
    if (!delivered) settleWaiting(run);
    else afterDeliveryBatch(settleDelivered, run);
  }
}

// One waiting run fewer: flush() and settled() resolve once there are none.
function settleWaiting(run: RunState): void {
  const { waiting } = run;
  if (--waiting.count === 0) for (const resolve of waiting.resolvers.splice(0)) resolve();
}

// Note how late a sample was against its slot (index k is due at anchor + k·interval).
function noteTiming(run: RunState, epochMs: number, index: number): void {
  const late = Math.max(0, epochMs - run.anchorEpochMs - index * run.spec.intervalS * 1000);
  if (!(late <= run.latenessMax)) run.latenessMax = late;
  const seen = run.reservoir.total - run.base;
  // (A first value makes an array of one: a push onto [] would reserve 17.)
  if (run.lateness.length === 0) run.lateness = [late];
  else if (run.lateness.length < LATENESS_KEPT) run.lateness.push(late);
  else {
    // Algorithm R: each value seen so far is kept with the same probability.
    const at = Math.floor(Math.random() * (seen + 1));
    if (at < LATENESS_KEPT) run.lateness[at] = late;
  }
}

// The run's samples as the record holds them: formatted timestamps, parsed fields; each
// distinct error once with its count; how many samples were due, missed, and how late.
// Every value a primitive (a copy of the object then shares nothing with it).
function isFlat(sample: TelemetrySample): boolean {
  for (const key in sample) {
    const value = sample[key];
    if (typeof value === 'object' && value !== null) return false;
  }
  return true;
}

function resultOf(run: RunState): TelemetryResult {
  const { samples, total } = run.reservoir.result();
  const timezone = run.spec.timezone;
  let errors: { message: string; count: number }[] | undefined;
  // The samples' JSON, built from the JSON the worker sent (no second stringify of each).
  let samplesJson: string | undefined = '[';
  const formatted = samples.map((raw, i): TelemetrySample => {
    if (samplesJson !== undefined && i > 0) samplesJson += ',';
    if (raw.formatted !== undefined && raw.formattedIn === timezone) {
      if (samplesJson !== undefined)
        samplesJson = raw.formattedJson === undefined ? undefined : samplesJson + raw.formattedJson;
      return { ...raw.formatted };
    }
    const timestamp = formatTimestamp(raw.epochMs, timezone);
    if (raw.json !== undefined) {
      const fields = JSON.parse(raw.json) as Record<string, unknown>;
      const sample: TelemetrySample = { timestamp, ...fields };
      const json = sampleJson(timestamp, raw.json, fields);
      if (samplesJson !== undefined)
        samplesJson = json === undefined ? undefined : samplesJson + json;
      if (raw.shared && isFlat(sample)) {
        raw.formatted = sample;
        raw.formattedIn = timezone;
        raw.formattedJson = json;
        return { ...sample };
      }
      return sample;
    }
    errors ??= [];
    const known = errors.find((e) => e.message === raw.error);
    if (known) known.count++;
    else errors.push({ message: raw.error!, count: 1 });
    if (samplesJson !== undefined) samplesJson += `{"timestamp":"${timestamp}","error":true}`;
    return { timestamp, error: true };
  });
  if (samplesJson !== undefined) samplesJson += ']';
  // Thinned away samples count too: their errors are in the total, not in the list.
  const due = Math.max(run.due, total);
  const missed = due - total;
  const result: TelemetryResult = {
    samples: formatted,
    total,
    due,
    missed,
    missedCause: missed > 0 ? missedCause(run, missed) : undefined,
    latenessP95Ms: run.lateness.length > 0 ? roundMs(percentile95(run.lateness)) : null,
    latenessMaxMs: run.lateness.length > 0 ? roundMs(run.latenessMax) : null,
    errors: errors ?? NO_ERRORS,
    sampler: run.sampler,
    samplesJson,
  };
  if (missed > 0) run.warnMissed(run);
  return result;
}

// The most header templates one worker is sent.
const MAX_TEMPLATES = 1024;

// Per journaling bench, the encoder of its calls' own fields for their journal headers.
const ownFieldsJson = new WeakMap<JournalBase, OwnFieldsJson>();

const NO_ERRORS: readonly { message: string; count: number }[] = Object.freeze([]);

// The JSON of the sample `{ timestamp, ...fields }` (fields parsed from `json`, the worker's
// JSON.stringify of them), as JSON.stringify would write it: `json` with the timestamp put
// first. Undefined where the object's keys would not be in that order: a `timestamp` field
// (it takes the timestamp's place) or integer-like keys (which JavaScript puts before every
// other; in canonical JSON they come first, so the first key tells).
function sampleJson(
  timestamp: string,
  json: string,
  fields: Record<string, unknown>,
): string | undefined {
  // A formatted timestamp holds digits, `-`, `:`, `.`, `T` and `+` only: nothing to escape.
  const stamp = `{"timestamp":"${timestamp}"`;
  if (json === '{}') return `${stamp}}`;
  const first = json.charCodeAt(2);
  if (json.charCodeAt(1) !== 0x22 || (first >= 0x30 && first <= 0x39)) return undefined;
  if (Object.hasOwn(fields, 'timestamp')) return undefined;
  return `${stamp},${json.slice(1)}`;
}

// The cause behind most of a run's missed samples. Slots the worker skipped carry the cause it
// saw; the rest it never reached (it was behind, or its telemetry function hung).
function missedCause(run: RunState, missed: number): MissedCause {
  if (run.unsampled) return run.unsampledBehind ? 'sampler behind' : 'too many concurrent calls';
  const rest = Math.max(0, missed - run.skippedBehind - run.skippedOverloaded);
  const restCause: MissedCause = run.hung ? 'telemetry function hung' : 'sampler behind';
  const behind = run.skippedBehind + (restCause === 'sampler behind' ? rest : 0);
  const hung = restCause === 'telemetry function hung' ? rest : 0;
  if (run.skippedOverloaded >= behind && run.skippedOverloaded >= hung) return 'machine overloaded';
  return hung > behind ? 'telemetry function hung' : 'sampler behind';
}

// What to do about missed samples, by cause.
const MISSED_CURES: Record<MissedCause, string> = {
  'sampler behind':
    'the sampler thread was busy and could not keep up (a slow telemetry function, or many overlapping calls each sampled at this interval); lengthen telemetryInterval, make the telemetry function cheaper, or overlap fewer calls',
  'machine overloaded':
    'the sampler thread woke late because no CPU was free; run fewer processes beside the benchmark, let the sampler raise its priority (run as root, grant CAP_SYS_NICE, or allow a nice value with `ulimit -e` / limits.conf), or, for allocation-heavy code on a small machine, try `node --single-threaded-gc`',
  'telemetry function hung':
    'the telemetry function ran past telemetryTimeout and the sampler worker was replaced; make the telemetry function return promptly',
  'too many concurrent calls': `a call found no free sampler slot (more than ${SESSION_SLOTS} calls with telemetry ran at once, or the sampler was still sampling the slot's previous call) and was not sampled; await some calls before starting more, or lengthen telemetryInterval`,
};

// The once-per-bench warning about missed samples.
function warnMissedSamples(run: RunState): void {
  const due = Math.max(run.due, run.reservoir.total);
  const missed = due - run.reservoir.total;
  const cause = missedCause(run, missed);
  process.emitWarning(
    `microbench telemetry: a record holds ${run.reservoir.total} of the ${due} samples due while its call ran (telemetry_samples_missed: ${missed}; cause: ${cause}): ${MISSED_CURES[cause]}. Further records of this bench say so in telemetry_samples_missed without another warning`,
    { type: 'MicrobenchTelemetryWarning', code: 'MB_TELEMETRY_MISSED' },
  );
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

/**
 * Start the sampler worker with the parent's Node flags (loaders such as `--import tsx` and
 * `--conditions` matter to a `telemetryModule`). Workers refuse V8 and process-wide flags
 * (`--max-old-space-size`, `--expose-gc`, `--stack-size`, `--title`, ...), and `new Worker` throws
 * on them; those flags already apply to the whole process, so the worker is started again
 * without the ones Node named, and, should that fail too, without any.
 */
function startWorker(entry: string | URL, options: WorkerOptions): Worker {
  let execArgv = acceptedExecArgv ?? workerExecArgv(process.execArgv);
  for (;;) {
    try {
      const worker = new Worker(entry, { ...options, execArgv });
      acceptedExecArgv = execArgv; // a replacement worker starts with these at once
      return worker;
    } catch (error) {
      const refused = (error as NodeJS.ErrnoException).code === 'ERR_WORKER_INVALID_EXEC_ARGV';
      if (!refused || execArgv.length === 0) throw error;
      const kept = withoutRefused(execArgv, refusedExecArgv((error as Error).message));
      execArgv = kept.length < execArgv.length ? kept : [];
    }
  }
}

// The flags the last worker started with.
let acceptedExecArgv: string[] | undefined;

/**
 * The flags named by Node's ERR_WORKER_INVALID_EXEC_ARGV message (`...flags: --a=1, --b`).
 */
export function refusedExecArgv(message: string): Set<string> {
  const at = message.indexOf(': ');
  return new Set(at < 0 ? [] : message.slice(at + 2).split(', '));
}

// `execArgv` without the refused flags and their separate values (`--title NAME`: a value left
// behind would end the worker's option parsing, and every flag after it would be lost).
function withoutRefused(execArgv: readonly string[], refused: ReadonlySet<string>): string[] {
  const kept: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const flag = execArgv[i]!;
    if (!refused.has(flag)) {
      kept.push(flag);
      continue;
    }
    const next = execArgv[i + 1];
    if (!flag.includes('=') && next !== undefined && !next.startsWith('-')) i++;
  }
  return kept;
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

// A run's journal file (the worker creates it, if the call runs long enough).
function journalPathOf(run: RunState): string {
  const base = run.journalBase!;
  return base.prefix + sessionJournalFileName(run.sid, run.anchorEpochMs, base.token);
}

// Warnings about the record's values come when it is written to the outputs, not twice.
const ignoreWarning = (): void => undefined;

// A record (or anything in it) in the JSON-safe form that structured clone accepts.
function toJsonSafe(value: unknown): unknown {
  return toJsonValue(value, 'record', { warn: () => undefined });
}

function warnJournalError(error: string): void {
  warnOnce(
    `microbench telemetry journal could not be written (${error}); the run is not crash-safe`,
  );
}

function warnOnce(message: string): void {
  if (warnedErrors.has(message)) return;
  if (warnedErrors.size > 100) warnedErrors = new Set();
  warnedErrors.add(message);
  process.emitWarning(message, { type: 'MicrobenchTelemetryWarning', code: 'MB_TELEMETRY_SAMPLE' });
}
