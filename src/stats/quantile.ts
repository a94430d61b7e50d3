/** Quantiles and the median, with linear interpolation between order statistics (NumPy's default). */

/**
 * The `p` quantile (0 ≤ p ≤ 1) of values already sorted in ascending order, interpolating
 * linearly between the two nearest (NumPy's `quantile`, method `linear`; R's type 7).
 * `NaN` for an empty list.
 */
export function quantileSorted(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0 || Number.isNaN(p)) return Number.NaN;
  const position = Math.min(Math.max(p, 0), 1) * (n - 1);
  const below = Math.floor(position);
  const above = Math.min(below + 1, n - 1);
  const low = sorted[below]!;
  const fraction = position - below;
  return fraction === 0 ? low : low + (sorted[above]! - low) * fraction;
}

/** The median of values already sorted in ascending order (`NaN` when empty). */
export function medianSorted(sorted: ArrayLike<number>): number {
  return quantileSorted(sorted, 0.5);
}

/** The median of any list of numbers (sorted on a copy). */
export function median(values: ArrayLike<number>): number {
  return medianSorted(Float64Array.from(values).sort());
}
