import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { splitIterations } from '../../src/record/iterations.js';

const REFERENCE = '/work/shared/reference/microbench-v2.1-records';

// The records of one of Python microbench v2.1's reference files.
function referenceRecords(name: string): Record<string, unknown>[] {
  return readFileSync(`${REFERENCE}/${name}`, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('splitIterations: library records', () => {
  test('every duration of a call that returned is a success', () => {
    const r = splitIterations({ function_name: 'f', run_durations: [0.1, 0.2, 0.3] });
    assert.deepEqual(r, {
      successfulDurationsS: [0.1, 0.2, 0.3],
      started: 3,
      failed: 0,
      timedOut: 0,
      interrupted: 0,
      failedReturnCodes: [],
    });
  });

  test('an exception fails the last iteration only', () => {
    const r = splitIterations({
      function_name: 'f',
      run_durations: [0.1, 0.2, 0.0001],
      exception: { type: 'Error', message: 'boom' },
    });
    assert.deepEqual(r.successfulDurationsS, [0.1, 0.2]);
    assert.equal(r.failed, 1);
    assert.equal(r.started, 3);
  });

  test('an interrupted call: its last iteration is interrupted, not failed', () => {
    const r = splitIterations({
      function_name: 'f',
      run_durations: [0.1, 5],
      interrupted: 'SIGINT',
    });
    assert.deepEqual(r.successfulDurationsS, [0.1]);
    assert.equal(r.interrupted, 1);
    assert.equal(r.failed, 0);
  });

  test('a recovered record with no duration counts one interrupted iteration', () => {
    const r = splitIterations({ function_name: 'f', run_durations: [], interrupted: true });
    assert.equal(r.started, 1);
    assert.equal(r.interrupted, 1);
    assert.deepEqual(r.successfulDurationsS, []);
  });

  test('interrupted: false and exception: null are no marks', () => {
    const r = splitIterations({
      function_name: 'f',
      run_durations: [0.1],
      interrupted: false,
      exception: null,
    });
    assert.deepEqual(r.successfulDurationsS, [0.1]);
  });

  test('a duration that is not a finite number counts as failed', () => {
    const r = splitIterations({ function_name: 'f', run_durations: [0.1, null, 'x', 0.2] });
    assert.deepEqual(r.successfulDurationsS, [0.1, 0.2]);
    assert.equal(r.failed, 2);
  });

  test('v2 records (Python microbench v2.1): call.durations, exception', () => {
    const [simulate, block, fails] = referenceRecords('library.jsonl');
    assert.equal(splitIterations(simulate!).successfulDurationsS.length, 3);
    assert.equal(splitIterations(block!).successfulDurationsS.length, 1);
    const f = splitIterations(fails!);
    assert.equal(f.failed, 1);
    assert.deepEqual(f.successfulDurationsS, []);
  });
});

describe('splitIterations: CLI records', () => {
  test('each iteration by its return code; codes of failures kept', () => {
    const r = splitIterations({
      command: ['x'],
      run_durations: [1, 2, 3, 4],
      returncode: [0, 3, 0, 1],
    });
    assert.deepEqual(r.successfulDurationsS, [1, 3]);
    assert.equal(r.failed, 2);
    assert.deepEqual(r.failedReturnCodes, [3, 1]);
  });

  test('a duration without a code (could not start) is a failure', () => {
    const r = splitIterations({
      command: ['nope'],
      run_durations: [0.001],
      returncode: [],
      exception: { type: 'Error', message: 'ENOENT' },
    });
    assert.equal(r.failed, 1);
    assert.equal(r.started, 1);
    assert.deepEqual(r.successfulDurationsS, []);
  });

  test('timed_out: true marks the iterations a signal ended', () => {
    const r = splitIterations({
      command: ['sleep', '3'],
      run_durations: [0.5, 0.1, 0.5],
      returncode: [-15, 2, -9],
      timed_out: true,
    });
    assert.equal(r.timedOut, 2);
    assert.equal(r.failed, 1);
    assert.deepEqual(r.failedReturnCodes, [-15, 2, -9]);
  });

  test('timed_out: true with no signal death marks the last failed iteration', () => {
    const r = splitIterations({
      command: ['trap'],
      run_durations: [0.5, 0.1, 0.5],
      returncode: [143, 0, 143],
      timed_out: true,
    });
    assert.equal(r.timedOut, 1);
    assert.equal(r.failed, 1);
    assert.deepEqual(r.successfulDurationsS, [0.1]);
  });

  test('timed_out as a per-iteration list', () => {
    const r = splitIterations({
      command: ['x'],
      run_durations: [1, 2, 3],
      returncode: [0, -15, 1],
      timed_out: [false, true, false],
    });
    assert.equal(r.timedOut, 1);
    assert.equal(r.failed, 1);
  });

  test('interrupted: the last iteration, unless it returned 0', () => {
    const cut = splitIterations({
      command: ['x'],
      run_durations: [1, 2],
      returncode: [0, 130],
      interrupted: 'SIGINT',
    });
    assert.equal(cut.interrupted, 1);
    assert.equal(cut.failed, 0);
    assert.deepEqual(cut.successfulDurationsS, [1]);
    const finished = splitIterations({
      command: ['x'],
      run_durations: [1, 2],
      returncode: [0, 0],
      interrupted: 'SIGTERM',
    });
    assert.equal(finished.interrupted, 0);
    assert.deepEqual(finished.successfulDurationsS, [1, 2]);
  });

  test('v2 records (Python microbench v2.1): call.returncode, call.timed_out', () => {
    const [echo, sleep, exit3, , missing] = referenceRecords('cli.jsonl').map(splitIterations);
    assert.equal(echo!.successfulDurationsS.length, 2);
    assert.equal(sleep!.timedOut, 1);
    assert.deepEqual(sleep!.failedReturnCodes, [-15]);
    assert.equal(exit3!.failed, 2);
    assert.deepEqual(exit3!.failedReturnCodes, [3, 3]);
    assert.equal(missing!.failed, 1);
  });
});

describe('splitIterations: our v2 layout', () => {
  test('call.interrupted and call.timed_out are read like their v1 names', () => {
    const r = splitIterations({
      mb: { implementation: 'microbench-ts' },
      call: {
        name: 'x',
        command: ['x'],
        durations: [1, 2, 3],
        returncode: [0, -15, 130],
        timed_out: [false, true, false],
        interrupted: 'SIGINT',
      },
    });
    assert.deepEqual([r.successfulDurationsS, r.timedOut, r.interrupted, r.failed], [[1], 1, 1, 0]);
  });
});
