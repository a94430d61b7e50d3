import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { BenchRecord } from '../../src/record/record.js';
import { parseTimestampSeconds } from '../../src/report/_time.js';
import { classifyField, formatBytes, formatSeconds } from '../../src/report/_units.js';
import {
  type ChartModel,
  type ReportGroup,
  type ReportRun,
  shapeReport,
} from '../../src/report/shape.js';
import { cliRecord, isoAt, libraryRecord } from './_fixtures.js';

const MIB = 1024 * 1024;

// The listed runs of a group (gaps left out).
function runs(group: ReportGroup): ReportRun[] {
  return group.listing.flatMap((item) => (item.type === 'run' ? [item.row] : []));
}

// The chart of `title` in a group, or a failure.
function chart(group: ReportGroup, title: string): ChartModel {
  const found = group.charts.find((c) => c.title === title);
  assert.ok(found, `chart ${title} among ${group.charts.map((c) => c.title).join(', ')}`);
  return found;
}

describe('shapeReport', () => {
  test('groups records by function and by command, runs numbered in the order read', () => {
    const model = shapeReport([
      { record: libraryRecord({ name: 'a', startS: 50 }), file: 'r.jsonl', index: 1 },
      { record: cliRecord() },
      { record: libraryRecord({ name: 'a', startS: 10 }), file: 'r.jsonl', index: 3 },
      { record: libraryRecord({ name: 'b' }) },
    ]);
    assert.deepEqual(
      model.groups.map((g) => [g.kind, g.name, g.runCount]),
      [
        ['function', 'a', 2],
        ['command', 'sleep 2', 1],
        ['function', 'b', 1],
      ],
    );
    const a = model.groups[0]!;
    assert.deepEqual(
      runs(a).map((r) => [r.number, r.source]),
      [
        [1, 'r.jsonl:1'],
        [2, 'r.jsonl:3'],
      ],
    );
    assert.equal(model.recordCount, 4);
  });

  test('charts every numeric telemetry field, nested ones flattened, runs overlaid', () => {
    const record = libraryRecord({ samples: 4 });
    (record.telemetry as Record<string, unknown>[])[1]!.gpus = [
      { utilization: 40, memory_used: 2 * 1024 ** 3 },
    ];
    const model = shapeReport([{ record }, { record: libraryRecord({ startS: 100, samples: 6 }) }]);
    const group = model.groups[0]!;
    const titles = group.charts.map((c) => c.title);
    assert.deepEqual(titles, [
      'duration distribution',
      'duration by run',
      'peak RSS by run',
      'rss',
      'cpu_percent',
      'memory_info.rss',
      'memory_info.vms',
      'gpus[0].utilization',
      'gpus[0].memory_used',
    ]);
    const rss = chart(group, 'rss');
    assert.equal(rss.xKind, 'elapsed');
    assert.deepEqual(
      rss.series.map((s) => s.label),
      ['run 1', 'run 2'],
    );
    assert.equal(rss.unit, 'MiB');
    assert.equal(rss.yLabel, 'rss (MiB)');
    assert.deepEqual(rss.data[0], [0, 1, 2, 3, 4, 5], 'x is seconds since each run’s first sample');
    assert.deepEqual(rss.data[1], [100, 101, 102, 103, null, null]);
    assert.equal(rss.rawPoints, 10);
    assert.equal(chart(group, 'cpu_percent').unit, '%');
    assert.equal(chart(group, 'memory_info.vms').yLabel, 'vms (MiB)');
    assert.equal(chart(group, 'gpus[0].memory_used').unit, 'GiB');
    assert.equal(chart(group, 'gpus[0].utilization').unit, '');
    assert.equal(model.sampleCount, 10);
  });

  test('bytes switch to GiB from 1 GiB', () => {
    const model = shapeReport([{ record: libraryRecord({ rssBytes: 3 * 1024 ** 3, samples: 2 }) }]);
    const rss = chart(model.groups[0]!, 'rss');
    assert.equal(rss.unit, 'GiB');
    assert.equal(rss.data[1]![0], 3);
  });

  test('CLI records get one series per iteration and a duration-by-iteration chart', () => {
    const model = shapeReport([{ record: cliRecord({ iterations: 3, samples: 4 }) }]);
    const group = model.groups[0]!;
    const cpu = chart(group, 'cpu_percent');
    assert.deepEqual(
      cpu.series.map((s) => s.label),
      ['iteration 1', 'iteration 2', 'iteration 3'],
    );
    assert.deepEqual(cpu.data[0], [0, 0.5, 1, 1.5]);
    assert.deepEqual(cpu.data[3], [70, 71, 72, 73]);
    assert.equal(chart(group, 'rss_bytes').unit, 'MiB');
    const byIteration = chart(group, 'duration by iteration');
    assert.deepEqual(byIteration.data, [
      [1, 2, 3],
      [2, 2.01, 2.02],
    ]);
    assert.equal(byIteration.unit, 's');
    assert.equal(runs(group)[0]!.samples, 12);
  });

  test('several CLI runs label series by run and iteration', () => {
    const model = shapeReport([
      { record: cliRecord({ iterations: 2 }) },
      { record: cliRecord({ iterations: 2, startS: 500 }) },
    ]);
    assert.deepEqual(
      chart(model.groups[0]!, 'cpu_percent').series.map((s) => s.label),
      ['run 1 · iter 1', 'run 1 · iter 2', 'run 2 · iter 1', 'run 2 · iter 2'],
    );
  });

  test('records without telemetry keep their durations, status and metadata', () => {
    const record: BenchRecord = {
      ...libraryRecord({ name: 'quiet', durations: [0.002, 0.003] }),
      exception: { type: 'RangeError', message: 'boom' },
    };
    delete record.telemetry;
    const model = shapeReport([{ record }]);
    const group = model.groups[0]!;
    assert.deepEqual(
      group.charts.map((c) => c.title),
      ['duration by iteration'],
    );
    assert.equal(chart(group, 'duration by iteration').unit, 'ms');
    const run = runs(group)[0]!;
    assert.equal(run.samples, 0);
    assert.equal(run.peakRssBytes, null);
    assert.deepEqual(run.status, { type: 'exception', name: 'RangeError', message: 'boom' });
    assert.equal(run.count, 1, 'the iteration that threw is not a successful one');
    assert.equal(run.unsuccessful, 1);
    assert.equal(group.stats.failed, 1);
    assert.ok(group.metadata.some((m) => m.key === 'git.commit' && m.values[0]!.text === 'abc123'));
    assert.ok(!group.metadata.some((m) => m.key === 'telemetry' || m.key === 'run_durations'));
  });

  test('samples with an error or without a timestamp are counted and skipped', () => {
    const record = libraryRecord({ samples: 3 });
    const samples = record.telemetry as Record<string, unknown>[];
    samples.push({ timestamp: isoAt(3), error: 'telemetry() threw: nope' });
    samples.push({ rss: 1 });
    samples.push(42 as unknown as Record<string, unknown>);
    const run = runs(shapeReport([{ record }]).groups[0]!)[0]!;
    assert.equal(run.samples, 4);
    assert.equal(run.sampleErrors, 1);
  });

  test('status: interrupted and failed return codes', () => {
    const model = shapeReport([
      { record: { ...libraryRecord({ name: 'x' }), interrupted: 'SIGTERM' } },
      { record: { ...cliRecord(), returncode: [0, 3] } },
    ]);
    assert.deepEqual(runs(model.groups[0]!)[0]!.status, { type: 'interrupted', detail: 'SIGTERM' });
    assert.deepEqual(runs(model.groups[1]!)[0]!.status, { type: 'failed', returncodes: [0, 3] });
  });

  test('metadata rows say which fields differ between runs', () => {
    const model = shapeReport([
      { record: libraryRecord() },
      { record: libraryRecord({ startS: 9, extra: { node_version: 'v22.0.0', only_here: 1 } }) },
    ]);
    const rows = new Map(model.groups[0]!.metadata.map((r) => [r.key, r]));
    assert.equal(rows.get('hostname')!.same, true);
    assert.deepEqual(rows.get('node_version')!.values, [
      { text: 'v20.20.2', runs: 1 },
      { text: 'v22.0.0', runs: 1 },
    ]);
    assert.equal(rows.get('node_version')!.same, false);
    assert.equal(rows.get('only_here')!.runs, 1);
    assert.equal(rows.get('only_here')!.same, false);
  });

  test('long series are decimated to the budget', () => {
    const model = shapeReport([{ record: libraryRecord({ samples: 5000, intervalS: 0.1 }) }], {
      maxPoints: 500,
    });
    const rss = chart(model.groups[0]!, 'rss');
    assert.equal(rss.decimated, true);
    assert.ok(rss.data[0].length <= 500);
    assert.equal(rss.rawPoints, 5000);
  });
});

describe('parseTimestampSeconds', () => {
  test('keeps microseconds and applies the offset', () => {
    const base = Date.UTC(2024, 0, 1, 0, 1, 30) / 1000;
    assert.ok(
      Math.abs(parseTimestampSeconds('2024-01-01T00:01:30.123456+00:00') - (base + 0.123456)) <
        1e-6,
    );
    assert.ok(Math.abs(parseTimestampSeconds('2024-01-01T01:01:30.5+01:00') - (base + 0.5)) < 1e-6);
    assert.ok(Math.abs(parseTimestampSeconds('2023-12-31T19:01:30-0500') - base) < 1e-6);
    assert.equal(parseTimestampSeconds('2024-01-01T00:01:30Z'), base);
    assert.equal(parseTimestampSeconds('2024-01-01 00:01:30'), base);
  });

  test('gives NaN for anything else', () => {
    for (const bad of [
      '',
      'yesterday',
      '2024-01-01T00:01:3x',
      '2024-01-01T00:01:30.+00:00',
      17,
      null,
    ]) {
      assert.ok(Number.isNaN(parseTimestampSeconds(bad)), String(bad));
    }
  });
});

describe('field units', () => {
  test('classify by name', () => {
    assert.equal(classifyField('rss'), 'bytes');
    assert.equal(classifyField('memory_info.vms'), 'bytes');
    assert.equal(classifyField('io.read_bytes'), 'bytes');
    assert.equal(classifyField('gpus[0].memory_used'), 'bytes');
    assert.equal(classifyField('memory_percent'), 'percent');
    assert.equal(classifyField('cpu_percent'), 'percent');
    assert.equal(classifyField('num_threads'), 'plain');
    assert.equal(classifyField('wait_s'), 'seconds');
  });

  test('format for people', () => {
    assert.equal(formatBytes(512 * MIB + 0.3 * MIB), '512.3 MiB');
    assert.equal(formatBytes(1.25 * 1024 ** 3), '1.3 GiB');
    assert.equal(formatBytes(100), '100 B');
    assert.equal(formatSeconds(1.2043), '1.204 s');
    assert.equal(formatSeconds(0.106), '106.0 ms');
    assert.equal(formatSeconds(0.000012), '12.00 µs');
    assert.equal(formatSeconds(125), '2m 05s');
    assert.equal(formatSeconds(3725), '1h 02m');
  });
});
