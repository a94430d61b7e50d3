/**
 * A growing list of numbers held as 8-byte doubles: what a running aggregate of durations keeps
 * (compare's samples, the report's per-iteration and per-run values: their only state that grows
 * with the input).
 */

/** Numbers appended one at a time, stored in a `Float64Array` that doubles when full. */
export class SampleBuffer {
  #values = new Float64Array(16);
  #length = 0;
  #sorted = true;

  /** How many numbers it holds. */
  get length(): number {
    return this.#length;
  }

  /** Append one number (`NaN` may mark "no value"). */
  push(value: number): void {
    if (this.#length === this.#values.length) {
      const grown = new Float64Array(this.#values.length * 2);
      grown.set(this.#values);
      this.#values = grown;
    }
    if (this.#length > 0 && value < this.#values[this.#length - 1]!) this.#sorted = false;
    this.#values[this.#length++] = value;
  }

  /** The number at `i` (in the order appended, until {@link sorted} reorders them). */
  at(i: number): number {
    return this.#values[i]!;
  }

  /** A sorted copy of the numbers that are not `NaN` (`NaN` marks "no value"); the order stays. */
  sortedFinite(): Float64Array {
    const view = this.values();
    let n = 0;
    for (const v of view) if (!Number.isNaN(v)) n++;
    const out = new Float64Array(n);
    let k = 0;
    for (const v of view) if (!Number.isNaN(v)) out[k++] = v;
    return out.sort();
  }

  /** The numbers in the order appended (a view: valid until the next push or sort). */
  values(): Float64Array {
    return this.#values.subarray(0, this.#length);
  }

  /** The numbers sorted ascending, in place (a view: valid until the next push). */
  sorted(): Float64Array {
    const view = this.#values.subarray(0, this.#length);
    if (!this.#sorted) {
      view.sort();
      this.#sorted = true;
    }
    return view;
  }
}
