/**
 * Output fan-out: one record goes to every output; failures are collected, never thrown.
 *
 *   record ──► encode() once (lazy, shared) ──┬─► output A.write()   (sync: errors caught)
 *                                             ├─► output B.write()   (async: promise tracked)
 *                                             └─► output C.write()
 *   flush() ──► await tracked promises + each output.flush() ──► reject with every failure
 *   process 'exit' with undelivered/unreported records ──► a warning on stderr naming each
 *                                                         output, then the records, as JSON lines
 *
 * A slow or failing output never delays the others: `deliver()` only starts each write, and an
 * asynchronous output (Redis, HTTP) queues and retries on its own, settling its promise once
 * the record is stored or has definitely failed.
 */
import { writeSync } from 'node:fs';
import { type DeliveryFailure, OutputDeliveryError } from '../errors.js';
import type { BenchRecord } from '../record/record.js';
import { asError } from './_as-error.js';
import type { BatchItem, Output } from './output.js';

/** Delivers records to several outputs and reports what failed. */
export class OutputFanOut {
  /** The outputs, in delivery order. */
  readonly outputs: readonly Output[];
  /** In-flight asynchronous writes, with the output and the record each belongs to. */
  readonly #pending = new Map<Promise<void>, Delivery>();
  #failures: DeliveryFailure[] = [];
  // The records behind #failures (at most MAX_KEPT_FAILED), printed at exit if never reported.
  #failedRecords: Delivery[] = [];
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
    const encodeOnce = once(encode);
    for (const output of this.outputs) this.#write(output, record, encodeOnce);
  }

  /**
   * Hand several records to every output, as {@link deliver} does one by one, but to an output
   * with `writeBatch` all at once (the file output: one `write(2)`). Each `encode()` is called
   * at most once.
   */
  deliverMany(batch: readonly BatchItem[]): void {
    if (batch.length === 1) {
      this.deliver(batch[0]!.record, batch[0]!.encode);
      return;
    }
    const items = batch.map(({ record, encode }) => ({ record, encode: once(encode) }));
    for (const output of this.outputs) {
      if (output.writeBatch === undefined) {
        for (const { record, encode } of items) this.#write(output, record, encode);
        continue;
      }
      let errors: readonly (Error | undefined)[] | undefined;
      try {
        errors = output.writeBatch(items);
      } catch (error) {
        errors = items.map(() => asError(error));
      }
      if (errors === undefined) continue;
      for (const [i, { record, encode }] of items.entries()) {
        if (errors[i] !== undefined) this.#fail(output, record, errors[i], encode);
      }
    }
  }

  // Start one record's write to one output: a sync throw fails it now, a promise is tracked.
  #write(output: Output, record: BenchRecord, encodeOnce: () => string): void {
    try {
      const result = output.write(record, encodeOnce);
      if (result && typeof (result as Promise<void>).then === 'function') {
        const tracked: Promise<void> = (result as Promise<void>).then(
          () => {
            this.#settle(tracked);
          },
          (error: unknown) => {
            this.#settle(tracked);
            this.#fail(output, record, error, encodeOnce);
          },
        );
        this.#pending.set(tracked, { output, record, encode: encodeOnce });
        liveFanOuts.add(this);
      }
    } catch (error) {
      this.#fail(output, record, error, encodeOnce);
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
      this.#failedRecords = [];
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
    for (const { output } of this.#pending.values()) entry(output.name).inFlight++;
    for (const failure of this.#failures) entry(failure.output).failed++;
    return byOutput;
  }

  /**
   * The records behind {@link undelivered}, each once, as JSON lines (in flight first, then
   * failed ones; a record failed by several outputs appears once), and how many failed records
   * were not kept (past 10,000).
   */
  undeliveredLines(): { lines: string[]; notKept: number } {
    const seen = new Set<BenchRecord>();
    const lines: string[] = [];
    for (const delivery of [...this.#pending.values(), ...this.#failedRecords]) {
      if (seen.has(delivery.record)) continue;
      seen.add(delivery.record);
      try {
        lines.push(delivery.encode());
      } catch (error) {
        lines.push(JSON.stringify({ unencodable_record: String(error) }));
      }
    }
    return { lines, notKept: Math.max(0, this.#failures.length - this.#failedRecords.length) };
  }

  #settle(tracked: Promise<void>): void {
    this.#pending.delete(tracked);
    this.#forgetIfIdle();
  }

  // Only fan-outs with something to report stay registered for the exit check (no leak).
  #forgetIfIdle(): void {
    if (this.#pending.size === 0 && this.#failures.length === 0) liveFanOuts.delete(this);
  }

  #fail(output: Output, record: Partial<BenchRecord>, error: unknown, encode?: () => string): void {
    const err = asError(error);
    this.#failures.push({
      output: output.name,
      record: { function_name: record.function_name, start_time: record.start_time },
      error: err,
    });
    if (encode !== undefined && this.#failedRecords.length < MAX_KEPT_FAILED) {
      this.#failedRecords.push({ output, record: record as BenchRecord, encode });
    }
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

// `encode`, called at most once.
function once(encode: () => string): () => string {
  let json: string | undefined;
  return () => {
    json ??= encode();
    return json;
  };
}

// One record on its way to one output.
interface Delivery {
  readonly output: Output;
  readonly record: BenchRecord;
  readonly encode: () => string;
}

/** Failed records kept per fan-out for the exit dump (a dead sink must not grow memory forever). */
const MAX_KEPT_FAILED = 10_000;

const liveFanOuts = new Set<OutputFanOut>();
let exitCheckInstalled = false;

// At exit nothing asynchronous can run any more: say plainly what was not delivered, and where,
// and write the records themselves to stderr so that nothing is lost.
function installExitCheck(): void {
  if (exitCheckInstalled) return;
  exitCheckInstalled = true;
  process.on('exit', () => {
    for (const fanOut of liveFanOuts) {
      const outputs: string[] = [];
      for (const [name, { inFlight, failed }] of fanOut.undelivered()) {
        const parts: string[] = [];
        if (inFlight > 0) parts.push(`${inFlight} still in flight`);
        if (failed > 0) parts.push(`${failed} failed (not yet reported by flush())`);
        if (parts.length > 0) outputs.push(`  - ${name}: ${parts.join(', ')}`);
      }
      if (outputs.length === 0) continue;
      const { lines, notKept } = fanOut.undeliveredLines();
      const lost = notKept > 0 ? ` (${notKept} more failed deliveries were not kept)` : '';
      writeStderr(
        `(microbench) Warning: the process is exiting with records not delivered:\n${outputs.join('\n')}\n` +
          `The ${lines.length} undelivered record(s) follow, one JSON line each${lost}. ` +
          'Call `await bench.close()` before exiting to wait for them and see the errors.\n',
      );
      // One write per record: a huge record must not make one string too long for V8.
      for (const line of lines) writeStderr(`${line}\n`);
    }
  });
}

// Write to stderr synchronously, all of it (a full non-blocking pipe is waited for, 1 ms at a
// time); a closed stderr is ignored, as nothing else can be done.
function writeStderr(text: string): void {
  const data = Buffer.from(text, 'utf8');
  let offset = 0;
  while (offset < data.length) {
    try {
      offset += writeSync(2, data, offset, data.length - offset);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') return;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
    }
  }
}
