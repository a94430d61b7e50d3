/**
 * The sampler worker: one per process, shared by every bench and every call.
 *
 *   main thread                          this worker
 *   ───────────                          ───────────
 *   define {defId, source|module} ──►    compile / import the telemetry function
 *   start {sid, interval, journal?} ──►  sample now, then at anchor + k·interval
 *                                        (absolute targets: no drift), each sample:
 *                                          fn(ProcessInfo) → JSON-safe → journal line
 *                                          → reply port ──► main (and bump reply counter)
 *   stop {sid, record?} ─────────────►   unschedule, journal the finished record ──► 'stopped'
 *   discard {sid, path} ─────────────►   (main delivered the record) delete the journal
 *
 * Main may be blocked in synchronous code: the schedule here keeps running, samples queue on the reply
 * port, and a synchronous stop (`receiveMessageOnPort` + `Atomics.wait` on the reply counter)
 * can drain them without the main event loop.
 */
import { closeSync, constants, mkdirSync, openSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';
import { removeJournalFile } from '../journal/journal.js';
import { toJsonValue } from '../json/encode.js';
import { compileTelemetrySource, explainTelemetryError } from './_compile.js';
import { ProcessInfo } from './process-info.js';
import {
  DOORBELL,
  type FromWorker,
  READY,
  REPLY_COUNTER,
  STOP_BASE,
  STOP_SLOTS,
  type ToWorker,
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
  readonly def: Definition;
  readonly intervalMs: number;
  readonly anchor: number;
  readonly process: ProcessInfo;
  next: number;
  /** When the next sample is due (epoch ms); undefined while none is scheduled. */
  due?: number | undefined;
  journalFd: number | undefined;
  journalPath: string | undefined;
  stopped: boolean;
}

const { replyPort, shared } = workerData as WorkerData;
const flags = new Int32Array(shared);
const definitions = new Map<number, Definition>();
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

function isStopped(sid: number): boolean {
  return Atomics.load(flags, STOP_BASE + (sid % STOP_SLOTS)) === sid;
}

function takeSample(session: Session): void {
  const epochMs = performance.timeOrigin + performance.now();
  const { def } = session;
  let message: FromWorker;
  if (!def.fn) {
    message = {
      type: 'sample-error',
      sid: session.sid,
      epochMs,
      error: def.error ?? 'telemetry function is not loaded yet',
    };
  } else {
    try {
      const value = def.fn(session.process);
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        throw new TypeError(
          `telemetry function must return an object of sample fields, got ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value}`,
        );
      }
      const json = JSON.stringify(
        toJsonValue(value, 'telemetry sample', { warn: () => undefined }),
      );
      message = { type: 'sample', sid: session.sid, epochMs, json };
    } catch (error) {
      message = {
        type: 'sample-error',
        sid: session.sid,
        epochMs,
        error: explainTelemetryError(error, def.fromModule),
      };
    }
  }
  if (session.journalFd !== undefined) journal(session, message);
  reply(message);
}

function journal(session: Session, message: FromWorker): void {
  if (message.type !== 'sample' && message.type !== 'sample-error') return;
  const line =
    message.type === 'sample'
      ? `{"type":"sample","epoch_ms":${message.epochMs},"sample":${message.json}}\n`
      : `${JSON.stringify({ type: 'sample', epoch_ms: message.epochMs, sample: { error: message.error } })}\n`;
  try {
    writeSync(session.journalFd!, line);
  } catch (error) {
    reply({ type: 'journal-error', sid: session.sid, error: (error as Error).message });
    closeJournal(session, false);
  }
}

function openJournal(session: Session, path: string, header: Record<string, unknown>): void {
  try {
    const fd = openCreating(path);
    session.journalFd = fd;
    session.journalPath = path;
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
          ...header,
        },
        'journal header',
        { warn: () => undefined },
      ),
    );
    writeSync(fd, `${line}\n`);
  } catch (error) {
    reply({ type: 'journal-error', sid: session.sid, error: (error as Error).message });
    closeJournal(session, true);
  }
}

// Open (creating folders); another process may remove an emptied folder in between: retry.
function openCreating(path: string): number {
  for (let attempt = 0; ; attempt++) {
    mkdirSync(dirname(path), { recursive: true });
    try {
      return openSync(path, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT, 0o644);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || attempt >= 3) throw error;
    }
  }
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
  if (remove && session.journalPath !== undefined) {
    removeJournalFile(session.journalPath);
    session.journalPath = undefined;
  }
}

// Schedule sample k at anchor + k·interval; a late wake-up skips missed slots rather than bunching.
function schedule(session: Session): void {
  if (session.stopped) return;
  const now = performance.timeOrigin + performance.now();
  let target = session.anchor + session.next * session.intervalMs;
  if (target < now - session.intervalMs / 2) {
    session.next = Math.ceil((now - session.anchor) / session.intervalMs);
    target = session.anchor + session.next * session.intervalMs;
  }
  session.due = target;
  wakeScheduler();
}

// The scheduler sleeps in Atomics.wait until the earliest due sample: one thread wake-up per
// sample, with sub-millisecond precision (libuv timers have millisecond granularity, fire late,
// and cost a second wake-up). Main rings the doorbell with every message: the wait ends, the
// event loop delivers the message, and the scheduler resumes. It also yields to the event loop
// after every round of samples, so module imports and other callbacks keep running.
let schedulerPending = false;
// Messages received from main (wrapping like the Int32 doorbell).
let received = 0;

function wakeScheduler(): void {
  if (schedulerPending) return;
  schedulerPending = true;
  setImmediate(runScheduler);
}

function runScheduler(): void {
  schedulerPending = false;
  let next: Session | undefined;
  for (const session of sessions.values()) {
    if (session.stopped || session.due === undefined) continue;
    if (next === undefined || session.due < next.due!) next = session;
  }
  if (!next) return;
  // Main bumps the doorbell once per message, after posting it: a count ahead of ours means a
  // message is queued but not yet delivered, and sleeping now would hold it up.
  const bell = Atomics.load(flags, DOORBELL);
  if (bell !== received) {
    wakeScheduler();
    return;
  }
  const left = next.due! - (performance.timeOrigin + performance.now());
  if (left > 0.02 && Atomics.wait(flags, DOORBELL, bell, left) !== 'timed-out') {
    wakeScheduler(); // a message is waiting: let the event loop deliver it first
    return;
  }
  const now = performance.timeOrigin + performance.now();
  for (const session of [...sessions.values()]) {
    if (session.stopped || session.due === undefined || session.due > now + 0.02) continue;
    session.due = undefined;
    session.next++;
    takeSample(session);
    schedule(session);
  }
}

async function start(message: Extract<ToWorker, { type: 'start' }>): Promise<void> {
  const def = definitions.get(message.defId);
  if (!def) return;
  const session: Session = {
    sid: message.sid,
    def,
    intervalMs: message.intervalMs,
    anchor: message.anchorEpochMs,
    process: takeProcessInfo(),
    next: 1,
    stopped: false,
    journalFd: undefined,
    journalPath: undefined,
  };
  sessions.set(session.sid, session);
  if (!def.fn && !def.error) await def.ready;
  if (session.stopped) return;
  // A call that already ended before we got here needs no journal: main has its samples.
  if (message.journal && !isStopped(session.sid))
    openJournal(session, message.journal.path, message.journal.header);
  if (message.initialSample) {
    takeSample(session);
  } else {
    const now = performance.timeOrigin + performance.now();
    session.next = Math.max(1, Math.ceil((now - session.anchor) / session.intervalMs));
  }
  schedule(session);
}

// Stop sampling. The journal is kept, ended by the finished record when main sent it, until
// main has delivered the record and sends 'discard' (a process killed in between loses nothing).
function stop(sid: number, record: unknown): void {
  const session = sessions.get(sid);
  if (session) {
    session.stopped = true;
    if (record !== undefined && session.journalFd !== undefined) {
      const end = toJsonValue({ type: 'end', record }, 'record', { warn: () => undefined });
      try {
        writeSync(session.journalFd, `${JSON.stringify(end)}\n`);
      } catch {
        // The samples are journaled; only the finished record's extras are missing.
      }
    }
    closeJournal(session, false);
    releaseProcessInfo(session.process);
    sessions.delete(sid);
  }
  reply({ type: 'stopped', sid });
}

// The record is delivered: delete the journal (and stop a session that was cancelled).
function discard(sid: number, path: string): void {
  if (sessions.has(sid)) stop(sid, undefined);
  removeJournalFile(path);
  reply({ type: 'discarded', sid });
}

Atomics.store(flags, READY, 1);
Atomics.notify(flags, READY);

// Messages are handled in order; a start waiting for a module import must not let its stop
// overtake it, so everything goes through one promise chain.
let queue: Promise<void> = Promise.resolve();
parentPort!.on('message', (message: ToWorker) => {
  received = (received + 1) | 0;
  queue = queue.then(() => {
    switch (message.type) {
      case 'define':
        define(message.defId, message);
        return;
      case 'start':
        return start(message);
      case 'stop':
        stop(message.sid, message.record);
        return;
      case 'discard':
        discard(message.sid, message.path);
        return;
    }
  });
});
