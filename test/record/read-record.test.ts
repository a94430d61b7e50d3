// The one record reader on every kind of record: Python microbench v2.1's own (real files,
// test/fixtures/microbench-v2.1), ours in v1 and v2, Python v1-style flat ones, and JSON that is
// no microbench record at all.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { toV2Record } from '../../src/record/layout.js';
import type { JsonLinesProblem } from '../../src/record/read-jsonl.js';
import {
  isMicrobenchRecord,
  NOT_A_RECORD_MESSAGE,
  type RecordView,
  readRecordsFrom,
  successfulDurationsOf,
  toRecordView,
} from '../../src/record/read-record.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/microbench-v2.1/', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'mb-read-record-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function readFixture(name: string): Record<string, unknown>[] {
  return readFileSync(join(FIXTURES, name), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

function view(record: Record<string, unknown>): RecordView {
  const v = toRecordView(record);
  assert.ok(v, `expected a record view of ${JSON.stringify(record).slice(0, 80)}`);
  return v;
}

// A flat record as our library writes it in v1.
const OURS_V1 = {
  experiment: 'baseline',
  mb_run_id: '318de8ee-810e-474f-9220-9e27430b302c',
  mb_version: '0.1.0',
  mb_implementation: 'microbench-ts',
  timestamp_tz: 'UTC',
  duration_counter: 'performance.now',
  function_name: 'simulate',
  invocation: 'Node',
  node_version: '20.20.2',
  hostname: 'vm',
  operating_system: 'linux',
  env_HOME: '/root',
  git: { repo: '/r', commit: 'abc', branch: 'main', dirty: true },
  telemetry: [
    { timestamp: '2026-12-02T19:37:06.264391+00:00', rss: 1 },
    { timestamp: '2026-12-02T19:37:06.364391+00:00', rss: 2 },
  ],
  run_durations: [0.5, 0.25],
  start_time: '2026-12-02T19:37:05.270703+00:00',
  finish_time: '2026-12-02T19:37:06.259067+00:00',
  mixin_errors: [{ mixin: 'git-info', error: 'Error: x' }],
};

describe('Python microbench v2.1 records (real files)', () => {
  test('library.jsonl: name, iterations, monitor samples, run id, environment', () => {
    const [simulate, block, fails] = readFixture('library.jsonl').map(view);
    assert.equal(simulate!.format, 'v2');
    assert.equal(simulate!.implementation, 'microbench');
    assert.equal(simulate!.name, 'simulate');
    assert.equal(simulate!.kind, 'function');
    assert.equal(simulate!.invocation, 'Python');
    assert.deepEqual(
      simulate!.iterations.map((i) => i.ok),
      [true, true, true],
    );
    assert.equal(simulate!.iterations[0]!.durationS, 0.12289091499997085);
    assert.equal(simulate!.iterations[0]!.returncode, null);
    assert.equal(simulate!.telemetry.length, 1);
    assert.equal(simulate!.telemetry[0]!.iteration, null);
    assert.equal(simulate!.telemetry[0]!.samples.length, 8);
    assert.equal(simulate!.runId, '00eda91c-c8da-4b22-8336-1c82d4047f75');
    assert.equal(simulate!.version, 'unknown');
    assert.equal(simulate!.startTime, '2026-12-02T16:33:24.188938+00:00');
    assert.equal(simulate!.finishTime, '2026-12-02T16:33:24.557576+00:00');
    assert.deepEqual(simulate!.environment, {
      hostname: 'vm',
      os: 'linux',
      cpuModel: null,
      cpuCoresLogical: 2,
      ramTotalBytes: 25275990016,
      runtime: 'python 3.11.2',
      cgroups: { cpu_cores_limit: null, memory_bytes_limit: null, version: 1 },
      gitCommit: '966df91ef0f9095442bc286585f2a3d3ec3d4034',
      gitDirty: true,
    });
    // Flat names for every field, whatever the layout.
    assert.equal(simulate!.flat.env_HOME, '/home/user');
    assert.equal(simulate!.flat.env_NOT_SET_VAR, null);
    assert.equal(simulate!.flat.return_value, 15);
    assert.equal(simulate!.flat.experiment, 'baseline');
    assert.equal(simulate!.flat.timestamp_tz, 'UTC');

    assert.equal(block!.name, 'block');
    assert.deepEqual(
      (block!.flat.timings as { name: string }[]).map((t) => t.name),
      ['load', 'solve'],
    );

    assert.equal(fails!.name, 'fails');
    assert.deepEqual(fails!.exception, { type: 'ValueError', message: 'bad input' });
    assert.deepEqual(
      fails!.iterations.map((i) => i.ok),
      [false],
      'the iteration that raised is not a success',
    );
    assert.deepEqual(successfulDurationsOf(fails!), []);
  });

  test('cli.jsonl: commands, return codes per iteration, timeouts, a command that never started', () => {
    const [echo, sleep, sh, all, missing] = readFixture('cli.jsonl').map(view);
    assert.equal(echo!.kind, 'command');
    assert.deepEqual(echo!.command, ['echo', 'hello']);
    assert.equal(echo!.invocation, 'CLI');
    assert.deepEqual(
      echo!.iterations.map((i) => [i.returncode, i.ok]),
      [
        [0, true],
        [0, true],
      ],
    );
    assert.deepEqual(echo!.flat.stdout, ['hello\n', 'hello\n']);
    assert.equal(echo!.timedOut, false);

    assert.equal(sleep!.timedOut, true);
    assert.deepEqual(
      sleep!.iterations.map((i) => [i.returncode, i.ok]),
      [[-15, false]],
    );

    assert.deepEqual(
      sh!.iterations.map((i) => [i.returncode, i.ok]),
      [
        [3, false],
        [3, false],
      ],
    );
    assert.deepEqual(successfulDurationsOf(sh!), []);

    assert.equal(all!.flat.experiment, 'cli');
    assert.deepEqual(
      (all!.flat.mixin_errors as { mixin: string }[]).map((e) => e.mixin),
      ['capture_conda_packages', 'capture_nvidia'],
      "v2's call.capture_errors read as mixin_errors",
    );
    assert.equal(all!.flat.file_hash_algorithm, 'sha256');

    assert.equal(missing!.name, 'nonexistent-command-xyz');
    assert.equal(missing!.exception?.type, 'FileNotFoundError');
    assert.deepEqual(
      missing!.iterations.map((i) => [i.returncode, i.ok]),
      [[null, false]],
    );
  });

  test('plain.jsonl: a bench without mixins', () => {
    const [tiny, block] = readFixture('plain.jsonl').map(view);
    assert.equal(tiny!.name, 'tiny');
    assert.equal(successfulDurationsOf(tiny!).length, 5);
    assert.equal(tiny!.environment.hostname, null);
    assert.equal(tiny!.telemetry.length, 0);
    assert.equal(block!.name, 'async-block');
  });
});

describe('our records', () => {
  test('v1: read as written; implementation, invocation, telemetry, mixin errors', () => {
    const v = view(OURS_V1);
    assert.equal(v.format, 'v1');
    assert.equal(v.implementation, 'microbench-ts');
    assert.equal(v.name, 'simulate');
    assert.equal(v.invocation, 'Node');
    assert.deepEqual(successfulDurationsOf(v), [0.5, 0.25]);
    assert.equal(v.telemetry[0]!.samples.length, 2);
    assert.equal(v.environment.runtime, 'node 20.20.2');
    assert.equal(v.environment.gitDirty, true);
    assert.equal(v.flat, OURS_V1, 'a v1 record is its own flat view');
  });

  test('v2: the same view as its v1 twin', () => {
    const v1 = view(OURS_V1);
    const v2 = view(toV2Record(OURS_V1));
    assert.equal(v2.format, 'v2');
    assert.deepEqual({ ...v2, format: 'v1', record: null }, { ...v1, record: null });
  });

  test('CLI records: one telemetry list per iteration, failed iterations by return code', () => {
    const cli = {
      mb_run_id: 'r',
      function_name: 'sh',
      invocation: 'CLI',
      command: ['sh', '-c', 'exit $((RANDOM % 2))'],
      run_durations: [0.1, 0.2, 0.3],
      returncode: [0, 1, 0],
      telemetry: [[{ timestamp: 't', rss_bytes: 1 }], [], [{ timestamp: 't', rss_bytes: 2 }]],
    };
    for (const record of [cli, toV2Record(cli)]) {
      const v = view(record);
      assert.equal(v.kind, 'command');
      assert.deepEqual(successfulDurationsOf(v), [0.1, 0.3]);
      assert.deepEqual(
        v.telemetry.map((run) => [run.iteration, run.samples.length]),
        [
          [1, 1],
          [2, 0],
          [3, 1],
        ],
      );
    }
  });

  test('interrupted records: the last iteration is not a success; a recovered record with no duration has none', () => {
    const v = view({ ...OURS_V1, interrupted: 'SIGINT' });
    assert.equal(v.interrupted, 'SIGINT');
    assert.deepEqual(successfulDurationsOf(v), [0.5]);
    const recovered = view({ function_name: 'long', run_durations: [], interrupted: true });
    assert.equal(recovered.iterations.length, 0);
    assert.equal(recovered.interrupted, true);
  });

  test('a record without a name but with durations is <unnamed>; a CLI record without one is its command', () => {
    assert.equal(view({ run_durations: [1] }).name, '<unnamed>');
    assert.equal(view({ call: { durations: [1], command: ['/bin/true'] } }).name, 'true');
  });
});

describe('JSON that is no microbench record', () => {
  for (const value of [
    { hello: 1 },
    { call: 'x' },
    { call: { args: [] } },
    { mb: { run_id: 'x' } },
    { function_name: 42 },
    { run_durations: 'fast' },
  ]) {
    test(`${JSON.stringify(value)} is not a record`, () => {
      assert.equal(isMicrobenchRecord(value), false);
      assert.equal(toRecordView(value), undefined);
    });
  }

  test('readRecordsFrom: each foreign line reported once with its line number, never yielded', async () => {
    const file = join(dir, 'mixed.jsonl');
    const lines = [
      JSON.stringify(OURS_V1),
      JSON.stringify({ level: 'info', msg: 'a log line' }),
      '',
      readFileSync(join(FIXTURES, 'plain.jsonl'), 'utf8').trim(),
      'not json',
      JSON.stringify(toV2Record(OURS_V1)),
    ];
    writeFileSync(file, `${lines.join('\n')}\n`);
    const problems: JsonLinesProblem[] = [];
    const entries = [];
    for await (const entry of readRecordsFrom([file], { onProblem: (p) => problems.push(p) })) {
      entries.push(entry);
    }
    assert.deepEqual(
      entries.map((e) => [e.line, e.view.name, e.view.format]),
      [
        [1, 'simulate', 'v1'],
        [4, 'tiny', 'v2'],
        [5, 'async-block', 'v2'],
        [7, 'simulate', 'v2'],
      ],
    );
    assert.deepEqual(
      problems.map((p) => [p.line, p.message === NOT_A_RECORD_MESSAGE]),
      [
        [2, true],
        [6, false],
      ],
    );
    assert.equal(problems[0]!.file, file);
  });
});
