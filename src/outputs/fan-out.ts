/**
 * Output fan-out: one record goes to every output; failures are collected, never thrown.
 *
 *   record ──► encode() once (lazy, shared) ──┬─► output A.write()   (sync: errors caught)
 *                                             ├─► output B.write()   (async: promise tracked)
 *                                             └─► output C.write()
 *   flush() ──► await tracked promises + each output.flush() ──► reject with every failure
 *   process 'exit' with undelivered/unreported records ──► a warning on stderr, per output
 *
 * A slow or failing output never delays the others: `deliver()` only starts each write, and an
 * asynchronous output (Redis, HTTP) queues and retries on its own, settling its promise once
 * the record is stored or has definitely failed.
 */
import { writeSync } from 'node:fs';
import { type DeliveryFailure, OutputDeliveryError } from '../errors.js';
import type { BenchRecord } from '../record/record.js';
import type { Output } from './output.js';

/** Delivers records to several outputs and reports what failed. */
export class OutputFanOut {
  /** The outputs, in delivery order. */
  readonly outputs: readonly Output[];
  /** In-flight asynchronous writes, with the output each belongs to. */
  readonly #pending = new Map<Promise<void>, Output>();
  #failures: DeliveryFailure[] = [];
  readonly #warned = new Set<string>();
  readonly #warn: (message: string) => void;

  /**
   * @param outputs where every record goes, in this order.
   * @param options.warn receives the one-per-output "failed to deliver" warning
   *   (default: a `MicrobenchOutputWarning` process warning).
   */
  constructor(outputs: readonly Output[], options: { warn?: (message: string) => void } = {}) {
    this.outputs = outputs;
    this.#warn =
      options.warn ??
      ((message) =>
        process.emitWarning(message, { type: 'MicrobenchOutputWarning', code: 'MB_OUTPUT' }));
    installExitCheck();
  }

  /** Number of asynchronous deliveries (record × output) still in flight. */
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
              this.#settle(tracked);
            },
            (error: unknown) => {
              this.#settle(tracked);
              this.#fail(output, record, error);
            },
          );
          this.#pending.set(tracked, output);
          liveFanOuts.add(this);
        }
      } catch (error) {
        this.#fail(output, record, error);
      }
    }
  }

  /** Wait for every delivery; reject with an `OutputDeliveryError` listing what failed. */
  async flush(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all([...this.#pending.keys()]);
    await Promise.all(
      this.outputs.map(async (output) => {
        try {
          await output.flush?.();
        } catch (error) {
          this.#fail(output, {}, error);
        }
      }),
    );
    // Writes started while outputs flushed (another call finished meanwhile) are awaited too.
    while (this.#pending.size > 0) await Promise.all([...this.#pending.keys()]);
    if (this.#failures.length > 0) {
      const failures = this.#failures;
      this.#failures = [];
      this.#forgetIfIdle();
      throw new OutputDeliveryError(failures);
    }
  }

  /** Flush, then close every output (closing happens even when the flush rejects). */
  async close(): Promise<void> {
    try {
      await this.flush();
    } finally {
      await Promise.all(this.outputs.map((output) => output.close?.().catch(() => undefined)));
    }
  }

  /** Per output name: deliveries in flight and failures not yet reported (for the exit warning). */
  undelivered(): Map<string, { inFlight: number; failed: number }> {
    const byOutput = new Map<string, { inFlight: number; failed: number }>();
    const entry = (name: string) => {
      const counts = byOutput.get(name) ?? { inFlight: 0, failed: 0 };
      byOutput.set(name, counts);
      return counts;
    };
    for (const output of this.#pending.values()) entry(output.name).inFlight++;
    for (const failure of this.#failures) entry(failure.output).failed++;
    return byOutput;
  }

  #settle(tracked: Promise<void>): void {
    this.#pending.delete(tracked);
    this.#forgetIfIdle();
  }

  // Only fan-outs with something to report stay registered for the exit check (no leak).
  #forgetIfIdle(): void {
    if (this.#pending.size === 0 && this.#failures.length === 0) liveFanOuts.delete(this);
  }

  #fail(output: Output, record: Partial<BenchRecord>, error: unknown): void {
    const err = error instanceof Error ? error : new Error(String(error));
    this.#failures.push({
      output: output.name,
      record: { function_name: record.function_name, start_time: record.start_time },
      error: err,
    });
    liveFanOuts.add(this);
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

// At exit nothing asynchronous can run any more: say plainly what was not delivered, and where.
function installExitCheck(): void {
  if (exitCheckInstalled) return;
  exitCheckInstalled = true;
  process.on('exit', () => {
    for (const fanOut of liveFanOuts) {
      const lines: string[] = [];
      for (const [name, { inFlight, failed }] of fanOut.undelivered()) {
        const parts: string[] = [];
        if (inFlight > 0) parts.push(`${inFlight} still in flight`);
        if (failed > 0) parts.push(`${failed} failed (not yet reported by flush())`);
        if (parts.length > 0) lines.push(`  - ${name}: ${parts.join(', ')}`);
      }
      if (lines.length === 0) continue;
      try {
        writeSync(
          2,
          `(microbench) Warning: the process is exiting with records not delivered:\n${lines.join('\n')}\n` +
            'Call `await bench.close()` before exiting to wait for them and see the errors.\n',
        );
      } catch {
        // stderr is gone; nothing else can be done.
      }
    }
  });
}
