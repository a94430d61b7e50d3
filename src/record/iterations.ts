/**
 * Which timed iterations of a record succeeded, and what became of the others. Statistics
 * everywhere (summary, compare, report, the CLI's end-of-run line) use the durations of
 * successful iterations only and count the rest per iteration.
 *
 * Library records: `run_durations` holds every timed iteration, the one that threw included, so an
 * `exception` marks the last iteration failed; an `interrupted` mark (a signal ended the call, or
 * the record was recovered from a journal) marks the last one interrupted.
 *
 * CLI records: `returncode` holds one code per iteration that ran (0 = success). An iteration
 * with a duration but no code could not be started (the `exception` says why) and failed.
 * `timed_out` is a per-iteration list of booleans, or `true` when some iteration timed out: then
 * the iterations a signal ended (negative codes) timed out, or, where none did, the last failed one.
 * `interrupted` marks the last iteration interrupted unless it returned 0 (it finished first).
 *
 * Both record layouts are read: v1's flat fields and v2's `call.*` ones.
 */

import { type AnyRecord, flatten, rawDurations, rawReturnCodes } from './_layout-fields.js';

/** How a record's timed iterations ended. */
export interface IterationOutcomes {
  /** Durations in seconds of the iterations that succeeded, in order. */
  readonly successfulDurationsS: number[];
  /** Timed iterations started (durations recorded, or 1 for a call interrupted before any). */
  readonly started: number;
  /** Iterations that threw, returned a non-zero code or could not be started. */
  readonly failed: number;
  /** Iterations stopped by `--timeout`. */
  readonly timedOut: number;
  /** Iterations a signal (or a killed process) ended. */
  readonly interrupted: number;
  /** Return codes of the failed and timed-out CLI iterations, in order (none for library records). */
  readonly failedReturnCodes: number[];
}

/** How one iteration ended. */
type Outcome = 'ok' | 'failed' | 'timed-out' | 'interrupted';

/**
 * Split a record's timed iterations into successful ones (their durations) and counts of failed,
 * timed-out and interrupted ones. A duration that is not a finite number counts as failed.
 * Works on v1 and v2 records, library and CLI.
 */
export function splitIterations(record: AnyRecord): IterationOutcomes {
  const flat = flatten(record);
  const durations = rawDurations(flat);
  const codes = rawReturnCodes(flat);
  const outcomes: Outcome[] =
    codes === undefined
      ? libraryOutcomes(flat, durations.length)
      : cliOutcomes(flat, codes, durations.length);
  const successfulDurationsS: number[] = [];
  const failedReturnCodes: number[] = [];
  let failed = 0;
  let timedOut = 0;
  let interrupted = 0;
  for (let i = 0; i < outcomes.length; i++) {
    const duration = durations[i];
    let outcome = outcomes[i]!;
    if (outcome === 'ok' && (typeof duration !== 'number' || !Number.isFinite(duration))) {
      outcome = 'failed';
    }
    if (outcome === 'ok') successfulDurationsS.push(duration as number);
    else if (outcome === 'failed') failed += 1;
    else if (outcome === 'timed-out') timedOut += 1;
    else interrupted += 1;
    const code = codes?.[i];
    if ((outcome === 'failed' || outcome === 'timed-out') && typeof code === 'number') {
      failedReturnCodes.push(code);
    }
  }
  return {
    successfulDurationsS,
    started: outcomes.length,
    failed,
    timedOut,
    interrupted,
    failedReturnCodes,
  };
}

// A library record: every iteration succeeded except the last one when the call threw or was cut.
function libraryOutcomes(record: AnyRecord, count: number): Outcome[] {
  const interrupted = isMarked(record.interrupted);
  const threw = isMarked(record.exception);
  const last: Outcome = interrupted ? 'interrupted' : threw ? 'failed' : 'ok';
  // A call that ended before its first duration (killed, recovered from a journal) still started.
  if (count === 0) return last === 'ok' ? [] : [last];
  const outcomes: Outcome[] = new Array<Outcome>(count).fill('ok');
  outcomes[count - 1] = last;
  return outcomes;
}

// A CLI record: each iteration by its return code, its timeout and the interruption.
function cliOutcomes(record: AnyRecord, codes: readonly unknown[], count: number): Outcome[] {
  const n = Math.max(count, codes.length);
  const outcomes: Outcome[] = [];
  for (let i = 0; i < n; i++) outcomes.push(codes[i] === 0 ? 'ok' : 'failed');
  const timedOut = record.timed_out;
  if (Array.isArray(timedOut)) {
    for (let i = 0; i < n; i++) if (timedOut[i] === true) outcomes[i] = 'timed-out';
  } else if (timedOut === true) {
    const bySignal = codes.flatMap((c, i) => (typeof c === 'number' && c < 0 ? [i] : []));
    const lastFailed = outcomes.lastIndexOf('failed');
    for (const i of bySignal.length > 0 ? bySignal : lastFailed >= 0 ? [lastFailed] : []) {
      outcomes[i] = 'timed-out';
    }
  }
  if (isMarked(record.interrupted) && n > 0 && outcomes[n - 1] !== 'ok') {
    outcomes[n - 1] = 'interrupted';
  }
  return outcomes;
}

// A mark that is set: anything but undefined, null and false.
function isMarked(value: unknown): boolean {
  return value !== undefined && value !== null && value !== false;
}
