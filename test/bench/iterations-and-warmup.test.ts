import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { MicroBench } from '../../src/bench/micro-bench.js';
import { watchWarnings } from '../helpers/warnings.js';

watchWarnings();

const quiet = { defaultMixins: false } as const;

describe('iterations and warmup', () => {
  test('iterations: 3 → one record with 3 non-negative durations; the last value is returned', async () => {
    const bench = new MicroBench({ ...quiet, iterations: 3 });
    let calls = 0;
    const f = bench.wrap(function f() {
      return ++calls;
    });
    assert.equal(f(), 3);
    const records = await bench.getResults();
    assert.equal(records.length, 1);
    assert.equal(records[0]?.run_durations.length, 3);
    for (const d of records[0]!.run_durations) assert.ok(d >= 0);
  });

  for (const kind of ['sync', 'async'] as const) {
    test(`${kind}: warmup 3 + iterations 2 → fn ran 5 times, 2 durations`, async () => {
      // A custom clock shows what was timed: each timed call reads it twice.
      let clockReads = 0;
      const bench = new MicroBench({
        ...quiet,
        warmup: 3,
        iterations: 2,
        durationCounter: () => ++clockReads,
      });
      const order: string[] = [];
      const body = () => order.push(`call ${order.length + 1} at clock ${clockReads}`);
      const f =
        kind === 'sync'
          ? bench.wrap(function f() {
              body();
              return 'sync';
            })
          : bench.wrap(async function f() {
              await sleep(1);
              body();
              return 'async';
            });
      const result = f();
      if (kind === 'sync') assert.equal(result, 'sync');
      else assert.equal(await result, 'async');
      assert.equal(order.length, 5);
      // Warmup calls happen before the clock is read at all (not timed).
      assert.deepEqual(order.slice(0, 3), [
        'call 1 at clock 0',
        'call 2 at clock 0',
        'call 3 at clock 0',
      ]);
      const [record] = await bench.getResults();
      assert.equal(record?.run_durations.length, 2);
      assert.equal(clockReads, 4, 'two clock reads per timed iteration, none for warmup');
    });
  }

  test('async: warmup 2 + iterations 3 → 5 calls, 3 durations', async () => {
    const bench = new MicroBench({ ...quiet, warmup: 2, iterations: 3 });
    let calls = 0;
    const f = bench.wrap(async function f() {
      calls++;
    });
    await f();
    assert.equal(calls, 5);
    assert.equal((await bench.getResults())[0]?.run_durations.length, 3);
  });

  test('a warmup call that throws propagates and writes no record', async () => {
    const bench = new MicroBench({ ...quiet, warmup: 1 });
    const f = bench.wrap(function f() {
      throw new Error('cold');
    });
    assert.throws(f, /cold/);
    const g = bench.wrap(async function g() {
      throw new Error('cold async');
    });
    await assert.rejects(g(), /cold async/);
    assert.equal((await bench.getResults()).length, 0);
  });
});
