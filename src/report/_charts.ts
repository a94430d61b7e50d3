// internal: the report's charts, built from a group's running aggregates: the duration
// distribution, durations and peak RSS by run (points: runs are discrete), durations by
// iteration, sub-timings stacked per run, telemetry per field, and the comparison across groups.

import { compareSamplesWithin, type Verdict } from '../compare/compare.js';
import type { BenchmarkSamples } from '../compare/samples.js';
import { OptionError } from '../errors.js';
import { quantileSorted } from '../stats/quantile.js';
import {
  chooseSecondsUnit,
  chooseUnit,
  classifyField,
  formatSeconds,
  roundRelative,
} from './_units.js';
import { type AlignedData, alignSeries, type XYSeries } from './decimate.js';

/** How a series is drawn: a line (telemetry over time), points (one per run or iteration),
 * marks (failed iterations, red crosses), bars (histogram, stacked sub-timings). */
export type SeriesStyle = 'line' | 'points' | 'marks' | 'bars';

/** One legend entry of a chart. */
export interface ChartSeries {
  readonly label: string;
  /** CSS colour. */
  readonly color: string;
  readonly style: SeriesStyle;
}

/** One chart, ready for uPlot: `data` is already in display units (`unit`). */
export interface ChartModel {
  /** Unique in the report, e.g. `c4`. */
  readonly id: string;
  /** Charts of one group share a cursor. */
  readonly groupId: string;
  readonly title: string;
  /** `elapsed`: seconds since each series' first sample; `run`/`iteration`: 1-based numbers;
   * `duration`: a duration (the distribution's bins). */
  readonly xKind: 'elapsed' | 'run' | 'iteration' | 'duration';
  readonly xLabel: string;
  readonly yLabel: string;
  /** `MiB`, `GiB`, `%`, `s`, `ms`... or `''`. */
  readonly unit: string;
  readonly series: readonly ChartSeries[];
  readonly data: AlignedData;
  /** Stacked bars: each series' own values (`data` holds the running totals). */
  readonly parts?: readonly (number | null)[][];
  /** Points before decimation, all series together. */
  readonly rawPoints: number;
  readonly decimated: boolean;
  /** The y axis starts at zero unless the reader zooms (durations, memory, percentages). */
  readonly yFromZero: boolean;
  /** A line under the title (what is drawn, how it was reduced). */
  readonly note: string;
}

/** A series of one run kept for drawing, per field (`ok`/`failed` for iterations). */
export interface SeriesSource {
  /** `run 3` or `run 3 · iter 2`. */
  readonly label: string;
  /** The label when the group has a single run: `iteration 2`. */
  readonly iterationLabel: string;
  readonly fields: Map<string, XYSeries & { readonly rawPoints?: number }>;
}

/** One benchmark in the comparison at the top of the report. */
export interface ComparisonRow {
  readonly groupId: string;
  readonly kind: 'function' | 'command';
  readonly name: string;
  readonly count: number;
  readonly medianS: number;
  readonly meanS: number;
  readonly minS: number;
  readonly p5S: number;
  readonly p25S: number;
  readonly p75S: number;
  readonly p95S: number;
  readonly maxS: number;
  /** Median / the reference's median. */
  readonly ratio: number;
  /** Seeded bootstrap 95 % interval of the ratio (`null` for the reference itself). */
  readonly ratioCi: readonly [number, number] | null;
  /** Two-sided Mann–Whitney U p-value against the reference (`null` for the reference). */
  readonly pValue: number | null;
  /** `faster`, `slower` or `same` than the reference (`null` for the reference). */
  readonly verdict: Verdict | null;
  readonly failed: number;
}

/** The benchmarks side by side, fastest first, relative to a reference. */
export interface ReportComparison {
  /** The name of the reference benchmark. */
  readonly reference: string;
  /** `baseline` when `--baseline` chose it, else `fastest`. */
  readonly referenceKind: 'baseline' | 'fastest';
  readonly rows: readonly ComparisonRow[];
  /** Not the same environment, samples too small for a verdict... (from `compare`). */
  readonly warnings: readonly string[];
}

/** What {@link durationCharts} draws from. */
export interface DurationChartInput {
  readonly groupId: string;
  readonly sortedDurations: Float64Array;
  /** Per run: median of successful iterations (`NaN`: none). */
  readonly runMedian: Float64Array;
  /** Per run: height of its failure mark (`NaN`: no failure). */
  readonly runFailedAt: Float64Array;
  /** Per run: peak RSS in bytes (`NaN`: unknown). */
  readonly runPeakRss: Float64Array;
  /** The runs whose iterations are drawn. */
  readonly iterationRuns: readonly SeriesSource[];
  readonly maxIterations: number;
  readonly singleIterationRuns: boolean;
  readonly maxPoints: number;
  readonly nextChartId: () => string;
}

const TABLEAU_10 = [
  '#4e79a7',
  '#f28e2b',
  '#e15759',
  '#76b7b2',
  '#59a14f',
  '#edc948',
  '#b07aa1',
  '#ff9da7',
  '#9c755f',
  '#bab0ac',
];
/** The colour failed iterations are marked in. */
const FAILED_COLOR = '#d1242f';
/** Most bars of the sub-timings chart: more runs are averaged in consecutive buckets. */
const MAX_BARS = 150;
/** Most bins of the duration distribution. */
const MAX_BINS = 60;

/** The colour of the `i`th series: Tableau 10, then golden-angle hues. */
export function seriesColor(i: number): string {
  if (i < TABLEAU_10.length) return TABLEAU_10[i]!;
  return `hsl(${Math.round((i * 137.508) % 360)} 60% 55%)`;
}

/** The distribution, by-run and by-iteration charts of a group's durations. */
export function durationCharts(input: DurationChartInput): ChartModel[] {
  const charts: ChartModel[] = [];
  const sorted = input.sortedDurations;
  const runs = input.runMedian.length;
  let maxS = sorted.length > 0 ? sorted[sorted.length - 1]! : 0;
  for (const v of input.runFailedAt) if (v > maxS) maxS = v;
  const unit = chooseSecondsUnit(maxS);
  const yLabel = `duration (${unit.label})`;
  if (sorted.length >= 2) charts.push(histogram(input, unit));
  if (runs > 1) {
    const xs = numbers(runs);
    const hasFailures = input.runFailedAt.some((v) => !Number.isNaN(v));
    const series: XYSeries[] = [{ xs, ys: nullable(input.runMedian) }];
    const legend: ChartSeries[] = [
      {
        label: input.singleIterationRuns ? 'duration' : 'median of successful iterations',
        color: seriesColor(0),
        style: 'points',
      },
    ];
    if (hasFailures) {
      series.push({ xs, ys: nullable(input.runFailedAt) });
      legend.push({ label: 'run with failed iterations', color: FAILED_COLOR, style: 'marks' });
    }
    const aligned = alignSeries(series, input.maxPoints);
    charts.push({
      id: input.nextChartId(),
      groupId: input.groupId,
      title: 'duration by run',
      xKind: 'run',
      xLabel: 'run',
      yLabel,
      unit: unit.label,
      series: legend,
      data: toDisplay(aligned.data, unit.divisor),
      rawPoints: runs,
      decimated: aligned.decimated,
      yFromZero: true,
      note: aligned.decimated
        ? `${grouped(runs)} runs, drawn as the lowest and highest of ${grouped(aligned.data[0].length / 2)} buckets`
        : `${grouped(runs)} runs`,
    });
    if (input.runPeakRss.some((v) => !Number.isNaN(v))) {
      const peak = alignSeries([{ xs, ys: nullable(input.runPeakRss) }], input.maxPoints);
      const bytes = chooseUnit('bytes', maxOf(input.runPeakRss));
      charts.push({
        id: input.nextChartId(),
        groupId: input.groupId,
        title: 'peak RSS by run',
        xKind: 'run',
        xLabel: 'run',
        yLabel: `peak rss (${bytes.label})`,
        unit: bytes.label,
        series: [{ label: 'peak rss', color: seriesColor(4), style: 'points' }],
        data: toDisplay(peak.data, bytes.divisor),
        rawPoints: runs,
        decimated: peak.decimated,
        yFromZero: true,
        note: 'highest RSS sampled in each run',
      });
    }
  }
  if (input.maxIterations > 1 && input.iterationRuns.length > 0) {
    const ok = input.iterationRuns.map((r) => r.fields.get('ok')!);
    const failed = mergeFailed(input.iterationRuns.map((r) => r.fields.get('failed')!));
    const series = [...ok];
    const legend: ChartSeries[] = input.iterationRuns.map((r, i) => ({
      label: r.iterationLabel,
      color: seriesColor(i),
      style: 'points',
    }));
    if (failed !== null) {
      series.push(failed);
      legend.push({ label: 'failed iteration', color: FAILED_COLOR, style: 'marks' });
    }
    const aligned = alignSeries(series, input.maxPoints);
    charts.push({
      id: input.nextChartId(),
      groupId: input.groupId,
      title: 'duration by iteration',
      xKind: 'iteration',
      xLabel: 'iteration',
      yLabel,
      unit: unit.label,
      series: legend,
      data: toDisplay(aligned.data, unit.divisor),
      rawPoints: series.reduce((n, s) => n + s.xs.length, 0),
      decimated: aligned.decimated,
      yFromZero: true,
      note:
        input.iterationRuns.length < runs
          ? `${input.iterationRuns.length} of ${grouped(runs)} runs (the first and the last)`
          : 'each run its own series',
    });
  }
  return charts;
}

/** What {@link telemetryCharts} draws from. */
export interface TelemetryChartInput {
  readonly groupId: string;
  readonly fields: readonly string[];
  readonly series: readonly SeriesSource[];
  readonly maxPoints: number;
  readonly nextChartId: () => string;
  /** A library call's samples were split into iterations by its durations (approximate). */
  readonly splitByDurations: boolean;
}

/** One chart per numeric telemetry field, each drawn run (or iteration) a line. */
export function telemetryCharts(input: TelemetryChartInput): ChartModel[] {
  const charts: ChartModel[] = [];
  const colorOf = new Map(input.series.map((s, i) => [s.label, seriesColor(i)]));
  for (const field of input.fields) {
    const withField = input.series.filter((s) => s.fields.has(field));
    if (withField.length === 0) continue;
    const series = withField.map((s) => s.fields.get(field)!);
    const aligned = alignSeries(series, input.maxPoints);
    const kind = classifyField(field);
    const unit = chooseUnit(kind, maxAbsOf(aligned.data));
    const rawPoints = series.reduce((n, s) => n + (s.rawPoints ?? s.xs.length), 0);
    const kept = series.reduce((n, s) => n + s.xs.length, 0);
    const decimated = aligned.decimated || kept < rawPoints;
    const notes: string[] = [];
    notes.push(
      decimated
        ? `${grouped(rawPoints)} points, drawn as ${grouped(aligned.data[0].length)} min/max slots`
        : `${grouped(rawPoints)} points`,
    );
    if (input.splitByDurations) notes.push('iterations split by their durations');
    charts.push({
      id: input.nextChartId(),
      groupId: input.groupId,
      title: field,
      xKind: 'elapsed',
      xLabel: 'time since first sample',
      yLabel: axisLabel(field, unit.label),
      unit: unit.label,
      series: withField.map((s) => ({
        label: s.label,
        color: colorOf.get(s.label) ?? seriesColor(0),
        style: 'line',
      })),
      data: toDisplay(aligned.data, unit.divisor),
      rawPoints,
      decimated,
      yFromZero: kind === 'bytes' || kind === 'percent',
      note: notes.join('; '),
    });
  }
  return charts;
}

/** Sub-timings as stacked bars per run (more runs than bars: averaged in consecutive buckets). */
export function subTimingChart(
  groupId: string,
  names: readonly { name: string; perRun: Float64Array }[],
  runs: number,
  nextChartId: () => string,
): ChartModel {
  const buckets = Math.min(runs, MAX_BARS);
  const size = runs / buckets;
  const xs: number[] = [];
  const parts: number[][] = names.map(() => []);
  for (let b = 0; b < buckets; b++) {
    const from = Math.floor(b * size);
    const to = Math.max(from + 1, Math.floor((b + 1) * size));
    xs.push(size === 1 ? from + 1 : (from + 1 + to) / 2);
    names.forEach((n, i) => {
      let sum = 0;
      for (let r = from; r < to; r++) sum += n.perRun[r] ?? 0;
      parts[i]!.push(sum / (to - from));
    });
  }
  // Running totals, drawn from the top of the stack down so each bar shows its own part.
  const totals: number[][] = [];
  parts.forEach((p, i) => {
    totals.push(p.map((v, k) => v + (i > 0 ? totals[i - 1]![k]! : 0)));
  });
  let max = 0;
  for (const v of totals.at(-1) ?? []) max = Math.max(max, v);
  const unit = chooseSecondsUnit(max);
  const order = names.map((_, i) => i).reverse();
  const scale = (col: readonly number[]): (number | null)[] =>
    roundRelative(
      col.map((v) => v / unit.divisor),
      6,
    );
  return {
    id: nextChartId(),
    groupId,
    title: 'sub-timings by run',
    xKind: 'run',
    xLabel: size === 1 ? 'run' : 'run (bucket centre)',
    yLabel: `time (${unit.label})`,
    unit: unit.label,
    series: order.map((i) => ({ label: names[i]!.name, color: seriesColor(i), style: 'bars' })),
    data: [roundRelative(xs, 7), ...order.map((i) => scale(totals[i]!))],
    parts: order.map((i) => scale(parts[i]!)),
    rawPoints: runs * names.length,
    decimated: size !== 1,
    yFromZero: true,
    note:
      size === 1
        ? 'bench.time() parts, summed per run'
        : `bench.time() parts per run, each bar the mean of ${size.toFixed(1)} runs`,
  };
}

/** The statistics of a group the comparison shows. */
export interface ComparedGroup {
  readonly id: string;
  readonly name: string;
  readonly kind: 'function' | 'command';
  readonly stats: {
    count: number;
    medianS: number;
    meanS: number;
    minS: number;
    maxS: number;
    p5S: number;
    p25S: number;
    p75S: number;
    p95S: number;
    failed: number;
  };
}

/**
 * The benchmarks side by side, relative to `baseline` (a name) or the fastest, with `compare`'s
 * statistics (bootstrap interval of the ratio of medians, Mann–Whitney p-value, verdict) from
 * `samples` (gathered from the same records); `null` with fewer than two benchmarks that have
 * successful iterations.
 */
export function comparisonOf(
  groups: readonly ComparedGroup[],
  samples: readonly BenchmarkSamples[],
  baseline: string | undefined,
): ReportComparison | null {
  const usable = groups.filter((g) => g.stats.count > 0);
  if (baseline !== undefined && !groups.some((g) => g.name === baseline)) {
    throw new OptionError(
      `Expected \`baseline\` to name a benchmark of the report, got ${JSON.stringify(baseline)}. ` +
        `Its benchmarks: ${groups.map((g) => JSON.stringify(g.name)).join(', ')}.`,
    );
  }
  if (usable.length < 2) return null;
  const byMedian = [...usable].sort((a, b) => a.stats.medianS - b.stats.medianS);
  const reference = usable.find((g) => g.name === baseline) ?? byMedian[0]!;
  const withData = samples.filter((s) => s.durations.length > 0);
  const compared = withData.some((s) => s.name === reference.name)
    ? compareSamplesWithin(withData, { baselineName: reference.name })
    : null;
  const others = withData.filter((s) => s.name !== reference.name);
  const resultOf = new Map(others.map((s, i) => [s.name, compared?.benchmarks[i]]));
  return {
    reference: reference.name,
    referenceKind: baseline !== undefined && reference.name === baseline ? 'baseline' : 'fastest',
    warnings: compared?.warnings ?? [],
    rows: byMedian.map((g) => {
      const result = g === reference ? undefined : resultOf.get(g.name);
      return {
        groupId: g.id,
        kind: g.kind,
        name: g.name,
        count: g.stats.count,
        medianS: g.stats.medianS,
        meanS: g.stats.meanS,
        minS: g.stats.minS,
        p5S: g.stats.p5S,
        p25S: g.stats.p25S,
        p75S: g.stats.p75S,
        p95S: g.stats.p95S,
        maxS: g.stats.maxS,
        ratio: g.stats.medianS / reference.stats.medianS,
        ratioCi: result === undefined ? null : result.ratioCi,
        pValue: result === undefined ? null : result.pValue,
        verdict: result === undefined ? null : result.verdict,
        failed: g.stats.failed,
      };
    }),
  };
}

// A histogram of the successful durations (sorted): equal-width bins from min to max.
function histogram(
  input: DurationChartInput,
  unit: { label: string; divisor: number },
): ChartModel {
  const sorted = input.sortedDurations;
  const n = sorted.length;
  const lo = sorted[0]!;
  // A far tail (beyond the 99.5th percentile by more than the whole 0.5–99.5 range) would squeeze
  // the shape into one bin: it is left out of the bins and counted in the note.
  const q995 = quantileSorted(sorted, 0.995);
  const farTail = sorted[n - 1]! > q995 + (q995 - quantileSorted(sorted, 0.005));
  const hi = farTail ? q995 : sorted[n - 1]!;
  let inRange = n;
  if (farTail) while (inRange > 0 && sorted[inRange - 1]! > hi) inRange--;
  // Rice's rule, capped: enough bins to show a shape, few enough to read.
  const bins = hi === lo ? 1 : Math.max(5, Math.min(MAX_BINS, Math.ceil(2 * Math.cbrt(inRange))));
  const width = hi === lo ? Math.max(Math.abs(lo) * 0.01, 1e-9) : (hi - lo) / bins;
  const counts = new Array<number>(bins).fill(0);
  for (let i = 0; i < inRange; i++) {
    counts[Math.min(bins - 1, Math.floor((sorted[i]! - lo) / width))]!++;
  }
  const centers = counts.map((_, i) => lo + (i + 0.5) * width);
  const beyond = n - inRange;
  return {
    id: input.nextChartId(),
    groupId: input.groupId,
    title: 'duration distribution',
    xKind: 'duration',
    xLabel: `duration (${unit.label})`,
    yLabel: 'iterations',
    unit: '',
    series: [{ label: 'successful iterations', color: seriesColor(0), style: 'bars' }],
    data: [
      roundRelative(
        centers.map((c) => c / unit.divisor),
        7,
      ),
      counts,
    ],
    rawPoints: n,
    decimated: false,
    yFromZero: true,
    note:
      beyond === 0
        ? `${grouped(n)} successful iterations in ${bins} bins`
        : `${grouped(inRange)} successful iterations in ${bins} bins; ${grouped(beyond)} slower, up to ${formatSeconds(sorted[n - 1]!)}, not drawn`,
  };
}

// The failed iterations of several runs as one series: the highest failed duration at each x.
function mergeFailed(series: readonly XYSeries[]): XYSeries | null {
  const byX = new Map<number, number>();
  for (const s of series) {
    s.xs.forEach((x, i) => {
      const y = s.ys[i];
      if (y !== null && y !== undefined) byX.set(x, Math.max(byX.get(x) ?? y, y));
    });
  }
  if (byX.size === 0) return null;
  const xs = [...byX.keys()].sort((a, b) => a - b);
  return { xs, ys: xs.map((x) => byX.get(x)!) };
}

// 1..n.
function numbers(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i + 1);
}

// A Float64Array with NaN as null.
function nullable(values: Float64Array): (number | null)[] {
  return Array.from(values, (v) => (Number.isNaN(v) ? null : v));
}

// Largest finite value (0 when none).
function maxOf(values: Float64Array): number {
  let max = 0;
  for (const v of values) if (v > max) max = v;
  return max;
}

// A y-axis label that fits beside a chart: `rss (MiB)` for `memory_info.rss`, else just `MiB`.
function axisLabel(field: string, unit: string): string {
  const leaf = field.slice(Math.max(field.lastIndexOf('.'), field.lastIndexOf(']')) + 1) || field;
  const label = unit === '' ? leaf : `${leaf} (${unit})`;
  return label.length <= 24 || unit === '' ? label : unit;
}

// Largest magnitude among the y columns.
function maxAbsOf(data: AlignedData): number {
  let max = 0;
  for (let c = 1; c < data.length; c++) {
    for (const v of data[c]!) if (v !== null && Math.abs(v) > max) max = Math.abs(v);
  }
  return max;
}

// Divide y columns by the unit and round x and y to what the eye can see.
function toDisplay(data: AlignedData, divisor: number): AlignedData {
  const [xs, ...columns] = data;
  return [
    roundRelative(xs, 7),
    ...columns.map((col) =>
      roundRelative(divisor === 1 ? col : col.map((v) => (v === null ? null : v / divisor)), 6),
    ),
  ];
}

// 12,345 with thousands separators.
function grouped(n: number): string {
  return n.toLocaleString('en-US');
}
