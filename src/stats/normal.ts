/** The standard normal distribution's cumulative distribution function, as the statistics use it. */

import { erfc } from './_special.js';

/**
 * P(Z ≤ z) for a standard normal Z, precise in both tails (`normalCdf(-10)` ≈ 7.6e-24,
 * SciPy's `ndtr`). `normalCdf(Infinity)` is 1 and `normalCdf(-Infinity)` is 0.
 */
export function normalCdf(z: number): number {
  if (z === Number.POSITIVE_INFINITY) return 1;
  if (z === Number.NEGATIVE_INFINITY) return 0;
  return 0.5 * erfc(-z / Math.SQRT2);
}
