// internal: a growing list of numbers held as 8-byte doubles (what the report keeps per iteration
// and per run: its only state that grows with the input).

/** Numbers appended one at a time, in a `Float64Array` that doubles when full. */
export class NumberList {
  #values = new Float64Array(16);
  #length = 0;

  /** How many numbers it holds. */
  get length(): number {
    return this.#length;
  }

  /** Append one number (`NaN` marks "no value"). */
  push(value: number): void {
    if (this.#length === this.#values.length) {
      const grown = new Float64Array(this.#values.length * 2);
      grown.set(this.#values);
      this.#values = grown;
    }
    this.#values[this.#length++] = value;
  }

  /** The number at `i`. */
  at(i: number): number {
    return this.#values[i]!;
  }

  /** The numbers in the order appended (a view, valid until the next push). */
  view(): Float64Array {
    return this.#values.subarray(0, this.#length);
  }

  /** A sorted copy of the numbers that are not `NaN`. */
  sortedFinite(): Float64Array {
    const view = this.view();
    let n = 0;
    for (const v of view) if (!Number.isNaN(v)) n++;
    const out = new Float64Array(n);
    let k = 0;
    for (const v of view) if (!Number.isNaN(v)) out[k++] = v;
    return out.sort();
  }
}
