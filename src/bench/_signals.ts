// internal: SIGINT/SIGTERM during an asynchronous benchmarked call.
//
// Only while an async call is pending (the main thread then yields to the event loop, so a
// handler runs at once): finish the record synchronously with `interrupted: "<SIGNAL>"`, give
// asynchronous outputs up to 2 s, then re-raise the signal with the default action so the exit
// status is the usual one (130 for SIGINT, 143 for SIGTERM). Synchronous calls never get a
// handler: it could not run before the call returned and would only delay the signal.
//
// Two rules keep the handler from changing what a signal does:
// - It never swallows one. A signal that arrives while synchronous code runs between two awaits
//   is read from libuv's signal pipe only when the loop next polls; by then the call may have
//   ended. So the listeners linger for two event-loop turns after the last call ends (one full
//   poll phase), and a signal caught then is re-raised once the records of the calls that just
//   ended are written (their telemetry may still be on its way back from the sampler).
// - It never delivers one twice. When the program has SIGINT/SIGTERM listeners of its own, they
//   were already called with this signal: the record is still written, but the signal is not
//   re-raised (the program decides whether to exit, as it would without microbench).
import { isMainThread } from 'node:worker_threads';
import type { BenchCall } from './call.js';

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;
const FLUSH_LIMIT_MS = 2000;
const active = new Map<BenchCall, () => Promise<void>>();
// Flushes of the calls that ended while we linger.
const ended = new Set<() => Promise<void>>();
let listening = false;
let lingerGeneration = 0;
// A linger is scheduled (lingerThenStop).
let lingering = false;
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
  listen();
  active.set(call, flush);
  return () => {
    if (!active.delete(call) || active.size > 0) return;
    // (A call ending while others run is flushed with theirs: same bench, same flush.)
    ended.add(flush);
    lingerThenStop();
  };
}

// Add our listeners (once) for SIGINT and SIGTERM.
function listen(): void {
  if (listening) return;
  listening = true;
  for (const signal of SIGNALS) process.on(signal, onSignal);
}

// Remove our listeners.
function stopListening(): void {
  if (!listening) return;
  listening = false;
  for (const signal of SIGNALS) process.off(signal, onSignal);
}

// Keep listening through one full poll phase after the last call ended (a signal already in
// libuv's pipe is then dispatched to us, not dropped), unless a new call started meanwhile.
// Each ending call restarts the count. One linger at a time: a loop of awaited calls never
// lets immediates run, and one per call (each holding its call's async context, and so its
// record) piled up until the loop ended.
function lingerThenStop(): void {
  lingerGeneration++;
  if (lingering) return;
  lingering = true;
  linger();
}

function linger(): void {
  const generation = lingerGeneration;
  setImmediate(() =>
    setImmediate(() => {
      // A call ended since this linger began: count a full poll phase from there.
      if (generation !== lingerGeneration) {
        linger();
        return;
      }
      lingering = false;
      ended.clear();
      if (active.size === 0) stopListening();
    }),
  );
}

function onSignal(signal: NodeJS.Signals): void {
  const flushes = new Set(ended);
  ended.clear();
  for (const [call, flush] of active) {
    call.end({ sync: true, interrupted: signal });
    flushes.add(flush);
  }
  active.clear();
  stopListening();
  // The program's own listeners already got this signal: re-raising would deliver it twice.
  if (process.listenerCount(signal) > 0) return;
  if (flushes.size === 0) {
    process.kill(process.pid, signal);
    return;
  }
  const flushed = Promise.allSettled([...flushes].map((flush) => flush()));
  const timeout = new Promise((resolve) => setTimeout(resolve, FLUSH_LIMIT_MS).unref());
  void Promise.race([flushed, timeout]).then(() => process.kill(process.pid, signal));
}
