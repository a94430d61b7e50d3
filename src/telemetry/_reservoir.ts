// internal: bounded sample storage for `telemetryMaxSamples` (even thinning, first and last kept).
import type { TelemetrySample } from '../record/record.js';

/**
 * Keeps every sample (of any shape: the sampler keeps them raw until the run ends), or with a
 * limit N, at most 2N in memory: it keeps every
 * `stride`-th sample and doubles the stride when full, so the kept ones stay evenly spread;
 * `result()` then picks N evenly spaced samples, always including the first and the last.
 */
export class SampleReservoir<T = TelemetrySample> {
  readonly #limit: number | undefined;
  #kept: T[] = [];
  #stride = 1;
  #last: T | undefined;
  total = 0;

  constructor(limit: number | undefined) {
    this.#limit = limit;
  }

  add(sample: T): void {
    const index = this.total++;
    // (A first sample makes an array of one: a push onto [] would reserve 17, and most calls
    // hold one sample.)
    if (this.#limit === undefined) {
      if (index === 0) this.#kept = [sample];
      else this.#kept.push(sample);
      return;
    }
    this.#last = sample;
    if (index % this.#stride !== 0) return;
    this.#kept.push(sample);
    if (this.#kept.length >= 2 * this.#limit) {
      this.#kept = this.#kept.filter((_, i) => i % 2 === 0);
      this.#stride *= 2;
    }
  }

  /** How many samples are held now (at most 2N with a limit N). */
  get held(): number {
    return (
      this.#kept.length + (this.#last !== undefined && this.#kept.at(-1) !== this.#last ? 1 : 0)
    );
  }

  result(): { samples: T[]; total: number } {
    const limit = this.#limit;
    if (limit === undefined) return { samples: this.#kept, total: this.total };
    const pool = this.#kept.slice();
    if (this.#last && pool[pool.length - 1] !== this.#last) pool.push(this.#last);
    if (pool.length <= limit) return { samples: pool, total: this.total };
    const samples: T[] = [];
    for (let j = 0; j < limit; j++)
      samples.push(pool[Math.round((j * (pool.length - 1)) / (limit - 1))]!);
    return { samples, total: this.total };
  }
}
