import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  computeDurationStats,
  renderSummary,
  renderSummaryTable,
  summarize,
  summarizeRecords,
} from '../../src/report/summary.js';
import { cliRecord, libraryRecord, withoutTelemetry } from './_fixtures.js';

describe('computeDurationStats', () => {
  test('count, mean, median, min, max and sample stdev', () => {
    const s = computeDurationStats([2, 4, 4, 4, 5, 5, 7, 9]);
    assert.equal(s.count, 8);
    assert.equal(s.meanS, 5);
    assert.equal(s.medianS, 4.5);
    assert.equal(s.minS, 2);
    assert.equal(s.maxS, 9);
    assert.ok(Math.abs(s.stdevS - Math.sqrt(32 / 7)) < 1e-12, 'n − 1 in the denominator');
  });

  test('odd count takes the middle value; input order does not matter', () => {
    assert.equal(computeDurationStats([3, 1, 2]).medianS, 2);
  });

  test('one duration: stdev is NaN (shown as -)', () => {
    const s = computeDurationStats([1.5]);
    assert.equal(s.meanS, 1.5);
    assert.ok(Number.isNaN(s.stdevS));
  });

  test('no durations: everything NaN', () => {
    const s = computeDurationStats([]);
    assert.equal(s.count, 0);
    assert.ok(Number.isNaN(s.meanS) && Number.isNaN(s.minS));
  });
});

describe('summarizeRecords', () => {
  test('one row per function/command with peak rss from telemetry', () => {
    const rows = summarizeRecords([
      libraryRecord({ name: 'load', durations: [1, 2], samples: 3, rssBytes: 10 * 1024 * 1024 }),
      cliRecord({ iterations: 2, samples: 3 }),
      libraryRecord({ name: 'load', durations: [3], samples: 2, rssBytes: 50 * 1024 * 1024 }),
      {
        ...withoutTelemetry(libraryRecord({ name: 'boom', durations: [0.5] })),
        exception: { type: 'Error', message: 'x' },
      },
    ]);
    assert.deepEqual(
      rows.map((r) => [r.kind, r.name, r.records, r.stats.count, r.failed]),
      [
        ['function', 'load', 2, 3, 0],
        ['command', 'sleep 2', 1, 2, 0],
        ['function', 'boom', 1, 0, 1],
      ],
    );
    assert.equal(rows[0]!.stats.meanS, 2);
    assert.equal(rows[0]!.peakRssBytes, 51 * 1024 * 1024, 'memory_info.rss and rss both count');
    assert.equal(rows[1]!.peakRssBytes, 27 * 1024 * 1024, 'rss_bytes of CLI samples');
    assert.equal(rows[2]!.peakRssBytes, null);
  });
});

describe('renderSummaryTable', () => {
  test('aligned columns, adaptive units, - for missing values', () => {
    const rows = summarizeRecords([
      libraryRecord({ name: 'fast', durations: [0.001, 0.002, 0.003], samples: 2 }),
      withoutTelemetry(libraryRecord({ name: 'once', durations: [12] })),
    ]);
    const text = renderSummaryTable(rows);
    const lines = text.trimEnd().split('\n');
    assert.equal(lines.length, 3);
    assert.match(
      lines[0]!,
      /^function \/ command\s+runs\s+n\s+mean\s+median\s+min\s+max\s+stdev\s+peak rss$/,
    );
    assert.match(
      lines[1]!,
      /^fast\s+1\s+3\s+2\.000 ms\s+2\.000 ms\s+1\.000 ms\s+3\.000 ms\s+1\.000 ms\s+101\.0 MiB$/,
    );
    assert.match(lines[2]!, /^once\s+1\s+1\s+12\.00 s\s+12\.00 s\s+12\.00 s\s+12\.00 s\s+-\s+-$/);
    assert.equal(new Set(lines.map((l) => l.length)).size, 1, 'every line as wide as the header');
    assert.ok(!text.includes('\u001b['), 'no colour unless asked');
    assert.ok(renderSummaryTable(rows, { color: true }).startsWith('\u001b[1m'));
  });

  test('a failed column appears when a record failed', () => {
    const rows = summarizeRecords([{ ...cliRecord(), returncode: [0, 1] }]);
    assert.match(renderSummaryTable(rows).split('\n')[0]!, /failed$/);
  });

  test('no rows', () => {
    assert.equal(renderSummaryTable([]), 'No records found.\n');
  });
});

describe('summarize: successful iterations only', () => {
  test('one success and three instant failures: n = 1, failed = 3, the success’s mean', () => {
    const ok = { function_name: 'parse', run_durations: [0.25] };
    const boom = {
      function_name: 'parse',
      run_durations: [1e-7],
      exception: { type: 'Error', message: 'bad input' },
    };
    const [row] = summarize([boom, ok, boom, boom]);
    assert.equal(row!.stats.count, 1);
    assert.equal(row!.failed, 3);
    assert.equal(row!.records, 4);
    assert.equal(row!.stats.meanS, 0.25);
    assert.equal(row!.stats.minS, 0.25);
  });

  test('CLI iterations: non-zero codes and timeouts excluded and counted apart', () => {
    const [row] = summarize([
      {
        command: ['sh', '-c', 'x'],
        run_durations: [1, 2, 3, 40],
        returncode: [0, 2, 0, -15],
        timed_out: true,
      },
    ]);
    assert.equal(row!.stats.count, 2);
    assert.equal(row!.stats.meanS, 2);
    assert.equal(row!.failed, 1);
    assert.equal(row!.timedOut, 1);
    const table = renderSummaryTable([row!]);
    assert.match(table.split('\n')[0]!, /failed {2}timed out$/);
  });

  test('v2 records are read like v1 ones', () => {
    const [row] = summarize([{ call: { name: 'tiny', durations: [1, 3] } }]);
    assert.equal(row!.name, 'tiny');
    assert.equal(row!.stats.medianS, 2);
  });
});

describe('renderSummary formats', () => {
  const rows = summarize([
    { function_name: 'a,b', run_durations: [1, 2, 3] },
    { function_name: 'once', run_durations: [0.5] },
  ]);

  test('json: one object per benchmark with n, failed and seconds; null where none exists', () => {
    const parsed = JSON.parse(renderSummary(rows, 'json')) as Record<string, unknown>[];
    assert.equal(parsed.length, 2);
    assert.deepEqual(
      { ...parsed[0], peak_rss_bytes: undefined },
      {
        name: 'a,b',
        kind: 'function',
        records: 1,
        n: 3,
        failed: 0,
        timed_out: 0,
        interrupted: 0,
        mean: 2,
        median: 2,
        stdev: 1,
        min: 1,
        max: 3,
        peak_rss_bytes: undefined,
      },
    );
    assert.equal(parsed[1]!.stdev, null);
  });

  test('csv: a header, one row per benchmark, quoted names, empty cells for missing values', () => {
    const lines = renderSummary(rows, 'csv').split('\r\n');
    assert.equal(
      lines[0],
      'name,kind,records,n,failed,timed_out,interrupted,mean_s,median_s,stdev_s,min_s,max_s,peak_rss_bytes',
    );
    assert.equal(lines[1], '"a,b",function,1,3,0,0,0,2,2,1,1,3,');
    assert.equal(lines[2], 'once,function,1,1,0,0,0,0.5,0.5,,0.5,0.5,');
    assert.equal(lines[3], '');
  });

  test('markdown: a GitHub table with aligned columns', () => {
    const lines = renderSummary(rows, 'markdown').trimEnd().split('\n');
    assert.match(lines[0]!, /^\| function \/ command \| runs \| n \| mean \|/);
    assert.match(lines[1]!, /^\| :-- \| --: \| --: \|/);
    assert.match(lines[2]!, /^\| a,b \| 1 \| 3 \| 2\.000 s \|/);
    assert.equal(lines.length, 4);
  });
});
