// internal: one record's telemetry as per-field series: x = seconds since the series' first
// sample, one series per CLI iteration, and for a library call of several iterations one series
// per iteration too (split where each iteration's duration ends, counted from `start_time`).

import type { AnyRecord } from '../record/_layout-fields.js';
import { forEachNumericField } from './_flatten.js';
import { telemetryRuns } from './_records.js';
import { parseTimestampSeconds } from './_time.js';
import { isRssField } from './_units.js';
import { decimateMinMax, type XYSeries } from './decimate.js';

/** One telemetry series of a record: a whole call, or one of its iterations. */
export interface TelemetrySeries {
  /** 1-based iteration, or `null` for the call's single list. */
  readonly iteration: number | null;
  /** Per numeric field, its points (already decimated to the drawing budget). */
  readonly fields: Map<string, KeptSeries>;
}

/** A series cut to the drawing budget, with how many points it had. */
export interface KeptSeries extends XYSeries {
  readonly rawPoints: number;
}

/** What a record's telemetry held. */
export interface ParsedRecordTelemetry {
  readonly series: TelemetrySeries[];
  /** Samples with a usable timestamp. */
  readonly samples: number;
  /** Samples holding `error` instead of values. */
  readonly errors: number;
  /** Highest RSS among the samples, in bytes, or `null`. */
  readonly peakRssBytes: number | null;
  /** True when a library call's list was split into iterations by its durations. */
  readonly splitByDurations: boolean;
}

/** Whether a field path is an RSS field, remembered (the same few paths come in every sample). */
const rssFields = new Map<string, boolean>();
function isRss(path: string): boolean {
  let known = rssFields.get(path);
  if (known === undefined) {
    known = isRssField(path);
    if (rssFields.size < 10_000) rssFields.set(path, known);
  }
  return known;
}

/** Most iterations of a library call split into series of their own. */
const MAX_SPLIT_ITERATIONS = 20;

/**
 * Parse a record's telemetry into per-field series, each cut to `maxPoints` (min/max).
 */
export function parseRecordTelemetry(
  record: AnyRecord,
  maxPoints: number,
  durationsS: readonly unknown[],
): ParsedRecordTelemetry {
  const runs = telemetryRuns(record);
  const series: TelemetrySeries[] = [];
  let samples = 0;
  let errors = 0;
  let peak: number | null = null;
  let splitByDurations = false;
  const boundaries =
    runs.length === 1 && runs[0]!.iteration === null
      ? iterationEnds(record, durationsS, runs[0]!.samples)
      : null;
  for (const run of runs) {
    const parts = new Map<number | null, Map<string, { xs: number[]; ys: (number | null)[] }>>();
    // Each series' time runs from its own first sample.
    const origins = new Map<number | null, number>();
    for (const sample of run.samples) {
      if (sample.error !== undefined && sample.error !== null) errors++;
      const t = parseTimestampSeconds(sample.timestamp);
      if (Number.isNaN(t)) continue;
      samples++;
      const part = boundaries === null ? run.iteration : iterationAt(boundaries, t);
      let partOrigin = origins.get(part);
      if (partOrigin === undefined) {
        partOrigin = t;
        origins.set(part, t);
      }
      const x = t - partOrigin;
      let fields = parts.get(part);
      if (fields === undefined) {
        fields = new Map();
        parts.set(part, fields);
      }
      forEachNumericField(sample, (path, value) => {
        if (value !== null && isRss(path) && (peak === null || value > peak)) peak = value;
        let s = fields.get(path);
        if (s === undefined) {
          s = { xs: [], ys: [] };
          fields.set(path, s);
        }
        s.xs.push(x);
        s.ys.push(value);
      });
    }
    if (boundaries !== null && parts.size > 1) splitByDurations = true;
    for (const [iteration, fields] of parts) {
      const cut = new Map<string, KeptSeries>();
      for (const [path, s] of fields) {
        const kept = decimateMinMax(sortedByX(s), maxPoints);
        cut.set(path, { xs: kept.xs, ys: kept.ys, rawPoints: s.xs.length });
      }
      series.push({ iteration, fields: cut });
    }
  }
  return { series, samples, errors, peakRssBytes: peak, splitByDurations };
}

// Where each iteration of a library call ended (epoch seconds), from start_time and durations;
// `null` when the samples do not fit in that span (more than a tenth of them after the last end:
// the time between iterations was not small, so the split would be wrong).
function iterationEnds(
  record: AnyRecord,
  durationsS: readonly unknown[],
  samples: readonly Record<string, unknown>[],
): number[] | null {
  if (durationsS.length < 2 || durationsS.length > MAX_SPLIT_ITERATIONS) return null;
  let t = parseTimestampSeconds(record.start_time);
  if (Number.isNaN(t)) return null;
  const ends: number[] = [];
  for (const d of durationsS) {
    if (typeof d !== 'number' || !Number.isFinite(d)) return null;
    t += d;
    ends.push(t);
  }
  let after = 0;
  for (const sample of samples) if (parseTimestampSeconds(sample.timestamp) > t) after++;
  return after * 10 > samples.length ? null : ends;
}

// The 1-based iteration a sample taken at `t` belongs to (the last one for samples after it).
function iterationAt(ends: readonly number[], t: number): number {
  for (let i = 0; i < ends.length; i++) if (t <= ends[i]!) return i + 1;
  return ends.length;
}

// A series in x order (samples may arrive out of order from merged lists).
function sortedByX(s: { xs: number[]; ys: (number | null)[] }): XYSeries {
  let sorted = true;
  for (let i = 1; i < s.xs.length; i++) {
    if (s.xs[i]! < s.xs[i - 1]!) {
      sorted = false;
      break;
    }
  }
  if (sorted) return s;
  const order = s.xs.map((_, i) => i).sort((a, b) => s.xs[a]! - s.xs[b]!);
  return { xs: order.map((i) => s.xs[i]!), ys: order.map((i) => s.ys[i]!) };
}
