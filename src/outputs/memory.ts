import type { BenchRecord } from '../bench/record.js';
import type { Output } from './output.js';

/** An output that keeps records in memory (the default when no `outfile`/`outputs` is given). */
export interface MemoryOutput extends Output {
  /** The records written so far, in order (the live array; do not mutate). */
  readonly records: readonly BenchRecord[];
  getResults(): Promise<BenchRecord[]>;
}

/**
 * Create an in-memory output. Records are stored as objects (never encoded), so the default
 * output adds almost nothing to a benchmarked call; `getResults()` returns JSON-safe copies.
 */
export function memoryOutput(
  options: { toJsonSafe?: (record: BenchRecord) => BenchRecord } = {},
): MemoryOutput {
  const records: BenchRecord[] = [];
  const toJsonSafe =
    options.toJsonSafe ?? ((r: BenchRecord) => JSON.parse(JSON.stringify(r)) as BenchRecord);
  return {
    name: 'memory',
    records,
    write(record) {
      records.push(record);
    },
    async getResults() {
      return records.map(toJsonSafe);
    },
  };
}
