/**
 * Output fan-out: one record goes to every output; failures are collected, never thrown.
 *
 *   record ──► encode() once (lazy, shared) ──┬─► output A.write()   (sync: errors caught)
 *                                             ├─► output B.write()   (async: promise tracked)
 *                                             └─► output C.write()
 *   flush() ──► await tracked promises + each output.flush() ──► reject with every failure
 *   process 'exit' with undelivered/unreported records ──► a warning on stderr
 */
import { writeSync } from 'node:fs';
import type { BenchRecord } from '../bench/record.js';
import { type DeliveryFailure, OutputDeliveryError } from '../errors.js';
import type { Output } from './output.js';

/** Delivers records to several outputs and reports what failed. */
export class OutputFanOut {
  readonly outputs: readonly Output[];
  readonly #pending = new Set<Promise<void>>();
  #failures: DeliveryFailure[] = [];
  readonly #warned = new Set<string>();
  readonly #warn: (message: string) => void;

  constructor(outputs: readonly Output[], options: { warn?: (message: string) => void } = {}) {
    this.outputs = outputs;
    this.#warn =
      options.warn ??
      ((message) => process.emitWarning(message, { type: 'MicrobenchOutputWarning', code: 'MB_OUTPUT' }));
    liveFanOuts.add(this);
    installExitCheck();
  }

  /** Number of asynchronous deliveries still in flight. */
  get pendingCount(): number {
    return this.#pending.size;
  }

  /** Failures not yet reported by `flush()`. */
  get failures(): readonly DeliveryFailure[] {
    return this.#failures;
  }

  /** Hand a record to every output. `encode()` is called at most once. */
  deliver(record: BenchRecord, encode: () => string): void {
    let json: string | undefined;
    const encodeOnce = () => {
      json ??= encode();
      return json;
    };
    for (const output of this.outputs) {
      try {
        const result = output.write(record, encodeOnce);
        if (result && typeof (result as Promise<void>).then === 'function') {
          const tracked: Promise<void> = (result as Promise<void>).then(
            () => {
              this.#pending.delete(tracked);
            },
            (error: unknown) => {
              this.#pending.delete(tracked);
              this.#fail(output, record, error);
            },
          );
          this.#pending.add(tracked);
        }
      } catch (error) {
        this.#fail(output, record, error);
      }
    }
  }

  /** Wait for every delivery; reject with an `OutputDeliveryError` listing what failed. */
  async flush(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all([...this.#pending]);
    await Promise.all(
      this.outputs.map(async (output) => {
        try {
          await output.flush?.();
        } catch (error) {
          this.#fail(output, {}, error);
        }
      }),
    );
    if (this.#failures.length > 0) {
      const failures = this.#failures;
      this.#failures = [];
      throw new OutputDeliveryError(failures);
    }
  }

  /** Flush, then close every output (closing happens even when the flush rejects). */
  async close(): Promise<void> {
    try {
      await this.flush();
    } finally {
      liveFanOuts.delete(this);
      await Promise.all(this.outputs.map((output) => output.close?.().catch(() => undefined)));
    }
  }

  #fail(output: Output, record: Partial<BenchRecord>, error: unknown): void {
    const err = error instanceof Error ? error : new Error(String(error));
    this.#failures.push({
      output: output.name,
      record: { function_name: record.function_name, start_time: record.start_time },
      error: err,
    });
    if (!this.#warned.has(output.name)) {
      this.#warned.add(output.name);
      this.#warn(
        `Output ${output.name} failed to deliver a record: ${err.message}. ` +
          'Other outputs still receive every record; `await bench.flush()` rejects with the full list.',
      );
    }
  }
}

const liveFanOuts = new Set<OutputFanOut>();
let exitCheckInstalled = false;

// At exit nothing asynchronous can run any more: say plainly what was not delivered.
function installExitCheck(): void {
  if (exitCheckInstalled) return;
  exitCheckInstalled = true;
  process.on('exit', () => {
    for (const fanOut of liveFanOuts) {
      const lost = fanOut.pendingCount;
      const failed = fanOut.failures.length;
      if (lost === 0 && failed === 0) continue;
      const names = fanOut.outputs.map((o) => o.name).join(', ');
      try {
        writeSync(
          2,
          `(microbench) Warning: the process is exiting with ${lost} record deliver${lost === 1 ? 'y' : 'ies'} still in flight and ${failed} failed to outputs [${names}]. Call \`await bench.close()\` before exiting to wait for them and see the errors.\n`,
        );
      } catch {
        // stderr is gone; nothing else can be done.
      }
    }
  });
}
