// internal: the SciPy reference values (made by fixtures/make-reference.py) and a closeness check.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

/** What fixtures/reference.json holds. */
export interface Reference {
  readonly ndtr: [number, number][];
  readonly t_ppf: [number, number, number][];
  readonly t_cdf: [number, number, number][];
  readonly quantile: { data: number[]; points: [number, number][] };
  readonly lognormal: {
    baseline: number[];
    slower: number[];
    same: number[];
    baseline_mean_ci: { mean: number; stdev: number; low: number; high: number };
    slower_mean_ci: { mean: number; stdev: number; low: number; high: number };
    slower_ratio: number;
    slower_ratio_ci: [number, number];
    slower_p: number;
    same_ratio: number;
    same_ratio_ci: [number, number];
    same_p: number;
  };
  readonly mannwhitneyu: {
    x: number[];
    y: number[];
    auto: [number, number];
    exact: [number, number];
    asymptotic: [number, number];
    asymptotic_no_continuity: [number, number];
  }[];
  readonly bootstrap_median_distribution: { sample: number[]; medians: [number, number][] }[];
}

/** The reference values. */
export const REFERENCE: Reference = JSON.parse(
  readFileSync(new URL('./fixtures/reference.json', import.meta.url), 'utf8'),
) as Reference;

/**
 * Assert |actual − expected| ≤ rtol·|expected| (or ≤ rtol when expected is 0); an expected
 * `null` (NaN in SciPy, written as null in JSON) expects NaN.
 */
export function assertClose(
  actual: number,
  expected: number | null,
  rtol: number,
  what: string,
): void {
  if (expected === null) {
    assert.ok(Number.isNaN(actual), `${what}: expected NaN, got ${actual}`);
    return;
  }
  const scale = expected === 0 ? 1 : Math.abs(expected);
  assert.ok(
    Math.abs(actual - expected) <= rtol * scale,
    `${what}: expected ${expected}, got ${actual} (relative error ${Math.abs(actual - expected) / scale})`,
  );
}
