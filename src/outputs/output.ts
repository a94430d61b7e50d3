import type { BenchRecord } from '../record/record.js';

/**
 * A destination for records (a sink). The bench hands each record to every output; a sync throw or async rejection from one output is caught,
 * reported by `flush()`, and never stops the others.
 */
export interface Output {
  /** Human-readable name used in failure reports, e.g. `file:results.jsonl`. */
  readonly name: string;
  /**
   * Deliver one record. `encode()` returns the record as one line of JSON (no trailing
   * newline); it is computed once and shared by all outputs, so an output that stores the
   * object (memory) never pays for encoding. Return a promise for asynchronous delivery;
   * the bench tracks it until `flush()`.
   */
  write(record: BenchRecord, encode: () => string): void | Promise<void>;
  /**
   * Deliver several records at once, synchronously (optional: without it each goes through
   * {@link write}). Returns undefined when all were stored, else each one's error (undefined
   * for those stored); a throw fails them all. The file output writes them in one `write(2)`.
   */
  writeBatch?(batch: readonly BatchItem[]): readonly (Error | undefined)[] | undefined;
  /** Wait until everything written so far is delivered (or has definitely failed). */
  flush?(): Promise<void>;
  /** Flush, then release connections and file descriptors. */
  close?(): Promise<void>;
  /** Read back every record this output holds (file, memory and Redis can; HTTP cannot). */
  getResults?(): Promise<BenchRecord[]>;
}

/** One record of a {@link Output.writeBatch} call and its shared, lazy encoding. */
export interface BatchItem {
  readonly record: BenchRecord;
  readonly encode: () => string;
}

/** Identity helper that types an output object literal. */
export function defineOutput<T extends Output>(output: T): T {
  return output;
}
