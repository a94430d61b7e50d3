/**
 * Messages between the main-thread sampler handle and the sampler worker. Both sides import
 * this file; it holds types and constants only, so the worker loads nothing it does not need.
 */
import type { MessagePort } from 'node:worker_threads';

/** How the worker gets the user's telemetry function. */
export type TelemetrySource =
  | { readonly kind: 'source'; readonly source: string; readonly name: string }
  | { readonly kind: 'module'; readonly url: string };

/**
 * What every journal of one bench shares, sent to the worker once (a 'base' message). A
 * session's journal is `prefix + sessionJournalFileName(sid, anchor, token)`; its header holds these fields,
 * the session's anchor and `record`: this base record, then the call's own fields (sent in the
 * slot's header bytes, or in a 'header' message), which take precedence.
 */
export interface JournalBase {
  readonly baseId: number;
  /** The journal folder with its trailing separator. */
  readonly prefix: string;
  /** The random part of this bench's journal names (journal.ts, sessionJournalFileName). */
  readonly token: string;
  readonly outfile: string | undefined;
  readonly timezone: string;
  readonly maxSamples: number | null;
  readonly recordFormat: 'v1' | 'v2';
  /** The bench's constant record fields. */
  readonly record: unknown;
}

/**
 * How hard the sampler thread asks the OS to run it on time: `raised` (the best nice value the
 * process may set, −20 as root), `realtime` (SCHED_FIFO where permitted, else as `raised`),
 * `normal` (left as the OS made it).
 */
export type SamplerPriority = 'raised' | 'realtime' | 'normal';

/** Main → worker. */
export type ToWorker =
  | { readonly type: 'define'; readonly defId: number; readonly telemetry: TelemetrySource }
  /** A journaling bench: its journal folder and header fields, which its sessions extend. */
  | ({ readonly type: 'base' } & JournalBase)
  /** Apply this priority to the sampler thread (a later bench asked for another). */
  | { readonly type: 'priority'; readonly priority: SamplerPriority }
  /**
   * Wake a worker that went idle (it published WORKER_IDLE): the starts are in the start ring.
   */
  | { readonly type: 'wake' }
  /**
   * The call's own record fields for its journal header, when they did not fit the slot's
   * header bytes (HEADER_LEN −1): posted before the session's start.
   */
  | { readonly type: 'header'; readonly sid: number; readonly record: unknown }
  /**
   * A header template (HEADER_LEN −2 − id): the JSON of a call's own record fields before and
   * after the value of `start_time`, which is the session's anchor formatted in the bench's
   * timezone. Posted once, before the first start that uses it.
   */
  | {
      readonly type: 'template';
      readonly id: number;
      readonly before: string;
      readonly after: string;
    }
  /**
   * Sent only for journaled sessions (main stops the others through the shared state word
   * alone). With `record`, the record is not delivered yet: journal it as the session's last
   * line and keep the file until 'discard'. Without, the record is delivered: delete the file.
   */
  | {
      readonly type: 'stop';
      readonly sid: number;
      readonly record?: unknown;
      /** Reply 'discarded' once the journal is deleted (main tracks the file until then). */
      readonly confirm?: boolean;
    }
  /** The record of a session stopped with `record` is delivered: delete its journal. */
  | { readonly type: 'discard'; readonly sid: number; readonly path: string };

/** Why the worker skipped sample slots: busy with other work, or not given a CPU in time. */
export type MissCause = 'behind' | 'overloaded';

/** Fields every sample message carries. */
interface SampleFields {
  readonly sid: number;
  /** Further sessions this same sample is the initial sample of (calls started together). */
  readonly sids?: readonly number[];
  readonly epochMs: number;
  /** Index k of the slot this sample fills (due at anchor + k·interval). */
  readonly index: number;
  /** Slots skipped right after this one (the sample ended too late for them), and why. */
  readonly skipped?: number;
  readonly cause?: MissCause;
}

/** Worker → main, on the reply port. */
export type FromWorker =
  | (SampleFields & { readonly type: 'sample'; readonly json: string })
  | (SampleFields & { readonly type: 'sample-error'; readonly error: string })
  | { readonly type: 'define-error'; readonly defId: number; readonly error: string }
  | { readonly type: 'journal-error'; readonly sid: number; readonly error: string }
  | { readonly type: 'discarded'; readonly sid: number };

/** Data handed to the worker at creation. */
export interface WorkerData {
  readonly replyPort: MessagePort;
  /** The shared Int32 slots described below. */
  readonly shared: SharedArrayBuffer;
  /** Epoch ms that BUSY_UNTIL counts from. */
  readonly epochBase: number;
  /** The priority to give the sampler thread as it starts. */
  readonly priority: SamplerPriority;
}

/*
 * The shared buffer replaces a start message and a stop handshake. Each session owns a slot
 * (sid % SESSION_SLOTS) with these words:
 *
 *   OWNER_BASE + slot      the sid that owns the slot (a stale session on the worker sees another
 *                          sid there and retires)
 *   STATE_BASE + slot      (samples posted << 2) | sampling << 1 | stopped
 *   NEXT_SLOT_BASE + slot  index k of the sample the worker takes next (due at anchor + k·interval)
 *   LAST_DUE_BASE + slot   written by main when it stops the session: the index of the last
 *                          sample due by the call's end
 *   DEF_BASE + slot        the telemetry definition's id
 *   JOURNAL_BASE + slot    the journaling bench's id (a 'base' message), 0 without journal
 *   HEADER_LEN_BASE + slot bytes of the call's own record fields (JSON) at HEADER_OFFSET +
 *                          slot·HEADER_BYTES; −1: they come in a 'header' message; −2 − t:
 *                          header template t ('template' message) with start_time formatted
 *                          from the anchor
 *   START_FLAGS_BASE + slot START_INITIAL: take a sample at once (not for a session moved to a
 *                          replacement worker)
 *   F64 words (Float64Array at F64_OFFSET): ANCHOR_F64 + slot, INTERVAL_F64 + slot, TIMEOUT_F64 +
 *                          slot: the schedule's anchor (epoch ms), the interval and telemetryTimeout
 *                          (ms)
 *
 * Starting a session: main claims the slot (CLAIMED_BIT), writes those words, appends the sid
 * to the start ring (START_RING_BASE, SESSION_SLOTS entries; START_HEAD counts appended sids,
 * START_TAIL the ones the worker has read) and, when the worker has armed the start bell
 * (START_ARMED), bumps the doorbell and notifies it; a worker idle in its event loop
 * (WORKER_IDLE) gets a 'wake' message instead. No message per call: the worker
 * reads every start in the ring at once, and the sessions already stopped by then (calls
 * shorter than its reaction time) share one initial sample, posted once with all their sids.
 *
 * To take a sample, the worker sets the sampling bit (an atomic OR, which also tells it whether
 * the session is stopped), calls the telemetry function, posts the sample, publishes the index
 * of its next one, and adds one posted sample while clearing the sampling bit (one atomic add).
 * Main stops a session by writing LAST_DUE, then one atomic OR of the stopped bit, which returns
 * how many samples were posted before the stop; those messages are already queued on the reply
 * port, so main collects them with receiveMessageOnPort, without waiting. It waits for exactly
 * one more sample when
 *   - the sampling bit was set: the sample being taken (the worker sees the stopped bit in its
 *     add, and takes no other), or
 *   - NEXT_SLOT ≤ LAST_DUE: a sample was due before the call ended but the worker has not started
 *     it (the initial sample of a very short call, or a periodic one the worker is waking up for);
 *     the worker, once it sees the stopped bit, makes the same comparison on the same words and
 *     takes that one sample.
 * Any other sample posted after the stop is dropped.
 */

/** Number of session slots (concurrent telemetry sessions per process). */
export const SESSION_SLOTS = 4096;

/** The largest session id: a sid is written into the shared Int32Array's words. */
export const MAX_SID = 0x7fffffff;

/**
 * The session id after `sid`. Sids count up from 1 and wrap past MAX_SID back to 1: past 2³¹
 * calls (hours of a tight loop) the words would hold negative numbers, and the two threads would
 * find a call's session in different slots.
 */
export function sidAfter(sid: number): number {
  return sid >= MAX_SID ? 1 : sid + 1;
}

/** Index of the reply counter in the shared Int32Array (bumped with every reply). */
export const REPLY_COUNTER = 0;

/** Index of the worker's "ready" flag in the shared Int32Array. */
export const READY = 1;

/**
 * Index of the doorbell in the shared Int32Array: main bumps it (and notifies) with every
 * message, and with a start that finds START_ARMED raised, so a worker waiting precisely for a
 * sample's due time wakes to read them.
 */
export const DOORBELL = 2;

/**
 * Index of the hang watchdog: while the telemetry function runs, the ms (since the worker's
 * `epochBase`) after which that call counts as hung; 0 between samples. Main reads it at stops
 * and starts, so a hanging function is noticed without any message.
 */
export const BUSY_UNTIL = 3;

/** Index of the session whose sample the telemetry function is taking (with BUSY_UNTIL). */
export const BUSY_SID = 4;

/**
 * Where the worker publishes, before READY (and again after a 'priority' message), the
 * scheduling its thread got: its kernel thread id, its nice value + PRIORITY_NICE_OFFSET,
 * its policy (SCHED_OTHER = 0, SCHED_FIFO = 1, ...; -1 unknown) and a PRIORITY_* outcome.
 */
export const SAMPLER_TID = 5;
/** See {@link SAMPLER_TID}. */
export const SAMPLER_NICE = 6;
/** See {@link SAMPLER_TID}. */
export const SAMPLER_POLICY = 7;
/** See {@link SAMPLER_TID}. */
export const SAMPLER_PRIORITY = 8;

/** Added to the nice value in SAMPLER_NICE (so 0 means "not published yet"). */
export const PRIORITY_NICE_OFFSET = 100;

/** Outcomes in SAMPLER_PRIORITY, by index. */
export const PRIORITY_OUTCOMES = [
  'unknown',
  'normal',
  'raised',
  'realtime',
  'not requested',
] as const;

/** One of {@link PRIORITY_OUTCOMES}. */
export type PriorityOutcome = (typeof PRIORITY_OUTCOMES)[number];

/** Count of sids main has appended to the start ring (wraps like any Int32). */
export const START_HEAD = 9;

/** Count of sids the worker has read from the start ring. */
export const START_TAIL = 10;

/**
 * 1 while the worker waits in its event loop with nothing scheduled (no Atomics.wait to
 * notify): the first start after that swaps it to 0 and posts a 'wake' message.
 */
export const WORKER_IDLE = 11;

/**
 * Count of messages main has posted (wraps like any Int32), bumped after each: a count ahead of
 * the worker's own means a message is queued and not yet delivered.
 */
export const MESSAGES = 12;

/**
 * 1 while the worker waits at the doorbell and wants to be woken by the next start: that start
 * swaps it to 0 and rings. The worker leaves it down for START_COALESCE_MS after reading a
 * start (a loop of short calls), and reads the starts that came meanwhile when its wait ends:
 * one wake-up per START_COALESCE_MS instead of one per call.
 */
export const START_ARMED = 13;

/**
 * How long after reading starts the worker reads the next ones without being rung for them (ms):
 * the most a call's initial sample can be late in a loop of calls started this close together.
 */
export const START_COALESCE_MS = 0.25;

/** Index of the first owner word (see above). */
export const OWNER_BASE = 14;

/** Index of the first state word (see above). */
export const STATE_BASE = OWNER_BASE + SESSION_SLOTS;

/** Index of the first next-sample word (see above). */
export const NEXT_SLOT_BASE = STATE_BASE + SESSION_SLOTS;

/** Index of the first last-due word (see above). */
export const LAST_DUE_BASE = NEXT_SLOT_BASE + SESSION_SLOTS;

/** Index of the first definition word (see above). */
export const DEF_BASE = LAST_DUE_BASE + SESSION_SLOTS;

/** Index of the first journaling-bench word (see above). */
export const JOURNAL_BASE = DEF_BASE + SESSION_SLOTS;

/** Index of the first header-length word (see above). */
export const HEADER_LEN_BASE = JOURNAL_BASE + SESSION_SLOTS;

/** Index of the first start-flags word (see above). */
export const START_FLAGS_BASE = HEADER_LEN_BASE + SESSION_SLOTS;

/** Start flag: take the initial sample at once. */
export const START_INITIAL = 1;

/** Index of the start ring's first entry. */
export const START_RING_BASE = START_FLAGS_BASE + SESSION_SLOTS;

/** Byte offset of the Float64 words (anchor, interval, timeout per slot). */
export const F64_OFFSET = 8 * Math.ceil((4 * (START_RING_BASE + SESSION_SLOTS)) / 8);

/** Float64 index of the first anchor word. */
export const ANCHOR_F64 = 0;

/** Float64 index of the first interval word. */
export const INTERVAL_F64 = SESSION_SLOTS;

/** Float64 index of the first telemetryTimeout word. */
export const TIMEOUT_F64 = 2 * SESSION_SLOTS;

/** Bytes of header room per slot (the call's own record fields as JSON). */
export const HEADER_BYTES = 384;

/** HEADER_LEN of a start whose own fields are header template `id` (see above). */
export function templateHeaderLength(id: number): number {
  return -2 - id;
}

/** The header template id a HEADER_LEN names, or −1 when it names none. */
export function headerTemplateId(headerLength: number): number {
  return headerLength <= -2 ? -2 - headerLength : -1;
}

/** Byte offset of the first slot's header bytes. */
export const HEADER_OFFSET = F64_OFFSET + 8 * 3 * SESSION_SLOTS;

/** NEXT_SLOT of a session whose worker has not scheduled a sample yet (none is owed). */
export const NO_SLOT = 0x7fffffff;

/**
 * How long a journaled session runs before its journal file is written (at most one interval):
 * a shorter call, delivered at its end, never costs a file.
 */
export const JOURNAL_DELAY_MS = 50;

/** The stopped bit of a state word. */
export const STOPPED_BIT = 1;

/** The sampling bit of a state word (the worker is taking a sample for the session). */
export const SAMPLING_BIT = 2;

/** One posted sample in a state word. */
export const POSTED_STEP = 4;

/**
 * The claimed bit of a state word: main is handing the slot to a new session. Main claims a
 * slot with a compare-and-swap that fails while the sampling bit is set (the worker is taking
 * a sample of the slot's previous session), then writes the new owner and next slot, and clears
 * the state word last. The worker takes a sample only when the state word it sets its sampling
 * bit in holds neither the stopped nor the claimed bit and the owner is still its session, so it
 * never writes into a slot that has changed hands.
 */
export const CLAIMED_BIT = 1 << 30;

/** Size of the shared buffer in bytes. */
export const SHARED_BYTES = HEADER_OFFSET + HEADER_BYTES * SESSION_SLOTS;
