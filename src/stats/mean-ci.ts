/** The mean of a sample with its t-based confidence interval. */

import { studentTQuantile } from './student-t.js';

/** A mean, its sample standard deviation and its two-sided confidence interval. */
export interface MeanWithInterval {
  readonly n: number;
  /** `NaN` when the sample is empty. */
  readonly mean: number;
  /** Sample standard deviation (n − 1); `NaN` below two values. */
  readonly stdev: number;
  /** Lower bound of the interval; `NaN` below two values. */
  readonly low: number;
  /** Upper bound of the interval; `NaN` below two values. */
  readonly high: number;
}

/**
 * The mean of `values` with its `level` confidence interval from Student's t
 * (mean ± t(1 − α/2, n − 1) · s / √n; SciPy's `t.interval(level, n-1, mean, sem)`).
 *
 * @param level - Confidence level, between 0 and 1. @default 0.95
 */
export function meanWithInterval(values: ArrayLike<number>, level = 0.95): MeanWithInterval {
  const n = values.length;
  if (n === 0) {
    return { n, mean: Number.NaN, stdev: Number.NaN, low: Number.NaN, high: Number.NaN };
  }
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[i]!;
  const mean = sum / n;
  if (n < 2) return { n, mean, stdev: Number.NaN, low: Number.NaN, high: Number.NaN };
  let squares = 0;
  for (let i = 0; i < n; i++) squares += (values[i]! - mean) ** 2;
  const stdev = Math.sqrt(squares / (n - 1));
  const half = studentTQuantile(0.5 + level / 2, n - 1) * (stdev / Math.sqrt(n));
  return { n, mean, stdev, low: mean - half, high: mean + half };
}
