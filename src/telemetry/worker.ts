/**
 * The sampler worker: one per process, shared by every bench and every call.
 *
 *   main thread                          this worker
 *   ───────────                          ───────────
 *   define {defId, source|module} ──►    compile / import the telemetry function
 *   base {baseId, journal folder...} ─►  (journaling benches) the fields their journals share
 *   start: slot words + start ring  ──►  read every start in the ring at once; the sessions
 *          (no message; 'wake' only if       already stopped share one initial sample, the
 *          this worker is idle)              others sample now, then at anchor + k·interval
 *                                        (absolute targets: no drift), each sample:
 *                                          fn(ProcessInfo) → JSON-safe → reply port ──► main,
 *                                          then count it in the session's shared state word
 *   (stopped bit in the state word)      no sample after it; the session retires
 *   stop {sid, record?} ─────────────►   journaled sessions only: journal the undelivered
 *                                        record, or delete the journal of a delivered one
 *   discard {sid, path} ─────────────►   (main delivered the record) delete the journal
 *
 * A journaled session writes nothing until it has run for JOURNAL_DELAY_MS (or one interval,
 * if shorter): then its journal gets the header (the partial record), the initial sample and
 * every sample after. A call that ends sooner costs no file unless main stops it before its
 * initial sample arrived: then the finished record must outlive a kill until it is delivered.
 *
 * Main may be blocked in synchronous code: the schedule here keeps running, samples queue on
 * the reply port, and main collects them at the stop with `receiveMessageOnPort`.
 */
import { closeSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';
import {
  createJournalFile,
  removeJournalFile,
  sessionJournalFileName,
} from '../journal/journal.js';
import { toJsonValue } from '../json/encode.js';
import { formatTimestamp, resolveTimezone, type Timezone } from '../record/timestamp.js';
import { compileTelemetrySource, explainTelemetryError } from './_compile.js';
import { completeTemplate } from './_own-fields-json.js';
import {
  applySamplerPriority,
  createNiceSwitch,
  createThreadTimesReader,
  currentThreadId,
  type NiceSwitch,
  readThreadScheduling,
  type ThreadTimes,
} from './_priority.js';
import { ProcessInfo } from './process-info.js';
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
  headerTemplateId,
  INTERVAL_F64,
  JOURNAL_BASE,
  JOURNAL_DELAY_MS,
  type JournalBase,
  LAST_DUE_BASE,
  MESSAGES,
  type MissCause,
  NEXT_SLOT_BASE,
  NO_SLOT,
  OWNER_BASE,
  POSTED_STEP,
  PRIORITY_NICE_OFFSET,
  PRIORITY_OUTCOMES,
  READY,
  REPLY_COUNTER,
  SAMPLER_NICE,
  SAMPLER_POLICY,
  SAMPLER_PRIORITY,
  SAMPLER_TID,
  SAMPLING_BIT,
  type SamplerPriority,
  SESSION_SLOTS,
  START_ARMED,
  START_COALESCE_MS,
  START_FLAGS_BASE,
  START_HEAD,
  START_INITIAL,
  START_RING_BASE,
  START_TAIL,
  STATE_BASE,
  STOPPED_BIT,
  TIMEOUT_F64,
  type ToWorker,
  WORKER_IDLE,
  type WorkerData,
} from './protocol.js';

type TelemetryFn = (process: ProcessInfo) => unknown;

interface Definition {
  fn?: TelemetryFn;
  ready: Promise<TelemetryFn | undefined>;
  error?: string;
  fromModule: boolean;
}

interface Session {
  readonly sid: number;
  readonly slot: number;
  readonly def: Definition;
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly anchor: number;
  readonly process: ProcessInfo;
  /** Index of the next sample to take (published in NEXT_SLOT; see protocol.ts). */
  next: number;
  /** When the next sample is due (epoch ms); undefined while none is scheduled. */
  sampleDue: number | undefined;
  /** When the journal is to be opened (epoch ms); undefined once open, or without journal. */
  journalDue: number | undefined;
  /** When the scheduler next has to act for this session: the earlier of the two above. */
  due?: number | undefined;
  /** Its bench's journal fields, and the call's own record fields (JSON, or as posted). */
  readonly journal: { readonly base: JournalBase; readonly own: string | unknown } | undefined;
  /** Journal lines taken before the file exists (the initial sample). */
  pendingLines: string;
  journalFd: number | undefined;
  /** The journal file, once created (until deleted). */
  journalFile: string | undefined;
  retired: boolean;
  /** The stop is handled: the sample owed to it, if any, is taken. */
  settled: boolean;
}

const { replyPort, shared, epochBase, priority } = workerData as WorkerData;
const flags = new Int32Array(shared);
const f64 = new Float64Array(shared, F64_OFFSET, 3 * SESSION_SLOTS);
const headerBytes = Buffer.from(shared, HEADER_OFFSET, HEADER_BYTES * SESSION_SLOTS);
const definitions = new Map<number, Definition>();
// Journaling benches by id ('base' messages): their journals' shared fields.
const bases = new Map<number, JournalBase>();
// Calls' own record fields that did not fit their slot's header bytes ('header' messages).
const headerMessages = new Map<number, unknown>();
// Header templates by id ('template' messages), and the benches' timezones by name.
const templates = new Map<number, { readonly before: string; readonly after: string }>();
const timezones = new Map<string, Timezone>();
const sessions = new Map<number, Session>();

function reply(message: FromWorker): void {
  replyPort.postMessage(message);
  Atomics.add(flags, REPLY_COUNTER, 1);
  Atomics.notify(flags, REPLY_COUNTER);
}

function define(defId: number, message: Extract<ToWorker, { type: 'define' }>): void {
  const { telemetry } = message;
  const def: Definition = {
    fromModule: telemetry.kind === 'module',
    ready: Promise.resolve(undefined),
  };
  if (telemetry.kind === 'source') {
    try {
      def.fn = compileTelemetrySource(telemetry.source, telemetry.name) as TelemetryFn;
    } catch (error) {
      def.error = (error as Error).message;
    }
    def.ready = Promise.resolve(def.fn);
  } else {
    const url = /^[a-z][a-z0-9+.-]*:/i.test(telemetry.url)
      ? telemetry.url
      : pathToFileURL(telemetry.url).href;
    def.ready = import(url).then(
      (mod: { default?: unknown }) => {
        if (typeof mod.default !== 'function') {
          def.error = `telemetryModule ${telemetry.url} has no default export function (found ${typeof mod.default}); export the telemetry function as default`;
          return undefined;
        }
        def.fn = mod.default as TelemetryFn;
        return def.fn;
      },
      (error: unknown) => {
        def.error = `telemetryModule ${telemetry.url} could not be loaded: ${(error as Error).message}`;
        return undefined;
      },
    );
  }
  if (def.error) reply({ type: 'define-error', defId, error: def.error });
  definitions.set(defId, def);
}

// ProcessInfo objects keep /proc files open; reuse them across sessions instead of reopening
// them for every benchmarked call (each session still starts with cpuPercent() = 0.0).
const processInfoPool: ProcessInfo[] = [];

function takeProcessInfo(): ProcessInfo {
  const reused = processInfoPool.pop();
  if (!reused) return new ProcessInfo(process.pid);
  reused.resetCpuPercent();
  return reused;
}

function releaseProcessInfo(info: ProcessInfo): void {
  if (processInfoPool.length < 8) processInfoPool.push(info);
  else info.close();
}

// Main still wants samples for this session: it owns its slot and has not stopped it.
function isLive(session: Session): boolean {
  return (
    Atomics.load(flags, OWNER_BASE + session.slot) === session.sid &&
    (Atomics.load(flags, STATE_BASE + session.slot) & STOPPED_BIT) === 0
  );
}

// Take a periodic (or the initial) sample of a session main has not stopped: the sampling bit
// says so atomically, and tells main that this sample is on its way should it stop meanwhile.
function sampleIfLive(session: Session): void {
  const word = STATE_BASE + session.slot;
  if (Atomics.load(flags, OWNER_BASE + session.slot) !== session.sid) {
    ended(session);
    return;
  }
  // Stamped before the sampling bit is set: main, waiting for a first call's initial sample
  // to be stamped before its user code runs, sees the bit only once the stamp is taken.
  const epochMs = performance.timeOrigin + performance.now();
  // Owner checked again after the OR: main may have handed the slot to a new session between
  // the first check and the OR (it resets the state word, then writes the owner).
  // (A claimed word has the stopped bit too: main is handing the slot to a new session.)
  if (
    Atomics.or(flags, word, SAMPLING_BIT) & STOPPED_BIT ||
    Atomics.load(flags, OWNER_BASE + session.slot) !== session.sid
  ) {
    Atomics.and(flags, word, ~SAMPLING_BIT);
    ended(session);
    return;
  }
  Atomics.notify(flags, word);
  takeSample(session, true, epochMs);
}

// Call the telemetry function for session `sid` (with the hang watchdog armed): the sample's
// JSON, or the error that took its place.
function callTelemetry(
  def: Definition,
  info: ProcessInfo,
  sid: number,
  timeoutMs: number,
  epochMs: number,
): { readonly json: string; readonly error?: undefined } | { readonly error: string } {
  if (!def.fn) return { error: def.error ?? 'telemetry function is not loaded yet' };
  try {
    // The watchdog main reads: past this moment, this call counts as hung.
    Atomics.store(flags, BUSY_SID, sid);
    Atomics.store(
      flags,
      BUSY_UNTIL,
      Math.min(2 ** 31 - 1, Math.ceil(epochMs - epochBase + timeoutMs)),
    );
    let value: unknown;
    try {
      value = def.fn(info);
    } finally {
      Atomics.store(flags, BUSY_UNTIL, 0);
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw new TypeError(
        `telemetry function must return an object of sample fields, got ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value}`,
      );
    }
    return {
      json: JSON.stringify(toJsonValue(value, 'telemetry sample', { warn: () => undefined })),
    };
  } catch (error) {
    return { error: explainTelemetryError(error, def.fromModule) };
  }
}

// Take, post and count one sample. `sampling`: the sampling bit is set (cleared here).
function takeSample(
  session: Session,
  sampling: boolean,
  epochMs = performance.timeOrigin + performance.now(),
): void {
  const index = session.next;
  const taken = callTelemetry(
    session.def,
    session.process,
    session.sid,
    session.timeoutMs,
    epochMs,
  );
  let message: Extract<FromWorker, { type: 'sample' | 'sample-error' }> =
    taken.error === undefined
      ? { type: 'sample', sid: session.sid, epochMs, index, json: taken.json }
      : { type: 'sample-error', sid: session.sid, epochMs, index, error: taken.error };
  // The next sample's index: the following one, or, after a late wake-up, the first one not
  // yet missed by more than half an interval (missed slots are skipped rather than bunched).
  // The slots skipped travel with this sample, with their cause: this round began with a late
  // wake-up (the thread was not given a CPU in time), or the thread was busy sampling.
  const after = performance.timeOrigin + performance.now();
  let next = index + 1;
  if (session.anchor + next * session.intervalMs < after - session.intervalMs / 2)
    next = Math.ceil((after - session.anchor) / session.intervalMs);
  session.next = next;
  const times = threadTimes();
  if (next > index + 1) {
    message = { ...message, skipped: next - index - 1, cause: missCause(session, times, after) };
  }
  lastTimes = times;
  lastSampleAt = after;
  // Posted first, then the next index published, then counted: a sample main counts is
  // already on the reply port, and the index main reads with the count is the current one.
  replyPort.postMessage(message);
  Atomics.store(flags, NEXT_SLOT_BASE + session.slot, Math.min(next, NO_SLOT));
  const state = Atomics.add(
    flags,
    STATE_BASE + session.slot,
    sampling ? POSTED_STEP - SAMPLING_BIT : POSTED_STEP,
  );
  Atomics.add(flags, REPLY_COUNTER, 1);
  Atomics.notify(flags, REPLY_COUNTER);
  if (session.journal) journalSample(session, message);
  // Stopped while this sample was being taken: main waits for this one, and for no other.
  if (sampling && state & STOPPED_BIT) session.settled = true;
}

// Main has stopped the session between two samples: take the one sample it still waits for, if
// it waits for one (NEXT_SLOT ≤ LAST_DUE: a sample due before the call ended and not started).
function settle(session: Session): void {
  if (session.settled) return;
  session.settled = true;
  const { slot } = session;
  if (Atomics.load(flags, OWNER_BASE + slot) !== session.sid) return;
  // The sampling bit keeps main from handing the slot on while this sample is taken; a slot
  // main has begun to hand on (claimed) is not sampled.
  const word = STATE_BASE + slot;
  if (
    Atomics.or(flags, word, SAMPLING_BIT) & CLAIMED_BIT ||
    Atomics.load(flags, OWNER_BASE + slot) !== session.sid
  ) {
    Atomics.and(flags, word, ~SAMPLING_BIT);
    return;
  }
  const owed =
    Atomics.load(flags, NEXT_SLOT_BASE + slot) <= Atomics.load(flags, LAST_DUE_BASE + slot);
  if (owed) takeSample(session, true);
  else Atomics.and(flags, word, ~SAMPLING_BIT);
}

function journalLine(message: FromWorker): string {
  if (message.type === 'sample')
    return `{"type":"sample","epoch_ms":${message.epochMs},"sample":${message.json}}\n`;
  if (message.type === 'sample-error')
    return `${JSON.stringify({ type: 'sample', epoch_ms: message.epochMs, sample: { error: message.error } })}\n`;
  return '';
}

function journalSample(session: Session, message: FromWorker): void {
  const line = journalLine(message);
  if (session.journalFd === undefined) {
    // Not written yet (the call is young): keep the line for when the file is.
    if (session.journalFile === undefined) session.pendingLines += line;
    return;
  }
  try {
    writeSync(session.journalFd, line);
  } catch (error) {
    reply({ type: 'journal-error', sid: session.sid, error: (error as Error).message });
    closeJournal(session, false);
  }
}

// Create the session's journal: the header (with the partial record), then the lines so far.
function openJournal(session: Session): void {
  const { base, own } = session.journal!;
  session.journalDue = undefined;
  try {
    // The partial record: the bench's constant fields, then the call's own (in record order:
    // a field the call changed keeps its place).
    const ownRecord = typeof own === 'string' ? (JSON.parse(own) as object) : (own as object);
    const path = base.prefix + sessionJournalFileName(session.sid, session.anchor, base.token);
    const fd = openCreating(path);
    session.journalFd = fd;
    session.journalFile = path;
    let startTime: number | null = null;
    try {
      startTime = session.process.startTime();
    } catch {
      // Not on Linux: recovery then trusts the pid alone.
    }
    // The header goes through the JSON rules (BigInt, circular structures) like a record does;
    // the hostname lets `recover` tell a process on another host from a dead one.
    const line = JSON.stringify(
      toJsonValue(
        {
          type: 'header',
          format: 1,
          pid: process.pid,
          pid_start_time: startTime,
          hostname: hostname(),
          interval_ms: session.intervalMs,
          outfile: base.outfile,
          timezone: base.timezone,
          anchor_epoch_ms: session.anchor,
          max_samples: base.maxSamples,
          record_format: base.recordFormat,
          record: { ...(base.record as object), ...ownRecord },
        },
        'journal header',
        { warn: () => undefined },
      ),
    );
    writeSync(fd, `${line}\n${session.pendingLines}`);
    session.pendingLines = '';
  } catch (error) {
    reply({ type: 'journal-error', sid: session.sid, error: (error as Error).message });
    closeJournal(session, true);
  }
}

// Open a new journal file (checked folders, O_EXCL, 0600: src/journal/journal.ts).
function openCreating(path: string): number {
  return createJournalFile(dirname(path), basename(path)).fd;
}

// Close the journal; with `remove`, delete it. After a write error the file is closed but kept
// (still recoverable should the process die) until main discards it.
function closeJournal(session: Session, remove: boolean): void {
  if (session.journalFd !== undefined) {
    try {
      closeSync(session.journalFd);
    } catch {
      // Already closed.
    }
    session.journalFd = undefined;
  }
  if (remove && session.journalFile !== undefined) {
    removeJournalFile(session.journalFile);
    session.journalFile = undefined;
  }
}

// The session is over on this side: no more samples, its ProcessInfo back to the pool.
function retire(session: Session): void {
  if (session.retired) return;
  session.retired = true;
  session.due = undefined;
  releaseProcessInfo(session.process);
  sessions.delete(session.sid);
}

// Main has stopped (or moved) the session. Sessions without a journal file retire at once;
// the others stop sampling and wait for main's 'stop', which says what becomes of the file.
function ended(session: Session): void {
  settle(session);
  session.due = undefined;
  session.sampleDue = undefined;
  session.journalDue = undefined;
  if (session.journalFile === undefined) retire(session);
}

// Schedule sample k at anchor + k·interval (takeSample chose k).
function schedule(session: Session): void {
  const target = session.anchor + session.next * session.intervalMs;
  session.sampleDue = target;
  session.due = session.journalDue === undefined ? target : Math.min(target, session.journalDue);
  wakeScheduler();
}

// The scheduler sleeps in Atomics.wait until the earliest due sample: one thread wake-up per
// sample, with sub-millisecond precision (libuv timers have millisecond granularity, fire late,
// and cost a second wake-up). Main rings the doorbell with every message: the wait ends, the
// event loop delivers the message, and the scheduler resumes. Starts ring it only when the
// thread has armed it (waitAtDoorbell). It also yields to the event loop
// after every round of samples, so module imports and other callbacks keep running.
let schedulerPending = false;
// Messages received from main (wrapping like main's MESSAGES count).
let received = 0;
// When the latest start was read (performance.now()): for START_COALESCE_MS after it, the
// thread's waits leave the start bell unarmed and end in time to read the next starts.
let startsReadAt = Number.NEGATIVE_INFINITY;

// A message main has posted and the event loop has not delivered yet.
function messageQueued(): boolean {
  return Atomics.load(flags, MESSAGES) !== received;
}

// Wait at the doorbell (read as `bell` before the caller's checks) for up to `ms`; true when
// the whole wait passed with no ring. Shortly after reading starts, it waits unarmed and only
// until START_COALESCE_MS is over (false then: the caller loops and reads the ring); otherwise
// it arms the start bell, so the next start rings it, unless a start is in the ring already.
function waitAtDoorbell(bell: number, ms: number): boolean {
  const coalesceLeft = startsReadAt + START_COALESCE_MS - performance.now();
  if (coalesceLeft > 0) {
    if (coalesceLeft < ms) {
      Atomics.wait(flags, DOORBELL, bell, coalesceLeft);
      return false;
    }
    return Atomics.wait(flags, DOORBELL, bell, ms) === 'timed-out';
  }
  Atomics.store(flags, START_ARMED, 1);
  if (Atomics.load(flags, START_HEAD) !== Atomics.load(flags, START_TAIL)) {
    Atomics.store(flags, START_ARMED, 0);
    return false;
  }
  const outcome = Atomics.wait(flags, DOORBELL, bell, ms);
  Atomics.store(flags, START_ARMED, 0);
  return outcome === 'timed-out';
}
// How late this thread woke for the current round of samples (ms; 0 when it did not sleep).
let roundWakeDelayMs = 0;
// Why samples were skipped, from the thread's CPU and runqueue times since the previous sample.
const threadTimes = createThreadTimesReader();
let lastTimes = threadTimes();
let lastSampleAt = performance.timeOrigin + performance.now();

// Behind: the thread worked for half an interval or more since its previous sample (a slow
// telemetry function), or was never kept from a CPU (many sessions' samples). Overloaded: it
// did little, and spent half the time since waiting for a CPU. Without schedstat: how late the
// thread woke for this round.
function missCause(session: Session, times: ThreadTimes | undefined, now: number): MissCause {
  if (times === undefined || lastTimes === undefined)
    return roundWakeDelayMs > session.intervalMs / 2 ? 'overloaded' : 'behind';
  if (times.cpuMs - lastTimes.cpuMs >= session.intervalMs / 2) return 'behind';
  return times.waitMs - lastTimes.waitMs >= (now - lastSampleAt) / 2 ? 'overloaded' : 'behind';
}
// With a raised nice value: the thread keeps it only for the last raiseAheadMs before a due
// sample, and waits at its normal nice before that (see createNiceSwitch).
let niceSwitch: NiceSwitch | undefined;
// The first of the two waits timed out (the round's wake-up lateness counts from it).
let slept = false;
// How long before a due sample the thread raises itself: longer than its normal-priority
// wake-ups are late (a scheduler tick or two; more on a crowded machine, so it adapts: twice the
// latest such lateness, easing back by a tenth per round).
const RAISE_AHEAD_MIN_MS = 10;
let raiseAheadMs = RAISE_AHEAD_MIN_MS;
// The doorbell's count when the latest round of samples was taken. Unchanged at the next wait,
// no message came for a whole interval (one long call, the common case): the thread then waits
// raised in one go, one wake-up per sample instead of two. Should a message come after all, it
// finds the thread raised this once, and the rounds after it go back to the two waits.
let bellAtLastRound = -1;

// How long the scheduler waits at the doorbell, with nothing scheduled, before it goes idle.
const LINGER_MS = 20;

// Wait in the event loop: raise WORKER_IDLE, so the next start posts a 'wake'. A start
// appended before the flag was up only rang the doorbell: look at the ring once more.
function goIdle(): void {
  Atomics.store(flags, WORKER_IDLE, 1);
  if (
    Atomics.load(flags, START_HEAD) !== Atomics.load(flags, START_TAIL) &&
    Atomics.compareExchange(flags, WORKER_IDLE, 1, 0) === 1
  )
    wakeScheduler();
}

function wakeScheduler(): void {
  if (schedulerPending) return;
  schedulerPending = true;
  setImmediate(runScheduler);
}

function runScheduler(): void {
  schedulerPending = false;
  readStarts();
  let next: Session | undefined;
  for (const session of sessions.values()) {
    if (session.due === undefined) continue;
    if (!isLive(session)) {
      ended(session);
      continue;
    }
    if (next === undefined || session.due < next.due!) next = session;
  }
  if (!next) {
    niceSwitch?.lower();
    // Nothing scheduled. A loop of short calls is usually mid-way: wait a little at the
    // doorbell, where the next start wakes this thread without a message (a 'wake' message
    // costs the main thread far more than ringing the bell), unless a message is queued.
    const bell = Atomics.load(flags, DOORBELL);
    if (!messageQueued() && !waitAtDoorbell(bell, LINGER_MS)) {
      wakeScheduler();
      return;
    }
    // Idle: woken only by messages. The flag makes the next start post one ('wake').
    goIdle();
    return;
  }
  // A message queued but not yet delivered: sleeping now would hold it up.
  const bell = Atomics.load(flags, DOORBELL);
  if (messageQueued()) {
    wakeScheduler();
    return;
  }
  const left = next.due! - (performance.timeOrigin + performance.now());
  if (niceSwitch && left > raiseAheadMs && bell !== bellAtLastRound) {
    // Far from the due time: wait at the normal nice value, then look again.
    niceSwitch.lower();
    const wakeAt = next.due! - raiseAheadMs;
    slept = waitAtDoorbell(bell, left - raiseAheadMs);
    if (slept) {
      const lateMs = performance.timeOrigin + performance.now() - wakeAt;
      raiseAheadMs = Math.min(
        1000,
        Math.max(RAISE_AHEAD_MIN_MS, raiseAheadMs * 0.9, 2 * lateMs + 2),
      );
    }
    wakeScheduler();
    return;
  }
  niceSwitch?.raise();
  if (left > 0.02 && !waitAtDoorbell(bell, left)) {
    wakeScheduler(); // a message or a start is waiting: let the event loop deliver it first
    return;
  }
  const now = performance.timeOrigin + performance.now();
  roundWakeDelayMs = left > 0.02 || slept ? Math.max(0, now - next.due!) : 0;
  slept = false;
  bellAtLastRound = bell;
  for (const session of [...sessions.values()]) {
    if (session.due === undefined || session.due > now + 0.02) continue;
    if (!isLive(session)) {
      ended(session);
      continue;
    }
    if (session.journalDue !== undefined && session.journalDue <= now + 0.02) openJournal(session);
    if (session.sampleDue !== undefined && session.sampleDue <= now + 0.02) sampleIfLive(session);
    if (!session.settled) schedule(session);
  }
  // Look again for the next due session: when only ended sessions were due here, nothing above
  // has re-armed the scheduler, and the live ones would never be sampled again.
  wakeScheduler();
}

// Read every start main has appended to the start ring (protocol.ts). Sessions main has
// stopped already (calls shorter than this thread's reaction time) share one initial sample;
// the others begin as their own. A start whose definition, journaling bench or header message
// has not been delivered yet (main posted it just before) ends the reading: the message handler
// reads the ring again once it is.
function readStarts(): void {
  let tail = Atomics.load(flags, START_TAIL);
  const head = Atomics.load(flags, START_HEAD);
  if (tail === head) return;
  let together: (Together | undefined)[] | undefined;
  // Sessions main has stopped since (a long interval may not come round soon).
  for (const other of sessions.values()) {
    if (other.journalFile === undefined && !isLive(other)) ended(other);
  }
  while (tail !== head) {
    const sid = flags[START_RING_BASE + (tail & (SESSION_SLOTS - 1))]!;
    const slot = sid % SESSION_SLOTS;
    if (Atomics.load(flags, OWNER_BASE + slot) === sid) {
      const def = definitions.get(flags[DEF_BASE + slot]!);
      const baseId = flags[JOURNAL_BASE + slot]!;
      const base = baseId === 0 ? undefined : bases.get(baseId);
      const headerLen = flags[HEADER_LEN_BASE + slot]!;
      const templateId = headerTemplateId(headerLen);
      if (def === undefined || (baseId !== 0 && base === undefined)) break;
      if (base !== undefined && templateId >= 0 && !templates.has(templateId)) break;
      if (base !== undefined && headerLen === -1 && !headerMessages.has(sid)) break;
      const anchor = f64[ANCHOR_F64 + slot]!;
      const initial = (flags[START_FLAGS_BASE + slot]! & START_INITIAL) !== 0;
      const stopped = (Atomics.load(flags, STATE_BASE + slot) & STOPPED_BIT) !== 0;
      const ready = def.fn !== undefined || def.error !== undefined;
      // (A stopped call needs no journal from here: main journals its finished record.)
      if (stopped && initial && ready) {
        together ??= [];
        together.push({ sid, slot, def, timeoutMs: f64[TIMEOUT_F64 + slot]! });
      } else {
        let own: unknown;
        if (base !== undefined) {
          own =
            templateId >= 0
              ? fromTemplate(templates.get(templateId)!, anchor, base.timezone)
              : headerLen < 0
                ? headerMessages.get(sid)
                : headerBytes.toString(
                    'utf8',
                    slot * HEADER_BYTES,
                    slot * HEADER_BYTES + headerLen,
                  );
          headerMessages.delete(sid);
        }
        const intervalMs = f64[INTERVAL_F64 + slot]!;
        const session: Session = {
          sid,
          slot,
          def,
          intervalMs,
          timeoutMs: f64[TIMEOUT_F64 + slot]!,
          anchor,
          process: takeProcessInfo(),
          next: 0,
          sampleDue: undefined,
          journalDue: base ? anchor + Math.min(JOURNAL_DELAY_MS, intervalMs) : undefined,
          journal: base ? { base, own } : undefined,
          pendingLines: '',
          journalFd: undefined,
          journalFile: undefined,
          retired: false,
          settled: false,
        };
        sessions.set(sid, session);
        if (ready) activate(session, initial);
        else {
          // A telemetryModule still importing: the session begins once it is in, and the
          // messages after this start (its stop) wait for it.
          queue = queue.then(() => def.ready).then(() => activate(session, initial));
        }
      }
    } else {
      headerMessages.delete(sid);
    }
    tail = (tail + 1) | 0;
  }
  Atomics.store(flags, START_TAIL, tail);
  startsReadAt = performance.now();
  if (together) sampleTogether(together);
}

// A call's own fields from a header template: its start_time is its anchor, as main formatted it.
function fromTemplate(
  template: { readonly before: string; readonly after: string },
  anchor: number,
  timezone: string,
): string {
  let zone = timezones.get(timezone);
  if (zone === undefined) {
    zone = resolveTimezone(timezone);
    timezones.set(timezone, zone);
  }
  return completeTemplate(template, formatTimestamp(anchor, zone));
}

// A stopped session that owes only its initial sample, shared with the others read with it.
interface Together {
  readonly sid: number;
  readonly slot: number;
  readonly def: Definition;
  readonly timeoutMs: number;
}

// Take the initial sample of sessions main has stopped: one telemetry call per definition,
// posted once with every sid it belongs to, then counted in each state word. The sample is
// taken after each of these calls started (they were in the ring), as their own would be.
function sampleTogether(stopped: (Together | undefined)[]): void {
  for (let first = 0; first < stopped.length; first++) {
    const def = stopped[first]?.def;
    if (def === undefined) continue;
    const epochMs = performance.timeOrigin + performance.now();
    const members: Together[] = [];
    for (let i = first; i < stopped.length; i++) {
      const entry = stopped[i];
      if (entry === undefined || entry.def !== def) continue;
      stopped[i] = undefined;
      const word = STATE_BASE + entry.slot;
      // As settle(): a slot main has begun to hand on is not sampled, nor one that owes none.
      if (
        Atomics.or(flags, word, SAMPLING_BIT) & CLAIMED_BIT ||
        Atomics.load(flags, OWNER_BASE + entry.slot) !== entry.sid ||
        Atomics.load(flags, NEXT_SLOT_BASE + entry.slot) >
          Atomics.load(flags, LAST_DUE_BASE + entry.slot)
      ) {
        Atomics.and(flags, word, ~SAMPLING_BIT);
      } else members.push(entry);
    }
    if (members.length === 0) continue;
    const info = takeProcessInfo();
    const lead = members[0]!;
    const taken = callTelemetry(def, info, lead.sid, lead.timeoutMs, epochMs);
    releaseProcessInfo(info);
    const sids = members.length > 1 ? members.slice(1).map((m) => m.sid) : undefined;
    const fields = { sid: lead.sid, ...(sids ? { sids } : {}), epochMs, index: 0 };
    replyPort.postMessage(
      taken.error === undefined
        ? { type: 'sample', ...fields, json: taken.json }
        : { type: 'sample-error', ...fields, error: taken.error },
    );
    for (const member of members) {
      Atomics.store(flags, NEXT_SLOT_BASE + member.slot, 1);
      Atomics.add(flags, STATE_BASE + member.slot, POSTED_STEP - SAMPLING_BIT);
    }
    Atomics.add(flags, REPLY_COUNTER, 1);
    Atomics.notify(flags, REPLY_COUNTER);
  }
}

// Begin a session read from the ring: its initial sample now (or, moved from a hung worker,
// its next one on the schedule), then the schedule.
function activate(session: Session, initialSample: boolean): void {
  if (initialSample) {
    // If main has stopped the call already, ended() takes this sample: its record waits for it.
    sampleIfLive(session);
  } else {
    const now = performance.timeOrigin + performance.now();
    session.next = Math.max(1, Math.ceil((now - session.anchor) / session.intervalMs));
    Atomics.store(flags, NEXT_SLOT_BASE + session.slot, session.next);
  }
  if (isLive(session)) schedule(session);
  else ended(session);
}

// Main stopped a journaled session. With `record` (not yet delivered), the journal must hold
// the finished record until 'discard'; without, the record is delivered and the journal goes.
function stop(sid: number, record: unknown, confirm: boolean): void {
  const session = sessions.get(sid);
  if (session) {
    ended(session);
    if (record !== undefined) {
      if (session.journalFile === undefined) openJournal(session);
      if (session.journalFd !== undefined) {
        const end = toJsonValue({ type: 'end', record }, 'record', { warn: () => undefined });
        try {
          writeSync(session.journalFd, `${JSON.stringify(end)}\n`);
        } catch {
          // The samples are journaled; only the finished record's extras are missing.
        }
      }
      closeJournal(session, false);
    } else {
      closeJournal(session, true);
    }
    retire(session);
  }
  if (confirm) reply({ type: 'discarded', sid });
}

// The record is delivered: delete the journal.
function discard(sid: number, path: string): void {
  removeJournalFile(path);
  reply({ type: 'discarded', sid });
}

// The sampler thread's scheduling as it started (restored when a bench asks for `normal`).
const originalScheduling = readThreadScheduling(process.pid, currentThreadId());

// Apply a priority request and publish what the thread got (main reads it at each call start).
function setPriority(request: SamplerPriority): void {
  const got = applySamplerPriority(request, originalScheduling);
  niceSwitch =
    got.outcome === 'raised' && originalScheduling !== undefined
      ? createNiceSwitch(got.tid, got.nice, originalScheduling.nice)
      : undefined;
  Atomics.store(flags, SAMPLER_TID, got.tid);
  Atomics.store(flags, SAMPLER_NICE, got.nice + PRIORITY_NICE_OFFSET);
  Atomics.store(flags, SAMPLER_POLICY, got.policy);
  Atomics.store(flags, SAMPLER_PRIORITY, PRIORITY_OUTCOMES.indexOf(got.outcome));
}

setPriority(priority);
Atomics.store(flags, READY, 1);
Atomics.notify(flags, READY);

// Messages are handled in order; a start waiting for a module import must not let its stop
// overtake it, so everything goes through one promise chain. The start ring is read before
// each message (a 'stop' finds its session) and after it (a start waiting for this 'define',
// 'base' or 'header' goes ahead).
let queue: Promise<void> = Promise.resolve();
parentPort!.on('message', (message: ToWorker) => {
  received = (received + 1) | 0;
  queue = queue.then(() => {
    readStarts();
    handleMessage(message);
    readStarts();
  });
});

function handleMessage(message: ToWorker): void {
  switch (message.type) {
    case 'define':
      define(message.defId, message);
      return;
    case 'priority':
      setPriority(message.priority);
      return;
    case 'base':
      bases.set(message.baseId, message);
      return;
    case 'header':
      headerMessages.set(message.sid, message.record);
      return;
    case 'template':
      templates.set(message.id, message);
      return;
    case 'wake':
      wakeScheduler();
      return;
    case 'stop':
      stop(message.sid, message.record, message.confirm === true);
      return;
    case 'discard':
      discard(message.sid, message.path);
      return;
  }
}

// Idle until the first start (main may have appended some while this thread loaded).
goIdle();
