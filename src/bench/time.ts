import { AsyncLocalStorage } from 'node:async_hooks';
import type { SubTiming } from '../record/record.js';

/** Where sub-timings of the active benchmarked call go. */
export interface TimingSink {
  readonly timings: SubTiming[];
  readonly counter: () => number;
}

/**
 * The asynchronous benchmarked call of the current context. Only calls of functions known to be
 * asynchronous enter it: in Node 20 an active AsyncLocalStorage turns on promise hooks, which
 * would slow every promise of a program that only benchmarks synchronous code.
 */
const asyncCall = new AsyncLocalStorage<TimingSink>();

// The call whose synchronous code is running right now (cheaper than AsyncLocalStorage).
let syncCall: TimingSink | undefined;

/** The benchmarked call that `bench.time()` should attach to, if any. */
export function currentCall(): TimingSink | undefined {
  return syncCall ?? asyncCall.getStore();
}

/**
 * Run `body` as the code of `call`: `currentCall()` sees it during `body`'s synchronous part,
 * and, with `tracksAsync`, in everything `body` starts asynchronously.
 */
export function runInCall<T>(call: TimingSink, tracksAsync: boolean, body: () => T): T {
  const previous = syncCall;
  syncCall = call;
  try {
    return tracksAsync ? asyncCall.run(call, body) : body();
  } finally {
    syncCall = previous;
  }
}

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
