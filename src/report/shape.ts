/**
 * Records → the report's data model: groups (one per function or command), their runs, one chart
 * per numeric telemetry field with every run (or CLI iteration) overlaid, duration charts, and a
 * metadata table. Pure: no I/O, no clock (pass `generatedAt`).
 *
 * ```
 * records ─► group by function/command ─► runs (sorted by start time)
 *                                         ├─► telemetry samples ─► one series per run/iteration
 *                                         │     per field (flattened) ─► alignSeries ─► chart
 *                                         ├─► durations ─► "by run" / "by iteration" charts
 *                                         └─► metadata (flattened) ─► rows, marked where runs differ
 * ```
 */

import type { BenchRecord } from '../record/record.js';
import { displayValue, flattenRecord, forEachNumericField } from './_flatten.js';
import { durationsOf, groupOf, peakRssBytesOf, telemetryRuns } from './_records.js';
import { parseTimestampSeconds } from './_time.js';
import { chooseSecondsUnit, chooseUnit, classifyField, roundRelative } from './_units.js';
import { type AlignedData, alignSeries, DEFAULT_MAX_POINTS, type XYSeries } from './decimate.js';
import { computeDurationStats, type DurationStats } from './summary.js';

/** A record and where it was read from (shown in the runs table, e.g. `results.jsonl:3`). */
export interface SourcedRecord {
  readonly record: BenchRecord;
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

/** Options for {@link shapeReport}. */
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
  readonly groups: readonly ReportGroup[];
}

/** The records of one function or one command. */
export interface ReportGroup {
  /** HTML id, e.g. `g1`. */
  readonly id: string;
  readonly kind: 'function' | 'command';
  /** Function name, or the command line shell-quoted. */
  readonly name: string;
  /** Sorted by start time. */
  readonly runs: readonly ReportRun[];
  readonly charts: readonly ChartModel[];
  readonly metadata: readonly MetadataRow[];
}

/** How a run ended. */
export type RunStatus =
  | { readonly type: 'ok' }
  | { readonly type: 'exception'; readonly name: string; readonly message: string }
  | { readonly type: 'interrupted'; readonly detail: string }
  | { readonly type: 'failed'; readonly returncodes: readonly number[] };

/** One record of a group. */
export interface ReportRun {
  /** 1-based within the group. */
  readonly number: number;
  /** `run 3`: the name used in chart legends. */
  readonly label: string;
  /** `results.jsonl:3`, or `null` for records given directly. */
  readonly source: string | null;
  readonly startTime: string | null;
  readonly hostname: string | null;
  readonly stats: DurationStats;
  readonly peakRssBytes: number | null;
  /** Telemetry samples with a usable timestamp. */
  readonly samples: number;
  /** Samples holding `error` instead of values. */
  readonly sampleErrors: number;
  /** `telemetry_samples_total` when the list was thinned, else `null`. */
  readonly samplesTotal: number | null;
  readonly status: RunStatus;
}

/** One legend entry of a chart. */
export interface ChartSeries {
  readonly label: string;
  /** CSS colour. */
  readonly color: string;
}

/** One chart, ready for uPlot: `data` is already in display units (`unit`). */
export interface ChartModel {
  /** Unique in the report, e.g. `c4`. */
  readonly id: string;
  /** Charts of one group share a cursor. */
  readonly groupId: string;
  readonly title: string;
  /** `elapsed`: seconds since each series' first sample; `run`/`iteration`: 1-based numbers. */
  readonly xKind: 'elapsed' | 'run' | 'iteration';
  readonly xLabel: string;
  readonly yLabel: string;
  /** `MiB`, `GiB`, `%`, `s`, `ms`... or `''`. */
  readonly unit: string;
  readonly series: readonly ChartSeries[];
  readonly data: AlignedData;
  /** Points before decimation, all series together. */
  readonly rawPoints: number;
  readonly decimated: boolean;
}

/** One flattened metadata key of a group, with each run's value. */
export interface MetadataRow {
  readonly key: string;
  /** Display text per run (`null`: the run lacks the key). */
  readonly values: readonly (string | null)[];
  /** True when every run has the same value. */
  readonly same: boolean;
}

/** Top-level keys left out of the metadata table (they are charted or in the runs table). */
const METADATA_EXCLUDED = new Set(['telemetry', 'run_durations', 'telemetry_samples_total']);
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
const MAX_VALUE_CHARS = 2000;

/** The colour of the `i`th series: Tableau 10, then golden-angle hues. */
export function seriesColor(i: number): string {
  if (i < TABLEAU_10.length) return TABLEAU_10[i]!;
  return `hsl(${Math.round((i * 137.508) % 360)} 60% 55%)`;
}

/** Turn records into the report model (see the module comment for the steps). */
export function shapeReport(
  records: readonly SourcedRecord[],
  options: ShapeOptions = {},
): ReportModel {
  const maxPoints = options.maxPoints ?? DEFAULT_MAX_POINTS;
  const byKey = new Map<
    string,
    { kind: 'function' | 'command'; name: string; items: SourcedRecord[] }
  >();
  for (const item of records) {
    const group = groupOf(item.record);
    let entry = byKey.get(group.key);
    if (entry === undefined) {
      entry = { kind: group.kind, name: group.name, items: [] };
      byKey.set(group.key, entry);
    }
    entry.items.push(item);
  }
  const nextChartId = counter('c');
  let sampleCount = 0;
  const groups: ReportGroup[] = [];
  for (const entry of byKey.values()) {
    const id = `g${groups.length + 1}`;
    const items = sortByStartTime(entry.items);
    const shaped = shapeGroup(id, items, maxPoints, nextChartId);
    sampleCount += shaped.samples;
    groups.push({
      id,
      kind: entry.kind,
      name: entry.name,
      runs: shaped.runs,
      charts: shaped.charts,
      metadata: metadataRows(items.map((i) => i.record)),
    });
  }
  return {
    title: options.title ?? 'microbench report',
    generatedAt: options.generatedAt ?? '',
    sources: options.sources ?? [],
    warnings: options.warnings ?? [],
    recordCount: records.length,
    sampleCount,
    groups,
  };
}

// Per-field series of one telemetry list, with its counts.
interface ParsedTelemetry {
  readonly fields: Map<string, { xs: number[]; ys: (number | null)[] }>;
  readonly samples: number;
  readonly errors: number;
}

// Runs, charts and sample count of one group.
function shapeGroup(
  groupId: string,
  items: readonly SourcedRecord[],
  maxPoints: number,
  nextChartId: () => string,
): { runs: ReportRun[]; charts: ChartModel[]; samples: number } {
  const runs: ReportRun[] = [];
  const sources: { label: string; color: string; parsed: ParsedTelemetry }[] = [];
  const fieldOrder = new Set<string>();
  let samples = 0;
  items.forEach((item, r) => {
    const record = item.record;
    const number = r + 1;
    const label = `run ${number}`;
    let runSamples = 0;
    let runErrors = 0;
    for (const tr of telemetryRuns(record)) {
      const parsed = parseTelemetry(tr.samples);
      runSamples += parsed.samples;
      runErrors += parsed.errors;
      for (const field of parsed.fields.keys()) fieldOrder.add(field);
      const seriesLabel =
        tr.iteration === null
          ? label
          : items.length === 1
            ? `iteration ${tr.iteration}`
            : `${label} · iter ${tr.iteration}`;
      sources.push({ label: seriesLabel, color: seriesColor(sources.length), parsed });
    }
    samples += runSamples;
    const total = record.telemetry_samples_total;
    runs.push({
      number,
      label,
      source: item.file === undefined ? null : `${item.file}:${item.index ?? r + 1}`,
      startTime: typeof record.start_time === 'string' ? record.start_time : null,
      hostname: typeof record.hostname === 'string' ? record.hostname : null,
      stats: computeDurationStats(durationsOf(record)),
      peakRssBytes: peakRssBytesOf(record),
      samples: runSamples,
      sampleErrors: runErrors,
      samplesTotal: typeof total === 'number' ? total : null,
      status: statusOf(record),
    });
  });
  const charts: ChartModel[] = durationCharts(groupId, items, runs, nextChartId);
  for (const field of fieldOrder) {
    const withField = sources.filter((s) => s.parsed.fields.has(field));
    const series: XYSeries[] = withField.map((s) => s.parsed.fields.get(field)!);
    const aligned = alignSeries(series, maxPoints);
    const unit = chooseUnit(classifyField(field), maxAbsOf(aligned.data));
    charts.push({
      id: nextChartId(),
      groupId,
      title: field,
      xKind: 'elapsed',
      xLabel: 'time since first sample',
      yLabel: axisLabel(field, unit.label),
      unit: unit.label,
      series: withField.map((s) => ({ label: s.label, color: s.color })),
      data: toDisplay(aligned.data, unit.divisor),
      rawPoints: series.reduce((n, s) => n + s.xs.length, 0),
      decimated: aligned.decimated,
    });
  }
  return { runs, charts, samples };
}

// "Duration by run" (several runs) and "Duration by iteration" (several iterations) charts.
function durationCharts(
  groupId: string,
  items: readonly SourcedRecord[],
  runs: readonly ReportRun[],
  nextChartId: () => string,
): ChartModel[] {
  const charts: ChartModel[] = [];
  const durations = items.map((i) => durationsOf(i.record));
  const maxIterations = Math.max(0, ...durations.map((d) => d.length));
  const maxS = Math.max(0, ...durations.flat());
  const unit = chooseSecondsUnit(maxS);
  const xs = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1);
  const orNull = (v: number): number | null => (Number.isNaN(v) ? null : v);
  if (runs.length > 1) {
    const columns: (number | null)[][] =
      maxIterations <= 1
        ? [runs.map((r) => orNull(r.stats.meanS))]
        : [
            runs.map((r) => orNull(r.stats.minS)),
            runs.map((r) => orNull(r.stats.meanS)),
            runs.map((r) => orNull(r.stats.maxS)),
          ];
    const labels = maxIterations <= 1 ? ['duration'] : ['min', 'mean', 'max'];
    const colors =
      maxIterations <= 1 ? [seriesColor(0)] : [seriesColor(4), seriesColor(0), seriesColor(2)];
    charts.push({
      id: nextChartId(),
      groupId,
      title: 'duration by run',
      xKind: 'run',
      xLabel: 'run',
      yLabel: `duration (${unit.label})`,
      unit: unit.label,
      series: labels.map((label, i) => ({ label, color: colors[i]! })),
      data: toDisplay([xs(runs.length), ...columns], unit.divisor),
      rawPoints: durations.reduce((n, d) => n + d.length, 0),
      decimated: false,
    });
  }
  if (maxIterations > 1) {
    charts.push({
      id: nextChartId(),
      groupId,
      title: 'duration by iteration',
      xKind: 'iteration',
      xLabel: 'iteration',
      yLabel: `duration (${unit.label})`,
      unit: unit.label,
      series: runs.map((r, i) => ({ label: r.label, color: seriesColor(i) })),
      data: toDisplay(
        [
          xs(maxIterations),
          ...durations.map((d) => xs(maxIterations).map((n) => d[n - 1] ?? null)),
        ],
        unit.divisor,
      ),
      rawPoints: durations.reduce((n, d) => n + d.length, 0),
      decimated: false,
    });
  }
  return charts;
}

// Per-field x (seconds since the first usable sample) and y arrays of one telemetry list.
function parseTelemetry(samples: readonly Record<string, unknown>[]): ParsedTelemetry {
  const fields = new Map<string, { xs: number[]; ys: (number | null)[] }>();
  let origin = Number.NaN;
  let count = 0;
  let errors = 0;
  let sorted = true;
  let lastX = Number.NEGATIVE_INFINITY;
  for (const sample of samples) {
    if (sample.error !== undefined && sample.error !== null) errors++;
    const t = parseTimestampSeconds(sample.timestamp);
    if (Number.isNaN(t)) continue;
    if (Number.isNaN(origin)) origin = t;
    const x = t - origin;
    if (x < lastX) sorted = false;
    lastX = x;
    count++;
    forEachNumericField(sample, (path, value) => {
      let series = fields.get(path);
      if (series === undefined) {
        series = { xs: [], ys: [] };
        fields.set(path, series);
      }
      series.xs.push(x);
      series.ys.push(value);
    });
  }
  if (!sorted) {
    for (const [path, s] of fields) {
      const order = s.xs.map((_, i) => i).sort((a, b) => s.xs[a]! - s.xs[b]!);
      fields.set(path, { xs: order.map((i) => s.xs[i]!), ys: order.map((i) => s.ys[i]!) });
    }
  }
  return { fields, samples: count, errors };
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

// How a record ended: exception, interruption, non-zero return code, or fine.
function statusOf(record: BenchRecord): RunStatus {
  const exception: unknown = record.exception;
  if (exception !== undefined && exception !== null) {
    const e = exception as { type?: unknown; message?: unknown };
    return {
      type: 'exception',
      name: typeof e.type === 'string' ? e.type : 'Error',
      message: typeof e.message === 'string' ? e.message : displayValue(exception),
    };
  }
  const interrupted: unknown = record.interrupted;
  if (interrupted !== undefined && interrupted !== null && interrupted !== false) {
    return { type: 'interrupted', detail: typeof interrupted === 'string' ? interrupted : '' };
  }
  const codes: unknown = record.returncode;
  if (Array.isArray(codes) && codes.some((c) => c !== 0)) {
    return { type: 'failed', returncodes: codes.filter((c): c is number => typeof c === 'number') };
  }
  return { type: 'ok' };
}

// Sort by start time (records without one keep their place at the end, in input order).
function sortByStartTime(items: readonly SourcedRecord[]): SourcedRecord[] {
  return items
    .map((item, i) => ({ item, i, t: parseTimestampSeconds(item.record.start_time) }))
    .sort((a, b) => {
      const ta = Number.isNaN(a.t) ? Number.POSITIVE_INFINITY : a.t;
      const tb = Number.isNaN(b.t) ? Number.POSITIVE_INFINITY : b.t;
      return ta === tb ? a.i - b.i : ta - tb;
    })
    .map((x) => x.item);
}

// Flattened metadata of a group's records as rows, keys in first-seen order.
function metadataRows(records: readonly BenchRecord[]): MetadataRow[] {
  const flat = records.map((r) => flattenRecord(r, METADATA_EXCLUDED));
  const keys = new Set<string>();
  for (const f of flat) for (const k of f.keys()) keys.add(k);
  return [...keys].map((key) => {
    const values = flat.map((f) => (f.has(key) ? clip(displayValue(f.get(key))) : null));
    return { key, values, same: values.every((v) => v === values[0]) };
  });
}

// Shorten a huge value (a return value, a long list) for the table.
function clip(text: string): string {
  return text.length <= MAX_VALUE_CHARS
    ? text
    : `${text.slice(0, MAX_VALUE_CHARS)}… (${text.length} characters)`;
}

// A generator of ids with a prefix: c1, c2, ...
function counter(prefix: string): () => string {
  let n = 0;
  return () => `${prefix}${++n}`;
}
