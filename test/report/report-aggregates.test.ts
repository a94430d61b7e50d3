// The report's running aggregates: statistics over successful iterations only, the compact runs
// listing (first, last, outliers), the distribution, failed iterations marked, sub-timings, the
// comparison across benchmarks, y from zero.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { BenchRecord } from '../../src/record/record.js';
import { RunListing } from '../../src/report/_run-listing.js';
import { type ChartModel, type ReportGroup, shapeReport } from '../../src/report/shape.js';
import { libraryRecord } from './_fixtures.js';

// The chart of `title` in a group, or a failure.
function chart(group: ReportGroup, title: string): ChartModel {
  const found = group.charts.find((c) => c.title === title);
  assert.ok(found, `chart ${title} among ${group.charts.map((c) => c.title).join(', ')}`);
  return found;
}

// `n` records of `name` with one iteration each of `durationS(i)`.
function runs(
  name: string,
  n: number,
  durationS: (i: number) => number,
): { record: BenchRecord }[] {
  return Array.from({ length: n }, (_, i) => ({
    record: libraryRecord({ name, startS: i, samples: 2, durations: [durationS(i)] }),
  }));
}

describe('report aggregates', () => {
  test('statistics use successful iterations only; failures are counted and marked', () => {
    const failing = {
      ...libraryRecord({ name: 'f', durations: [1, 1, 100] }),
      exception: { type: 'Error', message: 'last one threw' },
    };
    const group = shapeReport([
      { record: libraryRecord({ name: 'f', durations: [1, 3] }) },
      { record: failing },
    ]).groups[0]!;
    assert.equal(group.stats.count, 4);
    assert.equal(group.stats.maxS, 3, 'the 100 s iteration that threw is not in the statistics');
    assert.equal(group.stats.medianS, 1);
    assert.equal(group.stats.failed, 1);
    assert.equal(group.failedRuns, 1);
    const byRun = chart(group, 'duration by run');
    assert.deepEqual(
      byRun.series.map((s) => [s.label, s.style]),
      [
        ['median of successful iterations', 'points'],
        ['run with failed iterations', 'marks'],
      ],
    );
    assert.deepEqual(byRun.data[2], [null, 100], 'the failed run is marked at its failed duration');
    assert.equal(byRun.yFromZero, true);
    const byIteration = chart(group, 'duration by iteration');
    assert.deepEqual(byIteration.series.at(-1), {
      label: 'failed iteration',
      color: '#d1242f',
      style: 'marks',
    });
    assert.deepEqual(byIteration.data.at(-1), [null, null, 100]);
  });

  test('many runs: the first and last ten and the outliers are listed, the rest counted', () => {
    const model = shapeReport(
      runs('g', 1000, (i) => (i === 500 ? 9 : i === 700 ? 0.01 : 1 + (i % 10) / 100)),
    );
    const group = model.groups[0]!;
    const listed = group.listing.flatMap((item) => (item.type === 'run' ? [item.row.number] : []));
    const expected = [
      1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 501, 701, 991, 992, 993, 994, 995, 996, 997, 998, 999, 1000,
    ];
    assert.deepEqual(listed, expected);
    const gaps = group.listing.flatMap((item) => (item.type === 'gap' ? [item.count] : []));
    assert.deepEqual(gaps, [490, 199, 289]);
    assert.equal(listed.length + gaps.reduce((a, b) => a + b, 0), 1000);
    const outliers = group.listing.flatMap((item) =>
      item.type === 'run' && item.outlier !== null ? [[item.row.number, item.outlier]] : [],
    );
    assert.deepEqual(outliers, [
      [501, 'slow'],
      [701, 'fast'],
    ]);
    assert.equal(group.outlierRuns, 2);
  });

  test('up to 30 runs are all listed; the listing keeps at most ten extremes per side', () => {
    const few = shapeReport(runs('g', 30, () => 1)).groups[0]!;
    assert.equal(few.listing.length, 30);
    assert.ok(few.listing.every((i) => i.type === 'run'));
    const listing = new RunListing<{ number: number }>({ listAllUpTo: 4, edge: 1, extremes: 2 });
    for (let n = 1; n <= 100; n++) listing.add({ number: n }, n);
    const items = listing.finish({ low: 3, high: 97 });
    assert.deepEqual(
      items.map((i) => (i.type === 'run' ? `${i.row.number}${i.outlier ?? ''}` : `…${i.count}`)),
      ['1fast', '2fast', '…96', '99slow', '100slow'],
    );
  });

  test('the distribution bins successful durations; a far tail is counted, not drawn', () => {
    const group = shapeReport(runs('g', 1000, (i) => (i === 0 ? 50 : 1 + (i % 100) / 1000)))
      .groups[0]!;
    const histogram = chart(group, 'duration distribution');
    assert.equal(histogram.series[0]!.style, 'bars');
    const counts = histogram.data[1] as number[];
    assert.equal(
      counts.reduce((a, b) => a + b, 0),
      999,
    );
    assert.match(histogram.note, /1 slower, up to 50\.00 s, not drawn/);
    assert.ok((histogram.data[0].at(-1) as number) < 1.2, 'the bins end near the bulk');
  });

  test('sub-timings: a table per name and stacked bars per run', () => {
    const records = [0.1, 0.2].map((load, i) => ({
      record: {
        ...libraryRecord({ name: 't', startS: i }),
        timings: [
          { name: 'load', duration: load },
          { name: 'compute', duration: 0.5 },
          { name: 'load', duration: load },
        ],
      },
    }));
    const group = shapeReport(records).groups[0]!;
    assert.deepEqual(
      group.subTimings.map((r) => [r.name, r.runs, r.count, Number(r.totalS.toFixed(6))]),
      [
        ['load', 2, 4, 0.6],
        ['compute', 2, 2, 1],
      ],
    );
    const bars = chart(group, 'sub-timings by run');
    assert.deepEqual(
      bars.series.map((s) => s.label),
      ['compute', 'load'],
      'the top of the stack is drawn first',
    );
    assert.equal(bars.unit, 'ms');
    assert.deepEqual(bars.data[1], [700, 900], 'the stack totals');
    assert.deepEqual(bars.parts, [
      [500, 500],
      [200, 400],
    ]);
  });

  test('several benchmarks open with a comparison against the fastest, or the baseline', () => {
    const records = [
      ...runs('slow', 20, (i) => 2 + i / 1000),
      ...runs('fast', 20, (i) => 1 + i / 1000),
    ];
    const model = shapeReport(records);
    const c = model.comparison!;
    assert.equal(c.reference, 'fast');
    assert.equal(c.referenceKind, 'fastest');
    assert.deepEqual(
      c.rows.map((r) => [r.name, r.verdict]),
      [
        ['fast', null],
        ['slow', 'slower'],
      ],
    );
    const slow = c.rows[1]!;
    assert.ok(Math.abs(slow.ratio - 2.0095 / 1.0095) < 1e-9);
    assert.ok(slow.ratioCi![0] <= slow.ratio && slow.ratio <= slow.ratioCi![1]);
    assert.ok(slow.pValue! < 0.001);

    const against = shapeReport(records, { baseline: 'slow' }).comparison!;
    assert.equal(against.reference, 'slow');
    assert.equal(against.referenceKind, 'baseline');
    assert.equal(against.rows.find((r) => r.name === 'fast')!.verdict, 'faster');
    assert.throws(
      () => shapeReport(records, { baseline: 'nope' }),
      /baseline.*"nope".*"slow", "fast"/,
    );
    assert.equal(shapeReport(runs('alone', 3, () => 1)).comparison, null);
  });

  test('durations and memory are drawn from zero; other telemetry is not', () => {
    const group = shapeReport(runs('z', 3, () => 1)).groups[0]!;
    assert.equal(chart(group, 'duration by run').yFromZero, true);
    assert.equal(chart(group, 'rss').yFromZero, true);
    assert.equal(chart(group, 'cpu_percent').yFromZero, true);
    const withThreads = libraryRecord({ name: 'n' });
    for (const s of withThreads.telemetry as Record<string, unknown>[]) s.num_threads = 4;
    assert.equal(
      chart(shapeReport([{ record: withThreads }]).groups[0]!, 'num_threads').yFromZero,
      false,
    );
  });

  test('a library call of several iterations gets one telemetry series per iteration', () => {
    const record = libraryRecord({ name: 'it', samples: 6, intervalS: 1, durations: [2, 2, 2] });
    const group = shapeReport([{ record }]).groups[0]!;
    const rss = chart(group, 'rss');
    assert.deepEqual(
      rss.series.map((s) => s.label),
      ['iteration 1', 'iteration 2', 'iteration 3'],
    );
    assert.match(rss.note, /iterations split by their durations/);
  });
});
