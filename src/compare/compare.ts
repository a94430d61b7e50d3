/**
 * Is the candidate faster or slower than the baseline, and how sure are we (DESIGN §8).
 *
 *   baseline samples ─┐   matched by name    per benchmark: n, median, mean ± 95 % CI (t),
 *                     ├──────────────────►   ratio of medians + seeded bootstrap 95 % CI,
 *   candidate samples ┘                      Mann–Whitney U p-value ──► verdict
 *
 * Verdict: `slower` / `faster` when the p-value is below `alpha` and the medians differ by more
 * than `threshold`; `same` otherwise (not significant, or a smaller difference); `no-data` when a
 * side has no successful iteration. Environment fields that differ between the sides, and sample
 * sizes too small for any verdict, come back as warnings.
 */

import { OptionError } from '../errors.js';
import type { AnyRecord } from '../record/_layout-fields.js';
import { bootstrapMedianRatio, DEFAULT_RESAMPLES } from '../stats/bootstrap.js';
import { mannWhitneyU } from '../stats/mann-whitney.js';
import { meanWithInterval } from '../stats/mean-ci.js';
import { medianSorted } from '../stats/quantile.js';
import {
  diffEnvironments,
  type EnvironmentDifference,
  mergeEnvironments,
  renderEnvironmentDifferences,
} from './_environment.js';
import { type BenchmarkSamples, type CollectOptions, collectSamples } from './samples.js';

export type { EnvironmentDifference } from './_environment.js';

/** What a comparison says of a benchmark. */
export type Verdict = 'faster' | 'slower' | 'same' | 'no-data';

/** Options of {@link compare}, {@link compareSamples} and {@link compareWithin}. */
export interface CompareOptions extends CollectOptions {
  /** A relative difference of medians at or below this is `same` (0.02 = 2 %). @default 0.02 */
  readonly threshold?: number;
  /** A p-value below this is significant. @default 0.05 */
  readonly alpha?: number;
  /** Seed of the bootstrap; the same inputs and seed give the same intervals. @default 1 */
  readonly seed?: number;
  /** Bootstrap resamples. @default 10000 */
  readonly resamples?: number;
}

/** The numbers of one side of one benchmark; durations in seconds, `NaN` where none exist. */
export interface SideStats {
  /** Successful iterations. */
  readonly n: number;
  readonly failed: number;
  readonly timedOut: number;
  readonly interrupted: number;
  readonly records: number;
  readonly median: number;
  readonly mean: number;
  /** 95 % confidence interval of the mean (Student's t), `[low, high]`. */
  readonly ci: readonly [number, number];
  readonly stdev: number;
  readonly min: number;
  readonly max: number;
  readonly peakRssBytes: number | null;
}

/** One benchmark compared. */
export interface BenchmarkComparison {
  readonly name: string;
  readonly baseline: SideStats;
  readonly candidate: SideStats;
  /** median(candidate) / median(baseline): above 1 is slower. */
  readonly ratio: number;
  /** Percentile bootstrap 95 % interval of the ratio, `[low, high]`. */
  readonly ratioCi: readonly [number, number];
  /** Two-sided Mann–Whitney U p-value. */
  readonly pValue: number;
  /** How the p-value was computed. */
  readonly pMethod: 'exact' | 'asymptotic' | null;
  readonly verdict: Verdict;
  /** Candidate peak RSS / baseline peak RSS, or null when a side has none. */
  readonly peakRssRatio: number | null;
  /** Set when n is too small for any verdict: how many iterations per side would do. */
  readonly iterationsNeeded: number | null;
}

/** A whole comparison. */
export interface Comparison {
  readonly benchmarks: BenchmarkComparison[];
  /** Benchmarks found on one side only. */
  readonly baselineOnly: string[];
  readonly candidateOnly: string[];
  /** Environment fields whose values differ between the sides. */
  readonly environmentDifferences: EnvironmentDifference[];
  /** Sentences for the user: environment differences, unmatched names, too-small samples. */
  readonly warnings: string[];
  readonly threshold: number;
  readonly alpha: number;
}

/** Check the numeric options. @throws OptionError naming the option, what was expected and got */
export function validateCompareOptions(options: CompareOptions): void {
  const check = (name: string, value: unknown, ok: (v: number) => boolean, expected: string) => {
    if (value === undefined) return;
    if (typeof value !== 'number' || !ok(value)) {
      throw new OptionError(
        `Expected \`${name}\` to be ${expected}, got \`${String(value)}\` (${typeof value})`,
      );
    }
  };
  check(
    'threshold',
    options.threshold,
    (v) => v >= 0 && Number.isFinite(v),
    'a fraction of at least 0 (0.02 = 2 %)',
  );
  check('alpha', options.alpha, (v) => v > 0 && v < 1, 'a probability between 0 and 1');
  check(
    'resamples',
    options.resamples,
    (v) => Number.isSafeInteger(v) && v >= 100,
    'a whole number of at least 100',
  );
  check('seed', options.seed, (v) => Number.isSafeInteger(v), 'a whole number');
}

/** The default `threshold`: 2 %. */
export const DEFAULT_THRESHOLD = 0.02;
/** The default significance level. */
export const DEFAULT_ALPHA = 0.05;

/**
 * Compare two sets of records (any layout) benchmark by benchmark, matched by function name or
 * command (or `options.by`). Only successful iterations count; failures are counted apart.
 */
export function compare(
  baseline: Iterable<AnyRecord>,
  candidate: Iterable<AnyRecord>,
  options: CompareOptions = {},
): Comparison {
  validateCompareOptions(options);
  return compareSamples(
    collectSamples(baseline, options),
    collectSamples(candidate, options),
    options,
  );
}

/**
 * Compare the benchmarks of one set of records against one of them: `baselineName`, or the
 * first one (as hyperfine's relative speed does).
 */
export function compareWithin(
  records: Iterable<AnyRecord>,
  options: CompareOptions & { readonly baselineName?: string } = {},
): Comparison {
  validateCompareOptions(options);
  return compareSamplesWithin(collectSamples(records, options), options);
}

/** {@link compareWithin} for benchmarks already gathered. */
export function compareSamplesWithin(
  benchmarks: readonly BenchmarkSamples[],
  options: CompareOptions & { readonly baselineName?: string } = {},
): Comparison {
  validateCompareOptions(options);
  const base =
    options.baselineName === undefined
      ? benchmarks[0]
      : benchmarks.find((b) => b.name === options.baselineName);
  if (base === undefined) {
    throw new OptionError(
      options.baselineName === undefined
        ? 'There is no benchmark to compare against: the records hold none'
        : `There is no benchmark named ${JSON.stringify(options.baselineName)}; the records hold ${benchmarks.map((b) => JSON.stringify(b.name)).join(', ') || 'none'}`,
    );
  }
  const threshold = options.threshold ?? DEFAULT_THRESHOLD;
  const alpha = options.alpha ?? DEFAULT_ALPHA;
  const results: BenchmarkComparison[] = [];
  const warnings: string[] = [];
  const differences: EnvironmentDifference[] = [];
  for (const other of benchmarks) {
    if (other === base) continue;
    const result = compareOne(`${other.name} vs ${base.name}`, base, other, options);
    results.push(result);
    const diff = diffEnvironments(base.environment, other.environment);
    if (diff.length > 0) {
      differences.push(...diff);
      warnings.push(
        `${other.name} and ${base.name}: not the same environment: ${renderEnvironmentDifferences(diff)}`,
      );
    }
  }
  warnings.push(...sampleSizeWarnings(results, alpha));
  return {
    benchmarks: results,
    baselineOnly: [],
    candidateOnly: [],
    environmentDifferences: differences,
    warnings,
    threshold,
    alpha,
  };
}

/** Compare benchmarks already gathered (the CLI reads files into samples, then calls this). */
export function compareSamples(
  baseline: readonly BenchmarkSamples[],
  candidate: readonly BenchmarkSamples[],
  options: CompareOptions = {},
): Comparison {
  validateCompareOptions(options);
  const threshold = options.threshold ?? DEFAULT_THRESHOLD;
  const alpha = options.alpha ?? DEFAULT_ALPHA;
  const byName = new Map(candidate.map((c) => [c.name, c]));
  const results: BenchmarkComparison[] = [];
  const baselineOnly: string[] = [];
  for (const base of baseline) {
    const other = byName.get(base.name);
    if (other === undefined) baselineOnly.push(base.name);
    else results.push(compareOne(base.name, base, other, options));
  }
  const matched = new Set(baseline.map((b) => b.name));
  const candidateOnly = candidate.filter((c) => !matched.has(c.name)).map((c) => c.name);
  const environmentDifferences = diffEnvironments(
    mergeEnvironments(baseline.map((b) => b.environment)),
    mergeEnvironments(candidate.map((c) => c.environment)),
  );
  const warnings: string[] = [];
  if (environmentDifferences.length > 0) {
    warnings.push(
      `not the same environment: ${renderEnvironmentDifferences(environmentDifferences)}`,
    );
  }
  if (results.length === 0 && (baselineOnly.length > 0 || candidateOnly.length > 0)) {
    warnings.push(
      'no benchmark is on both sides: match them by another field with --by FIELD (options.by)',
    );
  }
  if (baselineOnly.length > 0) warnings.push(`only in the baseline: ${baselineOnly.join(', ')}`);
  if (candidateOnly.length > 0) warnings.push(`only in the candidate: ${candidateOnly.join(', ')}`);
  warnings.push(...sampleSizeWarnings(results, alpha));
  return {
    benchmarks: results,
    baselineOnly,
    candidateOnly,
    environmentDifferences,
    warnings,
    threshold,
    alpha,
  };
}

/**
 * The benchmarks `--fail-on-regression` fails on: verdict `slower` and a ratio of medians above
 * 1 + `limit` (0.05 = 5 %); a slower benchmark whose baseline median is 0 exceeds any limit.
 */
export function findRegressions(comparison: Comparison, limit: number): BenchmarkComparison[] {
  return comparison.benchmarks.filter(
    (r) => r.verdict === 'slower' && (Number.isNaN(r.ratio) || r.ratio - 1 > limit),
  );
}

/** The statistics of one side: n, median, mean with its 95 % CI, stdev, min, max. */
export function describeSamples(samples: BenchmarkSamples): SideStats {
  const sorted = samples.durations.sorted();
  const m = meanWithInterval(sorted);
  return {
    n: sorted.length,
    failed: samples.failed,
    timedOut: samples.timedOut,
    interrupted: samples.interrupted,
    records: samples.records,
    median: medianSorted(sorted),
    mean: m.mean,
    ci: [m.low, m.high],
    stdev: m.stdev,
    min: sorted.length > 0 ? sorted[0]! : Number.NaN,
    max: sorted.length > 0 ? sorted[sorted.length - 1]! : Number.NaN,
    peakRssBytes: samples.peakRssBytes,
  };
}

/**
 * The fewest successful iterations per side for which a p-value below `alpha` is possible at
 * all: the exact test's smallest two-sided p-value for n and n values is 2 / C(2n, n).
 */
export function iterationsForAnyVerdict(alpha = DEFAULT_ALPHA): number {
  for (let n = 1; ; n++) if (smallestPValue(n, n) < alpha) return n;
}

/** The smallest two-sided Mann–Whitney p-value samples of n1 and n2 values can give: 2 / C(n1+n2, n1). */
export function smallestPValue(n1: number, n2: number): number {
  let combinations = 1;
  const m = Math.min(n1, n2);
  for (let i = 1; i <= m; i++) combinations = (combinations * (Math.max(n1, n2) + i)) / i;
  return Math.min(1, 2 / combinations);
}

// One benchmark's two sides, compared.
function compareOne(
  name: string,
  baseline: BenchmarkSamples,
  candidate: BenchmarkSamples,
  options: CompareOptions,
): BenchmarkComparison {
  const threshold = options.threshold ?? DEFAULT_THRESHOLD;
  const alpha = options.alpha ?? DEFAULT_ALPHA;
  const a = describeSamples(baseline);
  const b = describeSamples(candidate);
  const peakRssRatio =
    a.peakRssBytes !== null && b.peakRssBytes !== null && a.peakRssBytes > 0
      ? b.peakRssBytes / a.peakRssBytes
      : null;
  if (a.n === 0 || b.n === 0) {
    return {
      name,
      baseline: a,
      candidate: b,
      ratio: Number.NaN,
      ratioCi: [Number.NaN, Number.NaN],
      pValue: Number.NaN,
      pMethod: null,
      verdict: 'no-data',
      peakRssRatio,
      iterationsNeeded: null,
    };
  }
  const xs = baseline.durations.sorted();
  const ys = candidate.durations.sorted();
  const test = mannWhitneyU(xs, ys, { sorted: true });
  const ratio = a.median > 0 ? b.median / a.median : Number.NaN;
  const interval = bootstrapMedianRatio(xs, ys, {
    seed: options.seed ?? 1,
    resamples: options.resamples ?? DEFAULT_RESAMPLES,
  });
  const significant = test.pValue < alpha;
  // A baseline median of 0 has no ratio: any significant increase is slower.
  const slower = Number.isNaN(ratio) ? b.median > 0 : ratio - 1 > threshold;
  const verdict: Verdict =
    significant && slower ? 'slower' : significant && 1 - ratio > threshold ? 'faster' : 'same';
  const tooSmall = smallestPValue(a.n, b.n) >= alpha;
  return {
    name,
    baseline: a,
    candidate: b,
    ratio,
    ratioCi: [interval.low, interval.high],
    pValue: test.pValue,
    pMethod: test.method,
    verdict,
    peakRssRatio,
    iterationsNeeded: tooSmall ? iterationsForAnyVerdict(alpha) : null,
  };
}

// One warning per benchmark whose samples cannot give a significant p-value, or have no data.
function sampleSizeWarnings(results: readonly BenchmarkComparison[], alpha: number): string[] {
  const out: string[] = [];
  for (const r of results) {
    if (r.verdict === 'no-data') {
      const side = r.baseline.n === 0 ? 'the baseline' : 'the candidate';
      out.push(`${r.name}: ${side} has no successful iteration, so no verdict`);
    } else if (r.iterationsNeeded !== null) {
      out.push(
        `${r.name}: n = ${r.baseline.n} vs ${r.candidate.n} is too small for any verdict ` +
          `(the smallest possible p-value is ${formatP(smallestPValue(r.baseline.n, r.candidate.n))}, ` +
          `not below ${alpha}); run at least ${r.iterationsNeeded} successful iterations on each side`,
      );
    }
  }
  return out;
}

/** A p-value as people read it: `0.43`, `0.012`, `3e-8`, `< 1e-300`. */
export function formatP(p: number): string {
  if (Number.isNaN(p)) return '-';
  if (p === 0) return '< 1e-300';
  if (p >= 0.01) return String(Number(p.toPrecision(2)));
  if (p >= 0.001) return p.toFixed(3);
  return p.toExponential(0);
}
