/**
 * Messages between the main-thread sampler handle and the sampler worker. Both sides import
 * this file; it holds types and constants only, so the worker loads nothing it does not need.
 */
import type { MessagePort } from 'node:worker_threads';

/** How the worker gets the user's telemetry function. */
export type TelemetrySource =
  | { readonly kind: 'source'; readonly source: string; readonly name: string }
  | { readonly kind: 'module'; readonly url: string };

/** Where and what to journal for one session. */
export interface JournalSpec {
  readonly path: string;
  /**
   * Written into the journal's header line (outfile, timezone, the partial record). With
   * `baseId`, `header.record` holds only the fields that differ from that base record (sent
   * once per bench in a 'base' message), and the worker merges the two when it writes the file.
   */
  readonly header: Record<string, unknown>;
  readonly baseId?: number;
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
  /** A bench's constant record fields, which its sessions' journal headers extend. */
  | { readonly type: 'base'; readonly baseId: number; readonly record: unknown }
  /** Apply this priority to the sampler thread (a later bench asked for another). */
  | { readonly type: 'priority'; readonly priority: SamplerPriority }
  | {
      readonly type: 'start';
      readonly sid: number;
      readonly defId: number;
      readonly intervalMs: number;
      /** Epoch ms the schedule counts from (sample k is due at anchor + k·interval). */
      readonly anchorEpochMs: number;
      /** Take a sample at once (false when a session is moved to a replacement worker). */
      readonly initialSample: boolean;
      /** Journal this session's samples to this file (crash safety). */
      readonly journal?: JournalSpec;
      /** telemetryTimeout in ms: a telemetry function call running longer counts as hung. */
      readonly timeoutMs: number;
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
 * The shared buffer replaces a stop handshake. Each session owns a slot (sid % SESSION_SLOTS)
 * with four words:
 *
 *   OWNER_BASE + slot      the sid that owns the slot (a stale session on the worker sees another
 *                          sid there and retires)
 *   STATE_BASE + slot      (samples posted << 2) | sampling << 1 | stopped
 *   NEXT_SLOT_BASE + slot  index k of the sample the worker takes next (due at anchor + k·interval)
 *   LAST_DUE_BASE + slot   written by main when it stops the session: the index of the last
 *                          sample due by the call's end
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

/** Index of the reply counter in the shared Int32Array (bumped with every reply). */
export const REPLY_COUNTER = 0;

/** Index of the worker's "ready" flag in the shared Int32Array. */
export const READY = 1;

/**
 * Index of the doorbell in the shared Int32Array: main bumps it (and notifies) with every
 * message, so a worker waiting precisely for a sample's due time wakes to read the message.
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

/** Index of the first owner word (see above). */
export const OWNER_BASE = 9;

/** Index of the first state word (see above). */
export const STATE_BASE = OWNER_BASE + SESSION_SLOTS;

/** Index of the first next-sample word (see above). */
export const NEXT_SLOT_BASE = STATE_BASE + SESSION_SLOTS;

/** Index of the first last-due word (see above). */
export const LAST_DUE_BASE = NEXT_SLOT_BASE + SESSION_SLOTS;

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
export const SHARED_BYTES = 4 * (LAST_DUE_BASE + SESSION_SLOTS);
