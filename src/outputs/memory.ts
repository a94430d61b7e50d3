import type { BenchRecord } from '../bench/record.js';
import type { Output } from './output.js';

/** An output that keeps records in memory (the default when no `outfile`/`outputs` is given). */
export interface MemoryOutput extends Output {
  /** The records written so far, in order (the live array; do not mutate). */
  readonly records: readonly BenchRecord[];
  getResults(): Promise<BenchRecord[]>;
}

/**
 * Create an in-memory output. Records are stored as objects (never encoded when written), so
 * the default output adds almost nothing to a benchmarked call; `getResults()` returns
 * JSON-safe copies, decoded from the line the bench encodes for every output (its JSON rules
 * and `jsonReplacer` apply, and the line is encoded once however often results are read).
 * `toJsonSafe` replaces that conversion.
 */
export function memoryOutput(
  options: { toJsonSafe?: (record: BenchRecord) => BenchRecord } = {},
): MemoryOutput {
  const records: BenchRecord[] = [];
  const encoders: (() => string)[] = [];
  const { toJsonSafe } = options;
  return {
    name: 'memory',
    records,
    write(record, encode) {
      records.push(record);
      encoders.push(encode);
    },
    async getResults() {
      return toJsonSafe
        ? records.map(toJsonSafe)
        : encoders.map((encode) => JSON.parse(encode()) as BenchRecord);
    },
  };
}
