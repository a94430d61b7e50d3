/**
 * Records → the report's data model, one record at a time: a {@link ReportShaper} keeps running
 * aggregates per group (function or command), so a report of 100,000 records holds what it shows,
 * not the records. Pure: no I/O, no clock (pass `generatedAt`).
 *
 * ```
 * record ─► group by function/command ─► splitIterations (successful durations, failures)
 *   │          ├─► durations (8 bytes each) ─► statistics, distribution chart
 *   │          ├─► per run: typical duration, failures, peak RSS (8 bytes each) ─► "by run" charts
 *   │          ├─► runs table rows: first / last few and the extremes (bounded)
 *   │          ├─► telemetry of the first and last few runs, decimated per run ─► charts
 *   │          ├─► sub-timings (bench.time) per name ─► table and stacked bars per run
 *   │          └─► metadata tally (a few values per key)
 *   └─ finish() ─► ReportModel (+ the comparison across groups when there are several)
 * ```
 */

import { SampleCollector } from '../compare/samples.js';
import { type AnyRecord, flatten, rawDurations } from '../record/_layout-fields.js';
import { cutDeep } from '../record/cut-deep.js';
import { splitIterations } from '../record/iterations.js';
import { quantileSorted } from '../stats/quantile.js';
import { SampleBuffer } from '../stats/sample-buffer.js';
import {
  type ChartModel,
  comparisonOf,
  durationCharts,
  type ReportComparison,
  type SeriesSource,
  subTimingChart,
  telemetryCharts,
} from './_charts.js';
import { displayValue } from './_flatten.js';
import { type MetadataRow, MetadataTally } from './_metadata-tally.js';
import { groupOf, type RunStatus, statusOf } from './_records.js';
import { type ListingItem, RunListing, tukeyFences } from './_run-listing.js';
import { parseRecordTelemetry } from './_telemetry.js';
import { DEFAULT_MAX_POINTS, decimateMinMax } from './decimate.js';

export type { ChartModel, ChartSeries, ReportComparison } from './_charts.js';
export type { MetadataRow, TalliedValue } from './_metadata-tally.js';
export type { RunStatus } from './_records.js';
export type { ListingItem } from './_run-listing.js';

/** A record and where it was read from (shown in the runs table, e.g. `results.jsonl:3`). */
export interface SourcedRecord {
  readonly record: AnyRecord;
  /** The file it came from. */
  readonly file?: string;
  /** 1-based position among the file's records (the `N` of `microbench diff FILE:N`). */
  readonly index?: number;
}

/** One input file, as listed at the top of the report. */
export interface ReportSource {
  readonly file: string;
  readonly records: number;
  /** Corrupt lines that were skipped. */
  readonly skippedLines: number;
}

/** Options for {@link shapeReport} and {@link ReportShaper}. */
export interface ShapeOptions {
  /** @default 'microbench report' */
  readonly title?: string;
  /** Most points drawn per chart; longer series are min/max decimated. @default 2000 */
  readonly maxPoints?: number;
  /** When the report was made, shown in its header. @default '' (not shown) */
  readonly generatedAt?: string;
  readonly sources?: readonly ReportSource[];
  /** Problems met while reading the input (corrupt lines...), listed at the top. */
  readonly warnings?: readonly string[];
  /** The benchmark the others are compared with (its name). @default the fastest (lowest median) */
  readonly baseline?: string;
}

/** Everything the HTML page shows. */
export interface ReportModel {
  readonly title: string;
  readonly generatedAt: string;
  readonly sources: readonly ReportSource[];
  readonly warnings: readonly string[];
  readonly recordCount: number;
  /** Telemetry samples in all records. */
  readonly sampleCount: number;
  /** Benchmarks side by side (two or more groups with successful iterations), else `null`. */
  readonly comparison: ReportComparison | null;
  readonly groups: readonly ReportGroup[];
}

/** Statistics of the successful iterations of a group; every value in seconds. */
export interface IterationStats {
  /** Successful iterations. */
  readonly count: number;
  /** `NaN` when there are none (as are the others). */
  readonly meanS: number;
  readonly medianS: number;
  /** Sample standard deviation (n − 1); `NaN` below two iterations. */
  readonly stdevS: number;
  readonly minS: number;
  readonly maxS: number;
  readonly p5S: number;
  readonly p25S: number;
  readonly p75S: number;
  readonly p95S: number;
  /** Iterations that threw, returned a non-zero code or could not start. */
  readonly failed: number;
  readonly timedOut: number;
  readonly interrupted: number;
}

/** One sub-timing name (`bench.time(name)`) of a group. */
export interface SubTimingRow {
  readonly name: string;
  /** Runs that have it. */
  readonly runs: number;
  /** Times it was recorded. */
  readonly count: number;
  readonly totalS: number;
  readonly meanS: number;
  readonly minS: number;
  readonly maxS: number;
}

/** The records of one function or one command. */
export interface ReportGroup {
  /** HTML id, e.g. `g1`. */
  readonly id: string;
  readonly kind: 'function' | 'command';
  /** Function name, or the command line shell-quoted. */
  readonly name: string;
  /** How many runs (records). */
  readonly runCount: number;
  /** Runs with at least one iteration that did not succeed. */
  readonly failedRuns: number;
  readonly stats: IterationStats;
  /** The runs table: listed runs in order, with counts of the runs between them not listed. */
  readonly listing: readonly ListingItem<ReportRun>[];
  /** Runs outside Tukey's fences of the runs' median durations. */
  readonly outlierRuns: number;
  readonly charts: readonly ChartModel[];
  readonly subTimings: readonly SubTimingRow[];
  readonly metadata: readonly MetadataRow[];
  /** Telemetry samples in all the group's records. */
  readonly samples: number;
  /** Runs whose telemetry is drawn, and how many had telemetry. */
  readonly telemetryRunsDrawn: number;
  readonly telemetryRuns: number;
}

/** One record of a group, as its row in the runs table. */
export interface ReportRun {
  /** 1-based within the group, in the order read. */
  readonly number: number;
  /** `run 3`: the name used in chart legends. */
  readonly label: string;
  /** `results.jsonl:3`, or `null` for records given directly. */
  readonly source: string | null;
  readonly startTime: string | null;
  readonly hostname: string | null;
  /** Successful iterations and their statistics (`NaN` when none). */
  readonly count: number;
  readonly meanS: number;
  readonly medianS: number;
  readonly minS: number;
  readonly maxS: number;
  /** Iterations that failed, timed out or were interrupted. */
  readonly unsuccessful: number;
  readonly peakRssBytes: number | null;
  /** Telemetry samples with a usable timestamp. */
  readonly samples: number;
  /** Samples holding `error` instead of values. */
  readonly sampleErrors: number;
  /** `telemetry_samples_total` when the list was thinned, else `null`. */
  readonly samplesTotal: number | null;
  readonly status: RunStatus;
}

/** Runs whose telemetry is drawn: this many first, this many last. */
const TELEMETRY_EDGE_RUNS = 5;
/** Runs whose iterations are drawn one by one: this many first, this many last. */
const ITERATION_EDGE_RUNS = 5;
/** Most iteration series of one run drawn (CLI iterations, split library calls). */
const MAX_SERIES_PER_RUN = 8;
/** Most sub-timing names charted separately (the rest are "other"). */
const MAX_SUB_TIMING_NAMES = 8;

/** The colour of the `i`th series: Tableau 10, then golden-angle hues. */
export { seriesColor } from './_charts.js';

// Telemetry (or iterations) of one run kept for drawing.
interface KeptRun {
  readonly number: number;
  readonly series: SeriesSource[];
}

// A bounded "first N and last N" keeper.
class EdgeKeeper<T> {
  readonly first: T[] = [];
  #last: T[] = [];
  #seen = 0;
  constructor(readonly size: number) {}
  add(item: T): void {
    this.#seen++;
    if (this.first.length < this.size) this.first.push(item);
    else {
      this.#last.push(item);
      if (this.#last.length > this.size * 2) this.#last = this.#last.slice(-this.size);
    }
  }
  get seen(): number {
    return this.#seen;
  }
  items(): T[] {
    return [...this.first, ...this.#last.slice(-this.size)];
  }
}

// Running state of one group.
class GroupState {
  readonly durations = new SampleBuffer();
  readonly runMedian = new SampleBuffer();
  readonly runFailedAt = new SampleBuffer();
  readonly runPeakRss = new SampleBuffer();
  readonly listing = new RunListing<ReportRun>();
  readonly telemetry = new EdgeKeeper<KeptRun>(TELEMETRY_EDGE_RUNS);
  readonly iterations = new EdgeKeeper<KeptRun>(ITERATION_EDGE_RUNS);
  readonly metadata = new MetadataTally();
  readonly subTimings = new Map<
    string,
    { runs: number; count: number; total: number; min: number; max: number; perRun: SampleBuffer }
  >();
  readonly fieldOrder = new Set<string>();
  runs = 0;
  failedRuns = 0;
  failed = 0;
  timedOut = 0;
  interrupted = 0;
  samples = 0;
  maxIterations = 0;
  splitByDurations = false;
  constructor(
    readonly id: string,
    readonly kind: 'function' | 'command',
    readonly name: string,
  ) {}
}

/**
 * The report's running aggregates: `add()` each record (they can be dropped after), then
 * `finish()` once for the model. Memory grows by a few numbers per record (durations, per-run
 * summaries); everything else is bounded.
 */
export class ReportShaper {
  readonly #options: ShapeOptions;
  readonly #maxPoints: number;
  readonly #groups = new Map<string, GroupState>();
  // What `compare` needs for the comparison across benchmarks (successful durations, environment).
  readonly #samples = new SampleCollector();
  #records = 0;

  constructor(options: ShapeOptions = {}) {
    this.#options = options;
    this.#maxPoints = options.maxPoints ?? DEFAULT_MAX_POINTS;
    // Validates the drawing budget up front (decimation throws on a bad one).
    decimateMinMax({ xs: [], ys: [] }, this.#maxPoints);
  }

  /** Records added so far. */
  get records(): number {
    return this.#records;
  }

  /** Add one record (deep values are cut first, so no record can crash the report). */
  add(item: SourcedRecord): void {
    // v1 names for every layout (a v2 record is unnested once), deep values cut.
    const record = flatten(cutDeep(item.record));
    this.#records++;
    const key = groupOf(record);
    let g = this.#groups.get(key.key);
    if (g === undefined) {
      g = new GroupState(`g${this.#groups.size + 1}`, key.kind, key.name);
      this.#groups.set(key.key, g);
    }
    const number = ++g.runs;
    this.#samples.add(record);
    const outcomes = splitIterations(record);
    const ok = outcomes.successfulDurationsS;
    for (const d of ok) g.durations.push(d);
    g.failed += outcomes.failed;
    g.timedOut += outcomes.timedOut;
    g.interrupted += outcomes.interrupted;
    const unsuccessful = outcomes.failed + outcomes.timedOut + outcomes.interrupted;
    if (unsuccessful > 0) g.failedRuns++;
    const durations = rawDurations(record);
    g.maxIterations = Math.max(g.maxIterations, durations.length);
    const sorted = Float64Array.from(ok).sort();
    const medianS = quantileSorted(sorted, 0.5);
    g.runMedian.push(medianS);
    g.runFailedAt.push(unsuccessful > 0 ? failedHeight(durations, ok) : Number.NaN);

    const label = `run ${number}`;
    const telemetry = parseRecordTelemetry(record, this.#maxPoints, durations);
    g.samples += telemetry.samples;
    g.runPeakRss.push(telemetry.peakRssBytes ?? Number.NaN);
    if (telemetry.series.length > 0) {
      if (telemetry.splitByDurations) g.splitByDurations = true;
      for (const s of telemetry.series) for (const f of s.fields.keys()) g.fieldOrder.add(f);
      g.telemetry.add({
        number,
        series: telemetry.series.slice(0, MAX_SERIES_PER_RUN).map((s) => ({
          label: s.iteration === null ? label : `${label} · iter ${s.iteration}`,
          iterationLabel: s.iteration === null ? label : `iteration ${s.iteration}`,
          fields: s.fields,
        })),
      });
    }
    if (durations.length > 1)
      g.iterations.add({ number, series: [iterationSeries(label, durations, ok)] });
    this.#addSubTimings(g, record);
    g.metadata.add(record);

    let sum = 0;
    for (const d of ok) sum += d;
    const total = record.telemetry_samples_total;
    const row: ReportRun = {
      number,
      label,
      source: item.file === undefined ? null : `${item.file}:${item.index ?? number}`,
      startTime: typeof record.start_time === 'string' ? record.start_time : null,
      hostname: typeof record.hostname === 'string' ? record.hostname : null,
      count: ok.length,
      meanS: ok.length === 0 ? Number.NaN : sum / ok.length,
      medianS,
      minS: sorted.length === 0 ? Number.NaN : sorted[0]!,
      maxS: sorted.length === 0 ? Number.NaN : sorted[sorted.length - 1]!,
      unsuccessful,
      peakRssBytes: telemetry.peakRssBytes,
      samples: telemetry.samples,
      sampleErrors: telemetry.errors,
      samplesTotal: typeof total === 'number' ? total : null,
      status: statusOf(record),
    };
    g.listing.add(row, medianS);
  }

  /** The model of everything added; `options` given here win over the constructor's. */
  finish(options: ShapeOptions = {}): ReportModel {
    const o = { ...this.#options, ...options };
    const groups: ReportGroup[] = [];
    let nextChart = 0;
    const nextChartId = (): string => `c${++nextChart}`;
    let sampleCount = 0;
    for (const g of this.#groups.values()) {
      sampleCount += g.samples;
      const sorted = g.durations.sortedFinite();
      const fences = tukeyFences(g.runMedian.sortedFinite());
      let outlierRuns = 0;
      if (fences !== null) {
        for (const m of g.runMedian.values()) if (m < fences.low || m > fences.high) outlierRuns++;
      }
      const telemetryRuns = g.telemetry.items();
      const single = g.runs === 1;
      const charts: ChartModel[] = [
        ...durationCharts({
          groupId: g.id,
          sortedDurations: sorted,
          runMedian: g.runMedian.values(),
          runFailedAt: g.runFailedAt.values(),
          runPeakRss: g.runPeakRss.values(),
          iterationRuns: g.iterations.items().flatMap((r) => r.series),
          maxIterations: g.maxIterations,
          singleIterationRuns: g.maxIterations <= 1,
          maxPoints: this.#maxPoints,
          nextChartId,
        }),
      ];
      const subTimings = [...g.subTimings].map(([name, s]) => ({
        name,
        runs: s.runs,
        count: s.count,
        totalS: s.total,
        meanS: s.total / s.count,
        minS: s.min,
        maxS: s.max,
      }));
      if (subTimings.length > 0) {
        charts.push(
          subTimingChart(
            g.id,
            [...g.subTimings].map(([name, s]) => ({ name, perRun: s.perRun.values() })),
            g.runs,
            nextChartId,
          ),
        );
      }
      charts.push(
        ...telemetryCharts({
          groupId: g.id,
          fields: [...g.fieldOrder],
          series: telemetryRuns.flatMap((r) =>
            r.series.map((s) => (single ? { ...s, label: s.iterationLabel } : s)),
          ),
          maxPoints: this.#maxPoints,
          nextChartId,
          splitByDurations: g.splitByDurations,
        }),
      );
      groups.push({
        id: g.id,
        kind: g.kind,
        name: g.name,
        runCount: g.runs,
        failedRuns: g.failedRuns,
        stats: iterationStats(sorted, g),
        listing: g.listing.finish(fences),
        outlierRuns,
        charts,
        subTimings,
        metadata: g.metadata.finish(),
        samples: g.samples,
        telemetryRunsDrawn: telemetryRuns.length,
        telemetryRuns: g.telemetry.seen,
      });
    }
    return {
      title: o.title ?? 'microbench report',
      generatedAt: o.generatedAt ?? '',
      sources: o.sources ?? [],
      warnings: o.warnings ?? [],
      recordCount: this.#records,
      sampleCount,
      comparison: comparisonOf(groups, this.#samples.benchmarks(), o.baseline),
      groups,
    };
  }

  // Sub-timings of one record: per name, totals and this run's sum.
  #addSubTimings(g: GroupState, record: AnyRecord): void {
    const timings: unknown = record.timings;
    const thisRun = new Map<string, number>();
    if (Array.isArray(timings)) {
      for (const t of timings) {
        if (t === null || typeof t !== 'object') continue;
        const { name, duration } = t as { name?: unknown; duration?: unknown };
        if (typeof duration !== 'number' || !Number.isFinite(duration)) continue;
        let label = typeof name === 'string' ? name : displayValue(name);
        if (!g.subTimings.has(label) && g.subTimings.size >= MAX_SUB_TIMING_NAMES) label = 'other';
        thisRun.set(label, (thisRun.get(label) ?? 0) + duration);
        let s = g.subTimings.get(label);
        if (s === undefined) {
          s = {
            runs: 0,
            count: 0,
            total: 0,
            min: duration,
            max: duration,
            perRun: new SampleBuffer(),
          };
          // Runs before the first with this name had none of it.
          for (let i = 1; i < g.runs; i++) s.perRun.push(0);
          g.subTimings.set(label, s);
        }
        s.count++;
        s.total += duration;
        s.min = Math.min(s.min, duration);
        s.max = Math.max(s.max, duration);
      }
    }
    for (const [name, s] of g.subTimings) {
      const sum = thisRun.get(name);
      if (sum !== undefined) s.runs++;
      s.perRun.push(sum ?? 0);
    }
  }
}

/** Turn records into the report model (see {@link ReportShaper} for the steps). */
export function shapeReport(
  records: Iterable<SourcedRecord>,
  options: ShapeOptions = {},
): ReportModel {
  const shaper = new ReportShaper(options);
  for (const item of records) shaper.add(item);
  return shaper.finish();
}

// Which timed iterations succeeded: the successful durations are a subsequence of the durations
// in order, matched greedily (equal durations may swap places, which no chart can show anyway).
function successMask(durations: readonly unknown[], ok: readonly number[]): boolean[] {
  const mask: boolean[] = [];
  let j = 0;
  for (const d of durations) {
    const good = j < ok.length && d === ok[j];
    if (good) j++;
    mask.push(good);
  }
  return mask;
}

// The height a run's failures are marked at in the "by run" chart: the longest failed
// iteration's duration, else 0 (an iteration that never got a duration).
function failedHeight(durations: readonly unknown[], ok: readonly number[]): number {
  const mask = successMask(durations, ok);
  let highest = 0;
  durations.forEach((d, i) => {
    if (!mask[i] && typeof d === 'number' && Number.isFinite(d)) highest = Math.max(highest, d);
  });
  return highest;
}

// One run's iterations as a series, with its unsuccessful iterations apart.
function iterationSeries(
  label: string,
  durations: readonly unknown[],
  ok: readonly number[],
): SeriesSource {
  const mask = successMask(durations, ok);
  const xs = durations.map((_, i) => i + 1);
  const ys: (number | null)[] = [];
  const failed: (number | null)[] = [];
  durations.forEach((d, i) => {
    const value = typeof d === 'number' && Number.isFinite(d) ? d : null;
    ys.push(mask[i] ? value : null);
    failed.push(mask[i] ? null : (value ?? 0));
  });
  return {
    label,
    iterationLabel: label,
    fields: new Map([
      ['ok', { xs, ys }],
      ['failed', { xs, ys: failed }],
    ]),
  };
}

// Statistics of a group's successful iterations (sorted) and its failure counts.
function iterationStats(sorted: Float64Array, g: GroupState): IterationStats {
  const n = sorted.length;
  let sum = 0;
  for (const d of sorted) sum += d;
  const mean = n === 0 ? Number.NaN : sum / n;
  let squares = 0;
  for (const d of sorted) squares += (d - mean) ** 2;
  const q = (p: number): number => quantileSorted(sorted, p);
  return {
    count: n,
    meanS: mean,
    medianS: q(0.5),
    stdevS: n < 2 ? Number.NaN : Math.sqrt(squares / (n - 1)),
    minS: n === 0 ? Number.NaN : sorted[0]!,
    maxS: n === 0 ? Number.NaN : sorted[n - 1]!,
    p5S: q(0.05),
    p25S: q(0.25),
    p75S: q(0.75),
    p95S: q(0.95),
    failed: g.failed,
    timedOut: g.timedOut,
    interrupted: g.interrupted,
  };
}
