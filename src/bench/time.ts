import { AsyncLocalStorage } from 'node:async_hooks';
import type { SubTiming } from './record.js';

/** Where sub-timings of the active benchmarked call go. */
export interface TimingSink {
  readonly timings: SubTiming[];
  readonly counter: () => number;
}

/** The benchmarked call active in the current (async) context. */
export const activeCall = new AsyncLocalStorage<TimingSink>();

/** A running sub-timing; stop it (or let `using` dispose it) to append `{name, duration}`. */
export interface SubTimer {
  /** Stop the timer and record its duration (once; later calls do nothing). Returns seconds. */
  stop(): number;
  [Symbol.dispose](): void;
}

const disposeSymbol: typeof Symbol.dispose = Symbol.dispose ?? Symbol.for('Symbol.dispose');

/**
 * Start a sub-timing attached to `sink` (the active call at creation time, like microbench).
 * With no active call the timer measures but records nowhere.
 */
export function startSubTimer(
  name: string,
  sink: TimingSink | undefined,
  counter: () => number,
): SubTimer {
  const clock = sink?.counter ?? counter;
  const start = clock();
  let done = false;
  let duration = 0;
  const stop = () => {
    if (!done) {
      done = true;
      duration = (clock() - start) / 1000;
      sink?.timings.push({ name, duration });
    }
    return duration;
  };
  return { stop, [disposeSymbol]: stop } as SubTimer;
}
