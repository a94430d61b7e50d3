// internal: small statistics and number formatting for the benchmark harness.

/** Values sorted ascending (a copy). */
export function sorted(values: readonly number[]): number[] {
  return [...values].sort((a, b) => a - b);
}

/** The `p`-th percentile (0..100) with linear interpolation; NaN for no values. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const s = sorted(values);
  const rank = (p / 100) * (s.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return s[lo]! + (s[hi]! - s[lo]!) * (rank - lo);
}

/** The median (50th percentile). */
export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

/** The arithmetic mean; NaN for no values. */
export function mean(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

/** The smallest value; NaN for no values. */
export function minimum(values: readonly number[]): number {
  return values.length === 0 ? Number.NaN : Math.min(...values);
}

/** The largest value; NaN for no values. */
export function maximum(values: readonly number[]): number {
  return values.length === 0 ? Number.NaN : Math.max(...values);
}

/**
 * Theil–Sen slope of the points (xs[i], ys[i]): the median of the slopes of every pair. One
 * outlier among five points, or about 29 % of many, does not move it (a least-squares line or
 * a median of halves would).
 */
export function theilSenSlope(xs: readonly number[], ys: readonly number[]): number {
  const slopes: number[] = [];
  for (let i = 0; i < xs.length; i++)
    for (let j = i + 1; j < xs.length; j++)
      if (xs[j] !== xs[i]) slopes.push((ys[j]! - ys[i]!) / (xs[j]! - xs[i]!));
  return slopes.length > 0 ? median(slopes) : 0;
}

/** A number with `digits` significant digits, without exponent notation for usual sizes. */
export function formatNumber(value: number, digits = 3): string {
  if (!Number.isFinite(value)) return String(value);
  if (value === 0) return '0';
  const magnitude = Math.floor(Math.log10(Math.abs(value)));
  const decimals = Math.max(0, digits - 1 - magnitude);
  return value.toLocaleString('en-US', {
    maximumFractionDigits: Math.min(decimals, 6),
    minimumFractionDigits: 0,
  });
}

/** Microseconds, e.g. `2.41 µs` (switches to ms from 10,000 µs). */
export function formatUs(us: number): string {
  if (Math.abs(us) >= 10_000) return formatMs(us / 1000);
  return `${formatNumber(us)} µs`;
}

/** Milliseconds, e.g. `12.3 ms` (switches to s from 10,000 ms). */
export function formatMs(ms: number): string {
  if (Math.abs(ms) >= 10_000) return `${formatNumber(ms / 1000)} s`;
  if (Math.abs(ms) < 0.1 && ms !== 0) return `${formatNumber(ms * 1000)} µs`;
  return `${formatNumber(ms)} ms`;
}

/** Bytes in binary units, e.g. `1.5 MiB`. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${formatNumber(value)} ${units[unit]}`;
}

/** A percentage, e.g. `0.42 %`. */
export function formatPercent(percent: number): string {
  return `${formatNumber(percent, 3)} %`;
}

/** A ratio, e.g. `×3.1`. */
export function formatRatio(ratio: number): string {
  return `×${formatNumber(ratio, 3)}`;
}

/** A count with thousands separators. */
export function formatCount(count: number): string {
  return Math.round(count).toLocaleString('en-US');
}

/** Milliseconds elapsed since `start` (a `performance.now()` reading). */
export function since(start: number): number {
  return performance.now() - start;
}

/** Resolve after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Run a full garbage collection when node runs with --expose-gc (so one batch's garbage is not collected during the next). */
export function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/** A copy of `items` in a random order (Fisher–Yates). */
export function shuffled<T>(items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
