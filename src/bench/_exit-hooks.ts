// internal: the process listeners behind `recordOnExit()`, one set shared by every bench.
//
//   process 'uncaughtExceptionMonitor' ─┐
//   process 'beforeExit' ───────────────┼──► each registration's hook (a snapshot: a hook
//   process 'exit' ─────────────────────┤    that finishes unregisters itself)
//   SIGTERM (by default) / SIGINT       │
//   (while a registration asks) ────────┘──► write each record, flush (≤ 2 s), re-raise once
//                                             (unless the program has listeners of its own)
//
// A registration used to add three listeners to `process` (five with signals), and Node warns
// of a possible leak past ten: eleven benches with recordOnExit() printed three warnings. With
// signals, each registration also re-raised the signal after its own flush, so the first one
// done ended the process before the others' records were flushed.

/** What a `recordOnExit()` registration does at each way the process can end. */
export interface ExitHooks {
  uncaught(error: unknown): void;
  beforeExit(): void;
  exit(): void;
  /** Write the record for one of `signals`; resolves once its outputs are flushed. */
  readonly signal?: ((signal: NodeJS.Signals) => Promise<void>) | undefined;
  /** The signals `signal` is for (SIGTERM by default, SIGINT too with `handleSignals`). */
  readonly signals?: readonly ExitSignal[];
}

/** The signals a `recordOnExit()` registration can write its record on. */
export type ExitSignal = 'SIGINT' | 'SIGTERM';

const SIGNALS: readonly ExitSignal[] = ['SIGINT', 'SIGTERM'];
const FLUSH_LIMIT_MS = 2000;
const registered = new Set<ExitHooks>();
let listening = false;
const listeningFor = new Set<ExitSignal>();

/** Register `hooks`; returns the function that unregisters them. */
export function addExitHooks(hooks: ExitHooks): () => void {
  registered.add(hooks);
  if (!listening) {
    listening = true;
    process.on('uncaughtExceptionMonitor', onUncaught);
    process.on('beforeExit', onBeforeExit);
    // First among 'exit' listeners: the output fan-out's exit check, installed earlier, must
    // see the records written here, or those still undelivered would not reach stderr.
    process.prependListener('exit', onExit);
  }
  if (hooks.signal) {
    for (const signal of hooks.signals ?? []) {
      if (listeningFor.has(signal)) continue;
      listeningFor.add(signal);
      process.on(signal, onSignal);
    }
  }
  return () => {
    if (!registered.delete(hooks)) return;
    if (registered.size === 0 && listening) {
      listening = false;
      process.off('uncaughtExceptionMonitor', onUncaught);
      process.off('beforeExit', onBeforeExit);
      process.off('exit', onExit);
    }
    for (const signal of SIGNALS) if (!wants(signal)) stopSignal(signal);
  };
}

// Does a registration still ask to write its record on `signal`?
function wants(signal: ExitSignal): boolean {
  for (const hooks of registered) if (hooks.signal && hooks.signals?.includes(signal)) return true;
  return false;
}

function stopSignal(signal: ExitSignal): void {
  if (!listeningFor.delete(signal)) return;
  process.off(signal, onSignal);
}

function onUncaught(error: unknown): void {
  for (const hooks of [...registered]) hooks.uncaught(error);
}

function onBeforeExit(): void {
  for (const hooks of [...registered]) hooks.beforeExit();
}

function onExit(): void {
  for (const hooks of [...registered]) hooks.exit();
}

// Write every record that asked for this signal, give their outputs up to 2 s together, then
// re-raise the signal once, with our listeners gone, so the process ends as the signal ends it
// (a parent sees the signal; a shell's exit status is 128 + its number, 143 for SIGTERM). A
// program with its own listeners for the signal has taken over its handling: it is left to them.
function onSignal(signal: NodeJS.Signals): void {
  const flushes: Promise<void>[] = [];
  for (const hooks of [...registered]) {
    if (hooks.signal && hooks.signals?.includes(signal as ExitSignal)) {
      flushes.push(hooks.signal(signal));
    }
  }
  for (const each of SIGNALS) stopSignal(each);
  const limit = new Promise<void>((resolve) => setTimeout(resolve, FLUSH_LIMIT_MS).unref());
  void Promise.race([Promise.all(flushes), limit]).then(() => {
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  });
}
