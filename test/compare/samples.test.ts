import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import {
  collectSamples,
  parseFilter,
  parseSelection,
  peakRssBytesOf,
  readSamples,
} from '../../src/compare/samples.js';
import { UsageError } from '../../src/errors.js';
import { SampleBuffer } from '../../src/stats/sample-buffer.js';

const dir = mkdtempSync(join(tmpdir(), 'mb-samples-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('SampleBuffer', () => {
  test('grows past its first capacity, keeps order, sorts in place once', () => {
    const buffer = new SampleBuffer();
    for (let i = 0; i < 40; i++) buffer.push(40 - i);
    assert.equal(buffer.length, 40);
    assert.equal(buffer.values()[0], 40);
    assert.equal(buffer.values()[39], 1);
    const sorted = buffer.sorted();
    assert.deepEqual([sorted[0], sorted[39], sorted.length], [1, 40, 40]);
    buffer.push(0.5);
    assert.equal(buffer.sorted()[0], 0.5, 'a push after sorting is sorted in again');
  });
});

describe('collectSamples', () => {
  test('groups by function name or command, in order of first appearance', () => {
    const benchmarks = collectSamples([
      { function_name: 'b', run_durations: [2] },
      { command: ['sh', '-c', 'echo hi'], run_durations: [1], returncode: [0] },
      { function_name: 'b', run_durations: [3] },
    ]);
    assert.deepEqual(
      benchmarks.map((b) => [b.name, b.kind, b.records, [...b.durations.values()]]),
      [
        ['b', 'function', 2, [2, 3]],
        ["sh -c 'echo hi'", 'command', 1, [1]],
      ],
    );
  });

  test('--by a dotted path, in the record as written or flattened; a missing field is (none)', () => {
    const benchmarks = collectSamples(
      [
        { function_name: 'x', run_durations: [1], fields: { case: 'big' } },
        { call: { name: 'y', durations: [2] }, host: { hostname: 'h' } },
      ],
      { by: 'fields.case' },
    );
    assert.deepEqual(
      benchmarks.map((b) => b.name),
      ['fields.case=big', 'fields.case=(none)'],
    );
    const byHost = collectSamples(
      [{ call: { name: 'y', durations: [2] }, host: { hostname: 'h' } }],
      {
        by: 'host.hostname',
      },
    );
    assert.equal(byHost[0]!.name, 'host.hostname=h');
    const flatName = collectSamples(
      [{ call: { name: 'y', durations: [2] }, host: { hostname: 'h' } }],
      {
        by: 'hostname',
      },
    );
    assert.equal(flatName[0]!.name, 'hostname=h');
  });

  test('filters compare values as text; every filter must match', () => {
    const records = [
      { function_name: 'f', run_durations: [1], n: 3, dirty: true },
      { function_name: 'f', run_durations: [2], n: 4, dirty: true },
    ];
    const pick = (filters: { key: string; value: string }[]) => [
      ...(collectSamples(records, { filters })[0]?.durations.values() ?? []),
    ];
    assert.deepEqual(pick([{ key: 'n', value: '3' }]), [1]);
    assert.deepEqual(
      pick([
        { key: 'dirty', value: 'true' },
        { key: 'n', value: '4' },
      ]),
      [2],
    );
    assert.deepEqual(pick([{ key: 'missing', value: '' }]), []);
  });
});

describe('parseSelection and parseFilter', () => {
  test('FILE:N is a selection unless the whole name exists', () => {
    assert.deepEqual(
      parseSelection('a.jsonl:3', () => false),
      { path: 'a.jsonl', index: 3 },
    );
    assert.deepEqual(
      parseSelection('a.jsonl:-1', () => false),
      { path: 'a.jsonl', index: -1 },
    );
    assert.deepEqual(
      parseSelection('a.jsonl:3', () => true),
      { path: 'a.jsonl:3', index: null },
    );
    assert.deepEqual(parseSelection('a.jsonl'), { path: 'a.jsonl', index: null });
  });

  test('KEY=VALUE splits at the first =; no key is a usage error naming the option', () => {
    assert.deepEqual(parseFilter('a=b=c'), { key: 'a', value: 'b=c' });
    assert.throws(
      () => parseFilter('=x', '--baseline-filter'),
      /--baseline-filter: expected KEY=VALUE/,
    );
  });
});

describe('readSamples', () => {
  const file = join(dir, 'three.jsonl');
  writeFileSync(
    file,
    `${[1, 2, 3].map((i) => JSON.stringify({ function_name: `f${i}`, run_durations: [i] })).join('\n')}\n`,
  );

  test('record N from the start or the end; :0 and past the end are usage errors', async () => {
    const names = async (input: string) =>
      (await readSamples([input])).benchmarks.map((b) => b.name);
    assert.deepEqual(await names(`${file}:1`), ['f1']);
    assert.deepEqual(await names(`${file}:3`), ['f3']);
    assert.deepEqual(await names(`${file}:-1`), ['f3']);
    assert.deepEqual(await names(`${file}:-3`), ['f1']);
    await assert.rejects(readSamples([`${file}:0`]), UsageError);
    await assert.rejects(readSamples([`${file}:4`]), /no record 4 \(the file holds 3 records\)/);
    await assert.rejects(readSamples([`${file}:-4`]), /no record -4/);
  });
});

describe('peakRssBytesOf', () => {
  test('the highest of peak_rss_bytes, telemetry rss fields and resource_usage maxrss', () => {
    assert.equal(peakRssBytesOf({ run_durations: [1] }), null);
    assert.equal(peakRssBytesOf({ peak_rss_bytes: 5 }), 5);
    assert.equal(
      peakRssBytesOf({ telemetry: [{ rss: 3 }, { memory_info: { rss: 9 } }, { rss_bytes: 4 }] }),
      9,
    );
    assert.equal(
      peakRssBytesOf({ telemetry: [[{ rss_bytes: 2 }], [{ rss_bytes: 7 }]] }),
      7,
      'CLI lists',
    );
    assert.equal(peakRssBytesOf({ call: { name: 'f', monitor: [{ rss: 11 }] } }), 11, 'v2 monitor');
    assert.equal(
      peakRssBytesOf({ resource_usage: [{ maxrss: 12 }, { maxrss: 6 }], peak_rss_bytes: 8 }),
      12,
    );
  });
});
