// internal: the process listeners behind `recordOnExit()`, one set shared by every bench.
//
//   process 'uncaughtExceptionMonitor' ─┐
//   process 'beforeExit' ───────────────┼──► each registration's hook (a snapshot: a hook
//   process 'exit' ─────────────────────┤    that finishes unregisters itself)
//   SIGINT / SIGTERM (while a           │
//   registration asked for them) ───────┘──► write each record, flush (≤ 2 s), re-raise once
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
  /** With `handleSignals` only: write the record; resolves once its outputs are flushed. */
  readonly signal?: ((signal: NodeJS.Signals) => Promise<void>) | undefined;
}

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;
const FLUSH_LIMIT_MS = 2000;
const registered = new Set<ExitHooks>();
let listening = false;
let listeningForSignals = false;

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
  if (hooks.signal && !listeningForSignals) {
    listeningForSignals = true;
    for (const signal of SIGNALS) process.on(signal, onSignal);
  }
  return () => {
    if (!registered.delete(hooks)) return;
    if (registered.size === 0 && listening) {
      listening = false;
      process.off('uncaughtExceptionMonitor', onUncaught);
      process.off('beforeExit', onBeforeExit);
      process.off('exit', onExit);
    }
    if (![...registered].some((each) => each.signal)) stopSignals();
  };
}

function stopSignals(): void {
  if (!listeningForSignals) return;
  listeningForSignals = false;
  for (const signal of SIGNALS) process.off(signal, onSignal);
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

// Write every record that asked for signals, give their outputs up to 2 s together, then
// re-raise the signal once, with our listeners gone, so the exit status is the usual one.
function onSignal(signal: NodeJS.Signals): void {
  const flushes: Promise<void>[] = [];
  for (const hooks of [...registered]) if (hooks.signal) flushes.push(hooks.signal(signal));
  stopSignals();
  const limit = new Promise<void>((resolve) => setTimeout(resolve, FLUSH_LIMIT_MS).unref());
  void Promise.race([Promise.all(flushes), limit]).then(() => process.kill(process.pid, signal));
}
