import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseRecordSpec } from '../../src/cli/commands/diff.js';
import { diffRecords, flattenMetadata, matchesField, renderDiff } from '../../src/report/diff.js';
import { libraryRecord } from './_fixtures.js';

const A = libraryRecord({
  extra: { env_PATH: '/usr/bin', package_versions: { uplot: '1.6.32', redis: '6.3.1' } },
});
const B = libraryRecord({
  startS: 500,
  durations: [99],
  extra: {
    mb_run_id: 'another-run',
    node_version: 'v22.1.0',
    package_versions: { uplot: '1.6.32', redis: '6.4.0', commander: '14.0.3' },
    git: { commit: 'def456', branch: 'main', dirty: true },
  },
});

describe('diffRecords', () => {
  test('lists changed, removed and added keys; run id, times, durations, telemetry ignored', () => {
    const diff = diffRecords(A, B);
    assert.deepEqual(diff.entries, [
      { type: 'changed', key: 'node_version', a: 'v20.20.2', b: 'v22.1.0' },
      { type: 'changed', key: 'package_versions.redis', a: '6.3.1', b: '6.4.0' },
      { type: 'changed', key: 'git.commit', a: 'abc123', b: 'def456' },
      { type: 'changed', key: 'git.dirty', a: false, b: true },
      { type: 'removed', key: 'env_PATH', a: '/usr/bin' },
      { type: 'added', key: 'package_versions.commander', b: '14.0.3' },
    ]);
    assert.ok(diff.unchanged > 5);
  });

  test('identical metadata: no entries', () => {
    assert.deepEqual(diffRecords(A, { ...A, run_durations: [123] }).entries, []);
  });

  test('--field restricts to keys and prefixes, and can bring back excluded keys', () => {
    const keys = (fields: string[]): string[] =>
      diffRecords(A, B, { fields }).entries.map((e) => e.key);
    assert.deepEqual(keys(['git']), ['git.commit', 'git.dirty']);
    assert.deepEqual(keys(['package_versions.redis', 'node_version']), [
      'node_version',
      'package_versions.redis',
    ]);
    assert.deepEqual(keys(['env_*']), ['env_PATH']);
    assert.deepEqual(keys(['env_']), ['env_PATH']);
    assert.deepEqual(keys(['start_time']), ['start_time']);
    assert.deepEqual(keys(['nothing']), []);
  });

  test('matchesField does not match a longer sibling name', () => {
    assert.equal(matchesField('gitlab', 'git'), false);
    assert.equal(matchesField('git.commit', 'git'), true);
    assert.equal(matchesField('gpus[0].name', 'gpus'), true);
  });

  test('flattenMetadata keeps lists of plain values whole', () => {
    const flat = flattenMetadata({ ...A, command: ['sleep', '1'], gpus: [{ name: 'H100' }] });
    assert.deepEqual(flat.get('command'), ['sleep', '1']);
    assert.equal(flat.get('gpus[0].name'), 'H100');
    assert.equal(flat.has('telemetry'), false);
    assert.equal(flat.has('mb_run_id'), false);
  });
});

describe('renderDiff', () => {
  test('one line per key, JSON values, a count line; colour only when asked', () => {
    const text = renderDiff(diffRecords(A, B), { labelA: 'a.jsonl:1', labelB: 'b.jsonl:1' });
    const lines = text.split('\n');
    assert.equal(lines[0], '--- A  a.jsonl:1');
    assert.equal(lines[1], '+++ B  b.jsonl:1');
    assert.ok(lines.includes('~ node_version                "v20.20.2" → "v22.1.0"'));
    assert.ok(lines.includes('- env_PATH                    "/usr/bin"'));
    assert.ok(lines.includes('+ package_versions.commander  "14.0.3"'));
    assert.match(
      text,
      /6 fields differ \(4 changed, 1 only in A, 1 only in B\); \d+ the same\.\n$/,
    );
    assert.ok(!text.includes('\u001b['));
    assert.ok(renderDiff(diffRecords(A, B), { color: true }).includes('\u001b[31m'));
  });

  test('no differences', () => {
    assert.match(renderDiff(diffRecords(A, A)), /^No differences in \d+ compared fields\.\n$/);
  });
});

describe('parseRecordSpec', () => {
  test('FILE, FILE:N, FILE:-N, and a file whose name ends in :N', () => {
    const none = (): boolean => false;
    assert.deepEqual(parseRecordSpec('r.jsonl', none), { file: 'r.jsonl', index: null });
    assert.deepEqual(parseRecordSpec('r.jsonl:3', none), { file: 'r.jsonl', index: 3 });
    assert.deepEqual(parseRecordSpec('r.jsonl:-1', none), { file: 'r.jsonl', index: -1 });
    assert.deepEqual(
      parseRecordSpec('odd:3', (p) => p === 'odd:3'),
      { file: 'odd:3', index: null },
    );
  });
});
