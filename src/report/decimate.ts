/**
 * Decimation for drawing: a chart never needs more points than it has pixels, so long series
 * are cut down to about `maxPoints` by min/max buckets (every bucket keeps its lowest and its
 * highest value, in the order they happened), so spikes and dips survive.
 *
 * ```
 * series (x ascending) ──► alignSeries ──► [xs, ys0, ys1, ...]   (uPlot's aligned table)
 *                            │ few points in all: exact union of x, no loss
 *                            └ many points: shared grid of maxPoints slots, 2 per bucket
 * ```
 */

import { OptionError } from '../errors.js';

/** One series as parallel arrays; `xs` ascending; a `null` y is a missing value. */
export interface XYSeries {
  readonly xs: readonly number[];
  readonly ys: readonly (number | null)[];
}

/** uPlot's aligned data: one shared x array, then one y array per series (`null`: no value there). */
export type AlignedData = [xs: number[], ...ys: (number | null)[][]];

/** The result of {@link alignSeries}. */
export interface AlignedSeries {
  readonly data: AlignedData;
  /** True when points were dropped to fit the budget. */
  readonly decimated: boolean;
}

/** How many points a chart draws at most, by default. */
export const DEFAULT_MAX_POINTS = 2000;

/**
 * Cut one series down to at most `maxPoints` points (at least 4): the first and last points are
 * kept, the rest are split into equal-width x buckets and each bucket keeps its minimum and
 * maximum (with their real x, in time order). Missing (`null`) values are dropped.
 */
export function decimateMinMax(series: XYSeries, maxPoints = DEFAULT_MAX_POINTS): XYSeries {
  validateMaxPoints(maxPoints);
  const { xs, ys } = series;
  const n = Math.min(xs.length, ys.length);
  if (n <= maxPoints) return { xs: xs.slice(0, n), ys: ys.slice(0, n) };
  const outX: number[] = [xs[0]!];
  const outY: (number | null)[] = [ys[0]!];
  const buckets = Math.floor((maxPoints - 2) / 2);
  const first = xs[1]!;
  const width = (xs[n - 2]! - first) / buckets || 1;
  let bucket = -1;
  let minI = -1;
  let maxI = -1;
  const flush = (): void => {
    if (minI < 0) return;
    const a = Math.min(minI, maxI);
    const b = Math.max(minI, maxI);
    outX.push(xs[a]!);
    outY.push(ys[a]!);
    if (b !== a) {
      outX.push(xs[b]!);
      outY.push(ys[b]!);
    }
  };
  for (let i = 1; i < n - 1; i++) {
    const y = ys[i];
    if (y === null || y === undefined) continue;
    const b = Math.min(buckets - 1, Math.floor((xs[i]! - first) / width));
    if (b !== bucket) {
      flush();
      bucket = b;
      minI = i;
      maxI = i;
    } else {
      if (y < ys[minI]!) minI = i;
      if (y > ys[maxI]!) maxI = i;
    }
  }
  flush();
  outX.push(xs[n - 1]!);
  outY.push(ys[n - 1]!);
  return { xs: outX, ys: outY };
}

/**
 * Put several series on one shared x axis, as uPlot wants. When all points together fit in
 * `maxPoints`, x values are joined exactly (a series has `null` where others have points). Otherwise
 * the x range is cut into `maxPoints / 2` buckets with two slots each: every series puts its
 * minimum and maximum of the bucket in the slots, in time order (one value goes to the nearer slot).
 */
export function alignSeries(
  series: readonly XYSeries[],
  maxPoints = DEFAULT_MAX_POINTS,
): AlignedSeries {
  validateMaxPoints(maxPoints);
  if (series.length === 0) return { data: [[]], decimated: false };
  const first = series[0]!;
  if (series.every((s) => sameXs(s.xs, first.xs))) {
    if (first.xs.length <= maxPoints) {
      return {
        data: [first.xs.slice(), ...series.map((s) => s.ys.slice(0, first.xs.length))],
        decimated: false,
      };
    }
    if (series.length === 1) {
      const d = decimateMinMax(first, maxPoints);
      return { data: [d.xs.slice(), d.ys.slice()], decimated: true };
    }
  }
  let total = 0;
  for (const s of series) total += s.xs.length;
  if (total <= maxPoints) return { data: joinExact(series), decimated: false };
  return { data: joinOnGrid(series, maxPoints), decimated: true };
}

// Union of all x values; each series gets its values at its x and null elsewhere.
function joinExact(series: readonly XYSeries[]): AlignedData {
  const all = new Float64Array(series.reduce((n, s) => n + s.xs.length, 0));
  let k = 0;
  for (const s of series) for (const x of s.xs) all[k++] = x;
  all.sort();
  const xs: number[] = [];
  for (const x of all) if (xs.length === 0 || xs[xs.length - 1] !== x) xs.push(x);
  const index = new Map<number, number>();
  xs.forEach((x, i) => {
    index.set(x, i);
  });
  const columns = series.map((s) => {
    const col: (number | null)[] = new Array<number | null>(xs.length).fill(null);
    s.xs.forEach((x, i) => {
      col[index.get(x)!] = s.ys[i] ?? null;
    });
    return col;
  });
  return [xs, ...columns];
}

// Min/max per bucket on a grid of 2 slots per bucket shared by all series.
function joinOnGrid(series: readonly XYSeries[], maxPoints: number): AlignedData {
  let xmin = Number.POSITIVE_INFINITY;
  let xmax = Number.NEGATIVE_INFINITY;
  for (const s of series) {
    if (s.xs.length === 0) continue;
    xmin = Math.min(xmin, s.xs[0]!);
    xmax = Math.max(xmax, s.xs[s.xs.length - 1]!);
  }
  if (!Number.isFinite(xmin) || xmax === xmin) {
    const x = Number.isFinite(xmin) ? xmin : 0;
    return [[x], ...series.map((s) => [lastValue(s.ys)])];
  }
  const buckets = Math.floor(maxPoints / 2);
  const slots = buckets * 2;
  const width = (xmax - xmin) / buckets;
  const xs = Array.from({ length: slots }, (_, k) => xmin + (k * (xmax - xmin)) / (slots - 1));
  const minI = new Int32Array(buckets);
  const maxI = new Int32Array(buckets);
  const columns = series.map((s) => {
    minI.fill(-1);
    maxI.fill(-1);
    const n = Math.min(s.xs.length, s.ys.length);
    for (let i = 0; i < n; i++) {
      const y = s.ys[i];
      if (y === null || y === undefined) continue;
      const b = Math.min(buckets - 1, Math.floor((s.xs[i]! - xmin) / width));
      if (minI[b]! < 0) {
        minI[b] = i;
        maxI[b] = i;
      } else {
        if (y < s.ys[minI[b]!]!) minI[b] = i;
        if (y > s.ys[maxI[b]!]!) maxI[b] = i;
      }
    }
    const col: (number | null)[] = new Array<number | null>(slots).fill(null);
    for (let b = 0; b < buckets; b++) {
      const lo = minI[b]!;
      if (lo < 0) continue;
      const hi = maxI[b]!;
      if (lo === hi) {
        const nearSecond = (s.xs[lo]! - xmin) / width - b >= 0.5;
        col[2 * b + (nearSecond ? 1 : 0)] = s.ys[lo]!;
      } else {
        col[2 * b] = s.ys[Math.min(lo, hi)]!;
        col[2 * b + 1] = s.ys[Math.max(lo, hi)]!;
      }
    }
    return col;
  });
  return [xs, ...columns];
}

// The last non-null value of a series, or null.
function lastValue(ys: readonly (number | null)[]): number | null {
  for (let i = ys.length - 1; i >= 0; i--) if (ys[i] !== null && ys[i] !== undefined) return ys[i]!;
  return null;
}

// Whether two x arrays are the same array or hold the same values.
function sameXs(a: readonly number[], b: readonly number[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

// Throws on a budget too small to keep first, last, a minimum and a maximum.
function validateMaxPoints(maxPoints: number): void {
  if (!Number.isInteger(maxPoints) || maxPoints < 4) {
    throw new OptionError(
      `Expected \`maxPoints\` to be an integer of at least 4, got \`${String(maxPoints)}\` ` +
        `(${typeof maxPoints}). Pass a drawing budget such as ${DEFAULT_MAX_POINTS}.`,
    );
  }
}
