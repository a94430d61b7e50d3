import type { BenchRecord } from '../record/record.js';
import type { Output } from './output.js';

/** An output that keeps records in memory (the default when no `outfile`/`outputs` is given). */
export interface MemoryOutput extends Output {
  /** The records written so far, in order (the live array; do not mutate). */
  readonly records: readonly BenchRecord[];
  getResults(): Promise<BenchRecord[]>;
}

/** Options of {@link memoryOutput}. */
export interface MemoryOutputOptions {
  /** Turns each record into what `getResults()` returns, instead of decoding its JSON line. */
  toJsonSafe?: (record: BenchRecord) => BenchRecord;
  /**
   * Encodes a record as its JSON line, the way the bench that writes to this output does
   * (`MicroBench` passes its own for its default output). With it, the output keeps only the
   * records and encodes each when results are first read; without it, it keeps the `encode`
   * function it receives with each record, which costs a closure per record held.
   */
  encode?: (record: BenchRecord) => string;
}

/**
 * Create an in-memory output. Records are stored as objects (never encoded when written), so
 * the default output adds almost nothing to a benchmarked call; `getResults()` returns
 * JSON-safe copies, decoded from the line the bench encodes for every output (its JSON rules
 * and `jsonReplacer` apply, and each line is encoded once however often results are read).
 * `toJsonSafe` replaces that conversion.
 */
export function memoryOutput(options: MemoryOutputOptions = {}): MemoryOutput {
  const records: BenchRecord[] = [];
  const { toJsonSafe, encode: encodeRecord } = options;
  // Without an encoder of our own: each record's `encode`, as given, until its line is read.
  const encoders: ((() => string) | undefined)[] = [];
  // The lines of the records read so far (records[i] ↔ lines[i]).
  const lines: string[] = [];
  return {
    name: 'memory',
    records,
    write(record, encode) {
      records.push(record);
      if (!encodeRecord) encoders.push(encode);
    },
    async getResults() {
      if (toJsonSafe) return records.map(toJsonSafe);
      for (let i = lines.length; i < records.length; i++) {
        lines.push(encodeRecord ? encodeRecord(records[i]!) : encoders[i]!());
        encoders[i] = undefined;
      }
      return lines.map((line) => JSON.parse(line) as BenchRecord);
    },
  };
}
