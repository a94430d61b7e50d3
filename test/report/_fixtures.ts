// internal: records shaped like microbench's (v1 flat names) for the report tests.
import { closeSync, openSync, writeSync } from 'node:fs';

import type { BenchRecord } from '../../src/record/record.js';

/** ISO timestamp with microseconds and +00:00, `seconds` after 2024-01-01T00:00:00Z. */
export function isoAt(seconds: number): string {
  const ms = Math.floor(seconds * 1000);
  const micros = Math.round((seconds * 1e6) % 1000);
  const base = new Date(Date.UTC(2024, 0, 1) + ms).toISOString().slice(0, 23);
  return `${base}${String(micros).padStart(3, '0')}+00:00`;
}

/** Options for {@link libraryRecord}. */
export interface LibraryRecordOptions {
  name?: string;
  startS?: number;
  durations?: number[];
  samples?: number;
  intervalS?: number;
  /** Base RSS in bytes; grows 1 MiB per sample. */
  rssBytes?: number;
  extra?: Record<string, unknown>;
}

/** A library record with `rss`, `cpu_percent`, nested `memory_info` telemetry. */
export function libraryRecord(options: LibraryRecordOptions = {}): BenchRecord {
  const startS = options.startS ?? 0;
  const n = options.samples ?? 5;
  const interval = options.intervalS ?? 1;
  const base = options.rssBytes ?? 100 * 1024 * 1024;
  const durations = options.durations ?? [n * interval];
  const telemetry = Array.from({ length: n }, (_, i) => ({
    timestamp: isoAt(startS + i * interval),
    rss: base + i * 1024 * 1024,
    cpu_percent: (i * 37) % 100,
    memory_info: { rss: base + i * 1024 * 1024, vms: 4 * base },
  }));
  return {
    mb_run_id: '6f1c2d3e-0000-4000-8000-000000000001',
    mb_version: '0.1.0',
    timestamp_tz: 'UTC',
    duration_counter: 'performance.now',
    function_name: options.name ?? 'work',
    run_durations: durations,
    start_time: isoAt(startS),
    finish_time: isoAt(startS + durations.reduce((a, b) => a + b, 0)),
    telemetry,
    hostname: 'host-a',
    node_version: 'v20.20.2',
    package_versions: { uplot: '1.6.32' },
    git: { commit: 'abc123', branch: 'main', dirty: false },
    env_HOME: '/root',
    ...options.extra,
  };
}

/** A CLI record: `command`, `returncode` per iteration, telemetry as one list per iteration. */
export function cliRecord(
  options: { iterations?: number; samples?: number; startS?: number } = {},
): BenchRecord {
  const iterations = options.iterations ?? 2;
  const n = options.samples ?? 4;
  const startS = options.startS ?? 100;
  const telemetry = Array.from({ length: iterations }, (_, it) =>
    Array.from({ length: n }, (_, i) => ({
      timestamp: isoAt(startS + it * 10 + i * 0.5),
      cpu_percent: 50 + it * 10 + i,
      rss_bytes: (20 + it * 5 + i) * 1024 * 1024,
    })),
  );
  return {
    mb_run_id: '6f1c2d3e-0000-4000-8000-000000000002',
    mb_version: '0.1.0',
    timestamp_tz: 'UTC',
    duration_counter: 'performance.now',
    function_name: 'sleep',
    command: ['sleep', '2'],
    returncode: Array.from({ length: iterations }, () => 0),
    run_durations: Array.from({ length: iterations }, (_, i) => 2 + i * 0.01),
    start_time: isoAt(startS),
    finish_time: isoAt(startS + iterations * 10),
    telemetry,
    hostname: 'host-a',
  };
}

/** The record without its `telemetry` key. */
export function withoutTelemetry(record: BenchRecord): BenchRecord {
  const { telemetry: _, ...rest } = record;
  return rest as BenchRecord;
}

/**
 * Write `count` records as JSON Lines to `path`, built one at a time (never all in memory): four
 * functions of different speeds, three iterations each, five telemetry samples, sub-timings on
 * `fn0`, a failed call every 500th record and a slow outlier every 997th.
 */
export function writeManyRecords(path: string, count: number): void {
  const fd = openSync(path, 'w');
  try {
    let batch: string[] = [];
    for (let i = 0; i < count; i++) {
      const fn = i % 4;
      const base = 0.001 * (fn + 1) * (i % 997 === 0 ? 5 : 1);
      const startS = i * 2;
      const durations = [base * 1.01, base * (1 + (i % 7) / 100), base * 0.99];
      const record: Record<string, unknown> = {
        ...libraryRecord({ name: `fn${fn}`, startS, samples: 5, durations }),
        mb_run_id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      };
      if (fn === 0) {
        record.timings = [
          { name: 'load', duration: base * 0.3 },
          { name: 'compute', duration: base * 0.6 },
        ];
      }
      if (i % 500 === 1) record.exception = { type: 'Error', message: `failed call ${i}` };
      batch.push(JSON.stringify(record));
      if (batch.length === 1000) {
        writeSync(fd, `${batch.join('\n')}\n`);
        batch = [];
      }
    }
    if (batch.length > 0) writeSync(fd, `${batch.join('\n')}\n`);
  } finally {
    closeSync(fd);
  }
}
