/**
 * A {@link Comparison} as text for a terminal, a Markdown table (for a GitHub job summary), JSON
 * or CSV. Pure: a comparison in, a string out.
 */

import { formatDuration, formatMemory, formatRatio } from './_format.js';
import { type BenchmarkComparison, type Comparison, formatP, type SideStats } from './compare.js';

/** The output formats of `microbench compare`. */
export const COMPARE_FORMATS = ['text', 'markdown', 'json', 'csv'] as const;

/** An output format. */
export type CompareFormat = (typeof COMPARE_FORMATS)[number];

/** Render a comparison in `format`. */
export function renderComparison(comparison: Comparison, format: CompareFormat): string {
  switch (format) {
    case 'text':
      return renderComparisonText(comparison);
    case 'markdown':
      return renderComparisonMarkdown(comparison);
    case 'json':
      return `${JSON.stringify(toComparisonJson(comparison), null, 2)}\n`;
    case 'csv':
      return renderComparisonCsv(comparison);
  }
}

/**
 * The headline of one benchmark as people say it: `parse: 1.10 ± 0.02 × slower (p = 3e-8)`.
 * A faster candidate is said the other way round (`1.25 ± 0.03 × faster`: the baseline's median
 * over the candidate's); `same` says whether the difference was not significant or under the
 * threshold.
 */
export function renderHeadline(r: BenchmarkComparison, threshold: number): string {
  const p = r.pValue === 0 ? 'p < 1e-300' : `p = ${formatP(r.pValue)}`;
  if (r.verdict === 'no-data') return `${r.name}: no verdict (a side has no successful iteration)`;
  if (!Number.isFinite(r.ratio)) {
    return `${r.name}: ${r.verdict}, no ratio: the baseline's median is 0 (${p})`;
  }
  if (r.verdict === 'faster') {
    const inverse = 1 / r.ratio;
    const spread = Math.max(1 / r.ratioCi[0] - inverse, inverse - 1 / r.ratioCi[1]);
    return `${r.name}: ${formatRatio(inverse)} ± ${formatRatio(spread)} × faster (${p})`;
  }
  const spread = Math.max(r.ratio - r.ratioCi[0], r.ratioCi[1] - r.ratio);
  const shown = `${formatRatio(r.ratio)} ± ${formatRatio(spread)} ×`;
  if (r.verdict === 'slower') return `${r.name}: ${shown} slower (${p})`;
  const why =
    Math.abs(r.ratio - 1) > threshold
      ? 'no significant difference'
      : `within ${percent(threshold)}`;
  return `${r.name}: same, ${shown} (${p}; ${why})`;
}

// Text: a headline per benchmark and its two sides beneath (the CLI prints warnings on stderr).
function renderComparisonText(c: Comparison): string {
  const lines: string[] = [];
  if (c.benchmarks.length === 0) lines.push('No benchmark to compare.');
  for (const r of c.benchmarks) {
    lines.push(renderHeadline(r, c.threshold));
    lines.push(`  baseline   ${sideText(r.baseline)}`);
    lines.push(`  candidate  ${sideText(r.candidate)}`);
    if (r.baseline.peakRssBytes !== null || r.candidate.peakRssBytes !== null) {
      const ratio = r.peakRssRatio === null ? '' : ` (× ${formatRatio(r.peakRssRatio)})`;
      lines.push(
        `  peak rss   ${formatMemory(r.baseline.peakRssBytes)} → ${formatMemory(r.candidate.peakRssBytes)}${ratio}`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

// `n = 200  median 10.02 ms  mean 10.05 ms ± 0.07 ms  (3 failed)`.
function sideText(s: SideStats): string {
  const half = (s.ci[1] - s.ci[0]) / 2;
  const parts = [
    `n = ${s.n}`,
    `median ${formatDuration(s.median)}`,
    `mean ${formatDuration(s.mean)}${Number.isFinite(half) ? ` ± ${formatDuration(half)}` : ''}`,
  ];
  const left = failures(s);
  return `${parts.join('  ')}${left ? `  (${left})` : ''}`;
}

// `3 failed, 1 timed out`, or '' when every iteration succeeded.
function failures(s: SideStats): string {
  const parts: string[] = [];
  if (s.failed > 0) parts.push(`${s.failed} failed`);
  if (s.timedOut > 0) parts.push(`${s.timedOut} timed out`);
  if (s.interrupted > 0) parts.push(`${s.interrupted} interrupted`);
  return parts.join(', ');
}

// Markdown: one table row per benchmark, warnings as a quote below.
function renderComparisonMarkdown(c: Comparison): string {
  const lines = [
    '| Benchmark | Baseline median | Candidate median | Ratio (95% CI) | p-value | Verdict |',
    '| :-- | --: | --: | --: | --: | :-- |',
  ];
  for (const r of c.benchmarks) {
    const ratio = Number.isFinite(r.ratio)
      ? `${formatRatio(r.ratio)} (${formatRatio(r.ratioCi[0])}–${formatRatio(r.ratioCi[1])})`
      : '-';
    const verdict =
      r.verdict === 'slower' || r.verdict === 'faster' ? `**${r.verdict}**` : r.verdict;
    lines.push(
      `| ${escapeCell(r.name)} | ${formatDuration(r.baseline.median)} (n=${r.baseline.n}) | ${formatDuration(r.candidate.median)} (n=${r.candidate.n}) | ${ratio} | ${formatP(r.pValue)} | ${verdict} |`,
    );
  }
  if (c.warnings.length > 0) {
    lines.push('');
    for (const w of c.warnings) lines.push(`> **Warning:** ${escapeCell(w)}`);
  }
  return `${lines.join('\n')}\n`;
}

// A table cell: pipes escaped, line breaks as spaces.
function escapeCell(text: string): string {
  return text.replaceAll('|', '\\|').replace(/\r?\n/g, ' ');
}

/** The CSV header of {@link renderComparisonCsv}. */
export const COMPARE_CSV_COLUMNS = [
  'name',
  'baseline_n',
  'baseline_failed',
  'baseline_median_s',
  'baseline_mean_s',
  'baseline_ci_low_s',
  'baseline_ci_high_s',
  'candidate_n',
  'candidate_failed',
  'candidate_median_s',
  'candidate_mean_s',
  'candidate_ci_low_s',
  'candidate_ci_high_s',
  'ratio',
  'ratio_ci_low',
  'ratio_ci_high',
  'p_value',
  'verdict',
  'baseline_peak_rss_bytes',
  'candidate_peak_rss_bytes',
] as const;

// CSV (RFC 4180): one row per benchmark; a value that does not exist is an empty cell.
function renderComparisonCsv(c: Comparison): string {
  const rows = [COMPARE_CSV_COLUMNS.join(',')];
  for (const r of c.benchmarks) {
    const side = (s: SideStats) => [
      s.n,
      s.failed + s.timedOut + s.interrupted,
      s.median,
      s.mean,
      s.ci[0],
      s.ci[1],
    ];
    const cells: unknown[] = [
      r.name,
      ...side(r.baseline),
      ...side(r.candidate),
      r.ratio,
      r.ratioCi[0],
      r.ratioCi[1],
      r.pValue,
      r.verdict,
      r.baseline.peakRssBytes,
      r.candidate.peakRssBytes,
    ];
    rows.push(cells.map(csvCell).join(','));
  }
  return `${rows.join('\r\n')}\r\n`;
}

/** One CSV cell: numbers as they are (empty for NaN/null), text quoted when it must be. */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** The JSON shape of a comparison (DESIGN §8): snake_case keys, seconds, `null` for NaN. */
export function toComparisonJson(c: Comparison): Record<string, unknown> {
  const num = (v: number) => (Number.isFinite(v) ? v : null);
  const side = (s: SideStats) => ({
    n: s.n,
    failed: s.failed,
    timed_out: s.timedOut,
    interrupted: s.interrupted,
    records: s.records,
    median: num(s.median),
    mean: num(s.mean),
    ci: [num(s.ci[0]), num(s.ci[1])],
    stdev: num(s.stdev),
    min: num(s.min),
    max: num(s.max),
    peak_rss_bytes: s.peakRssBytes,
  });
  return {
    threshold: c.threshold,
    alpha: c.alpha,
    benchmarks: c.benchmarks.map((r) => ({
      name: r.name,
      baseline: side(r.baseline),
      candidate: side(r.candidate),
      ratio: num(r.ratio),
      ratio_ci: [num(r.ratioCi[0]), num(r.ratioCi[1])],
      p_value: num(r.pValue),
      p_method: r.pMethod,
      verdict: r.verdict,
      peak_rss_ratio: r.peakRssRatio,
      iterations_needed: r.iterationsNeeded,
    })),
    baseline_only: c.baselineOnly,
    candidate_only: c.candidateOnly,
    environment_differences: c.environmentDifferences.map((d) => ({
      field: d.field,
      baseline: d.baseline.map((v) => JSON.parse(v) as unknown),
      candidate: d.candidate.map((v) => JSON.parse(v) as unknown),
    })),
    warnings: c.warnings,
  };
}

// 0.02 → `2%`.
function percent(fraction: number): string {
  return `${Number((fraction * 100).toPrecision(6))}%`;
}
