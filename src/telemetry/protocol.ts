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
  /** Written into the journal's header line (outfile, timezone, the partial record). */
  readonly header: Record<string, unknown>;
}

/** Main → worker. */
export type ToWorker =
  | { readonly type: 'define'; readonly defId: number; readonly telemetry: TelemetrySource }
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
    }
  | {
      readonly type: 'stop';
      readonly sid: number;
      /**
       * The finished record (without its samples), journaled as the session's last line: a
       * process that dies before delivering it leaves a complete record to recover.
       */
      readonly record?: unknown;
    }
  /** The record is delivered: stop the session if it still runs and delete its journal. */
  | { readonly type: 'discard'; readonly sid: number; readonly path: string };

/** Worker → main, on the reply port. */
export type FromWorker =
  | {
      readonly type: 'sample';
      readonly sid: number;
      readonly epochMs: number;
      readonly json: string;
    }
  | {
      readonly type: 'sample-error';
      readonly sid: number;
      readonly epochMs: number;
      readonly error: string;
    }
  | { readonly type: 'stopped'; readonly sid: number }
  | { readonly type: 'define-error'; readonly defId: number; readonly error: string }
  | { readonly type: 'journal-error'; readonly sid: number; readonly error: string }
  | { readonly type: 'discarded'; readonly sid: number };

/** Data handed to the worker at creation. */
export interface WorkerData {
  readonly replyPort: MessagePort;
  /**
   * Int32 slots: [REPLY_COUNTER] replies posted (for synchronous waits), [READY] 1 once the
   * worker listens, [DOORBELL] bumped by main with every message, [STOP_BASE + sid % STOP_SLOTS] = sid once that session stopped.
   */
  readonly shared: SharedArrayBuffer;
}

/** Number of stop-flag slots in the shared buffer. */
export const STOP_SLOTS = 4096;

/** Index of the reply counter in the shared Int32Array. */
export const REPLY_COUNTER = 0;

/** Index of the worker's "ready" flag in the shared Int32Array. */
export const READY = 1;

/**
 * Index of the doorbell in the shared Int32Array: main bumps it (and notifies) with every
 * message, so a worker waiting precisely for a sample's due time wakes to read the message.
 */
export const DOORBELL = 2;

/** Index of the first stop-flag slot in the shared Int32Array. */
export const STOP_BASE = 3;

/** Size of the shared buffer in bytes. */
export const SHARED_BYTES = 4 * (STOP_BASE + STOP_SLOTS);
