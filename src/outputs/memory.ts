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
 * JSON-safe copies, each decoded from the line the bench encodes for every output (its JSON
 * rules and `jsonReplacer` apply). Lines are encoded when results are read, one at a time, and
 * dropped at once: the output holds the records and nothing else, however often they are read.
 * `toJsonSafe` replaces that conversion.
 */
export function memoryOutput(options: MemoryOutputOptions = {}): MemoryOutput {
  const records: BenchRecord[] = [];
  const { toJsonSafe, encode: encodeRecord } = options;
  // Without an encoder of our own: each record's `encode`, as given.
  const encoders: (() => string)[] = [];
  const lineOf = (i: number): string => (encodeRecord ? encodeRecord(records[i]!) : encoders[i]!());
  return {
    name: 'memory',
    records,
    write(record, encode) {
      records.push(record);
      if (!encodeRecord) encoders.push(encode);
    },
    async getResults() {
      if (toJsonSafe) return records.map(toJsonSafe);
      const out = new Array<BenchRecord>(records.length);
      for (let i = 0; i < records.length; i++) out[i] = JSON.parse(lineOf(i)) as BenchRecord;
      return out;
    },
  };
}
