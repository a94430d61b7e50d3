/**
 * The two-sided Mann–Whitney U test of two independent samples, giving the numbers SciPy's
 * `scipy.stats.mannwhitneyu(x, y, alternative='two-sided')` gives for the same `method`.
 *
 *   sort both ──► one merged pass: rank sum of x (ties get their average rank), tie sizes
 *            ──► U1 = R1 − n1(n1+1)/2,  U = max(U1, n1·n2 − U1)
 *            ──► exact:      p = 2·P(U' ≥ U) from the null distribution of U (no ties)
 *                asymptotic: z = (U − n1·n2/2 − ½) / σ_ties,  p = 2·Φ(−z)
 *            ──► p clipped to [0, 1]
 *
 * `auto` chooses the exact distribution when one sample has at most 8 values and there are no
 * ties, and the normal approximation (tie and continuity corrected) otherwise, as SciPy does.
 */

import { normalCdf } from './normal.js';

/** How the p-value is computed. */
export type MannWhitneyMethod = 'auto' | 'exact' | 'asymptotic';

/** Options of {@link mannWhitneyU}. */
export interface MannWhitneyOptions {
  /** @default 'auto' */
  readonly method?: MannWhitneyMethod;
  /** Continuity correction of the normal approximation. @default true */
  readonly continuity?: boolean;
  /** Whether `x` and `y` are already sorted ascending (saves two sorts). @default false */
  readonly sorted?: boolean;
}

/** The test's statistic and p-value. */
export interface MannWhitneyResult {
  /** U of the first sample (SciPy's `statistic`). */
  readonly u1: number;
  /** Two-sided p-value; `NaN` when a sample is empty. */
  readonly pValue: number;
  /** The method actually used. */
  readonly method: 'exact' | 'asymptotic';
  /** Whether any value occurs more than once in the two samples together. */
  readonly ties: boolean;
}

/** The largest sample size of the smaller sample for which `auto` uses the exact distribution. */
export const EXACT_MAX_SMALLER_SAMPLE = 8;

// The most terms of the exact distribution built (8 × 10 million values = 80 MB at most).
const EXACT_MAX_TERMS = 10_000_000;

/** Two-sided Mann–Whitney U test of `x` against `y` (see the module comment). */
export function mannWhitneyU(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  options: MannWhitneyOptions = {},
): MannWhitneyResult {
  const n1 = x.length;
  const n2 = y.length;
  const xs = options.sorted ? x : Float64Array.from(x).sort();
  const ys = options.sorted ? y : Float64Array.from(y).sort();
  const { rankSumX, tieTerm } = rankSum(xs, ys);
  const ties = tieTerm > 0;
  const requested = options.method ?? 'auto';
  const method =
    requested !== 'auto'
      ? requested
      : (n1 <= EXACT_MAX_SMALLER_SAMPLE || n2 <= EXACT_MAX_SMALLER_SAMPLE) && !ties
        ? 'exact'
        : 'asymptotic';
  if (n1 === 0 || n2 === 0) return { u1: Number.NaN, pValue: Number.NaN, method, ties };
  const u1 = rankSumX - (n1 * (n1 + 1)) / 2;
  const u = Math.max(u1, n1 * n2 - u1);
  let p: number;
  if (method === 'exact') {
    p = 2 * exactSurvival(Math.trunc(u), n1, n2);
  } else {
    const n = n1 + n2;
    const sigma = Math.sqrt(((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1))));
    const numerator = u - (n1 * n2) / 2 - (options.continuity === false ? 0 : 0.5);
    p = 2 * normalCdf(-(numerator / sigma));
  }
  return { u1, pValue: Math.min(Math.max(p, 0), 1), method, ties };
}

// The rank sum of x in the merged sample (average ranks for ties) and Σ(t³ − t) over tie groups.
function rankSum(
  xs: ArrayLike<number>,
  ys: ArrayLike<number>,
): { rankSumX: number; tieTerm: number } {
  let i = 0;
  let j = 0;
  let below = 0;
  let rankSumX = 0;
  let tieTerm = 0;
  while (i < xs.length || j < ys.length) {
    const value = j >= ys.length || (i < xs.length && xs[i]! <= ys[j]!) ? xs[i]! : ys[j]!;
    let inX = 0;
    let inY = 0;
    while (i < xs.length && xs[i] === value) {
      i++;
      inX++;
    }
    while (j < ys.length && ys[j] === value) {
      j++;
      inY++;
    }
    const t = inX + inY;
    rankSumX += inX * (below + (t + 1) / 2);
    if (t > 1) tieTerm += t * t * t - t;
    below += t;
  }
  return { rankSumX, tieTerm };
}

// P(U ≥ k) under the null hypothesis, from the lower half of the distribution (it is symmetric
// about n1·n2/2), as SciPy computes it.
function exactSurvival(k: number, n1: number, n2: number): number {
  const complement = n1 * n2 - k;
  if (k < complement) {
    const pmf = exactLowerPmf(k, n1, n2);
    let cdf = 0;
    for (let u = 0; u <= k; u++) cdf += pmf[u]!;
    return 1 - cdf + pmf[k]!;
  }
  const pmf = exactLowerPmf(complement, n1, n2);
  let cdf = 0;
  for (let u = 0; u <= complement; u++) cdf += pmf[u]!;
  return cdf;
}

/**
 * P(U = u) for u = 0…maxU under the null hypothesis, for samples of n1 and n2 values.
 * The number of orderings with U = u is the coefficient of q^u in the Gaussian binomial
 * [n1+n2 choose m]_q (m the smaller size), built as Π_{i=1..m} (1 − q^(n+i)) / (1 − q^i):
 * each step multiplies by (1 − q^(n+i)) and divides by (1 − q^i) (a running sum with stride i),
 * all in O(m² · n) for the m ≤ 8 the exact method is used for, and the coefficients are kept only
 * up to maxU (the terms above never feed the ones below).
 */
export function exactLowerPmf(maxU: number, n1: number, n2: number): Float64Array {
  const m = Math.min(n1, n2);
  const n = Math.max(n1, n2);
  if (maxU > EXACT_MAX_TERMS) {
    throw new RangeError(
      `The exact Mann–Whitney distribution for samples of ${n1} and ${n2} values is too large to build (${maxU} terms); use method 'asymptotic'`,
    );
  }
  const counts = new Float64Array(maxU + 1);
  counts[0] = 1;
  for (let i = 1; i <= m; i++) {
    for (let u = maxU; u >= n + i; u--) counts[u]! -= counts[u - n - i]!;
    for (let u = i; u <= maxU; u++) counts[u]! += counts[u - i]!;
  }
  let total = 1;
  for (let i = 1; i <= m; i++) total = (total * (n + i)) / i;
  for (let u = 0; u <= maxU; u++) counts[u]! /= total;
  return counts;
}
