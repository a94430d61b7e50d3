// internal: SIGINT/SIGTERM during an asynchronous benchmarked call.
//
// Only while an async call is pending (the main thread then yields to the event loop, so a
// handler runs at once): finish the record synchronously with `interrupted: "<SIGNAL>"`, give
// asynchronous outputs up to 2 s, then re-raise the signal with the default action so the exit
// status is the usual one (130 for SIGINT, 143 for SIGTERM). Synchronous calls never get a
// handler: it could not run before the call returned and would only delay the signal.
import { isMainThread } from 'node:worker_threads';
import type { BenchCall } from './_call.js';

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;
const active = new Map<BenchCall, () => Promise<void>>();
let warnedOffMain = false;

/** Register `call` as interruptible; returns the function that unregisters it. */
export function installCallSignalHandlers(call: BenchCall, flush: () => Promise<void>): () => void {
  if (!isMainThread) {
    if (!warnedOffMain) {
      warnedOffMain = true;
      process.emitWarning(
        'microbench: signal handling is skipped for benchmarks started off the main thread (signals are delivered to the main thread only); telemetry still samples',
        { type: 'RuntimeWarning', code: 'MB_SIGNALS_OFF_MAIN_THREAD' },
      );
    }
    return () => undefined;
  }
  if (active.size === 0) for (const signal of SIGNALS) process.on(signal, onSignal);
  active.set(call, flush);
  return () => {
    active.delete(call);
    if (active.size === 0) for (const signal of SIGNALS) process.off(signal, onSignal);
  };
}

function onSignal(signal: NodeJS.Signals): void {
  const flushes = new Set<() => Promise<void>>();
  for (const [call, flush] of active) {
    call.end({ sync: true, interrupted: signal });
    flushes.add(flush);
  }
  active.clear();
  for (const s of SIGNALS) process.off(s, onSignal);
  const flushed = Promise.allSettled([...flushes].map((flush) => flush()));
  const timeout = new Promise((resolve) => setTimeout(resolve, 2000).unref());
  void Promise.race([flushed, timeout]).then(() => process.kill(process.pid, signal));
}
