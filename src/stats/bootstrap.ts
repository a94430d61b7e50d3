/**
 * A percentile bootstrap confidence interval for the ratio of two medians (candidate over
 * baseline), seeded so the same samples always give the same interval.
 *
 * Resampling n values with replacement and taking the median costs O(n) per resample, too slow
 * for 100,000-iteration samples. It is not needed: drawing with replacement from the sorted sample
 * s[0..n) is drawing index ⌊n·V⌋ for uniform V, so the k-th smallest value of a resample is
 * s[⌊n·V(k)⌋] with V(k) the k-th order statistic of n uniforms, which is Beta(k, n − k + 1); the
 * next one, V(k+1), is V(k) + (1 − V(k))·(1 − W^(1/(n−k))) for uniform W. So each resample's
 * median is drawn exactly, in constant time, whatever n is.
 */

import { quantileSorted } from './quantile.js';
import { createSeededRandom, type SeededRandom } from './random.js';

/** Options of {@link bootstrapMedianRatio}. */
export interface BootstrapOptions {
  /** Resamples drawn. @default 10000 */
  readonly resamples?: number;
  /** Confidence level. @default 0.95 */
  readonly level?: number;
  /** Seed of the generator; the same seed and samples give the same interval. @default 1 */
  readonly seed?: number;
}

/** The interval's bounds; `NaN` when a sample is empty or the baseline's medians reach 0. */
export interface RatioInterval {
  readonly low: number;
  readonly high: number;
}

/** The default number of resamples. */
export const DEFAULT_RESAMPLES = 10_000;

/**
 * The percentile bootstrap interval of median(candidate) / median(baseline), both samples sorted
 * ascending. Each side is resampled independently (unpaired samples).
 */
export function bootstrapMedianRatio(
  baselineSorted: ArrayLike<number>,
  candidateSorted: ArrayLike<number>,
  options: BootstrapOptions = {},
): RatioInterval {
  const resamples = options.resamples ?? DEFAULT_RESAMPLES;
  const level = options.level ?? 0.95;
  if (baselineSorted.length === 0 || candidateSorted.length === 0) {
    return { low: Number.NaN, high: Number.NaN };
  }
  const random = createSeededRandom(options.seed ?? 1);
  const ratios = new Float64Array(resamples);
  for (let i = 0; i < resamples; i++) {
    const base = resampledMedian(baselineSorted, random);
    const candidate = resampledMedian(candidateSorted, random);
    ratios[i] = base > 0 ? candidate / base : Number.NaN;
  }
  ratios.sort();
  if (Number.isNaN(ratios[resamples - 1]!)) return { low: Number.NaN, high: Number.NaN };
  const alpha = (1 - level) / 2;
  return { low: quantileSorted(ratios, alpha), high: quantileSorted(ratios, 1 - alpha) };
}

/** The median of one bootstrap resample of `sorted` (see the module comment). */
export function resampledMedian(sorted: ArrayLike<number>, random: SeededRandom): number {
  const n = sorted.length;
  if (n === 1) return sorted[0]!;
  const at = (v: number) => sorted[Math.min(Math.floor(n * v), n - 1)]!;
  const k = n % 2 === 1 ? (n + 1) / 2 : n / 2;
  const vk = random.beta(k, n - k + 1);
  if (n % 2 === 1) return at(vk);
  const vNext = vk - (1 - vk) * Math.expm1(Math.log(random.uniform()) / (n - k));
  return (at(vk) + at(vNext)) / 2;
}
