import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { MicroBench } from '../../src/bench/micro-bench.js';
import { returnValue } from '../../src/mixins/return-value.js';
import { watchWarnings } from '../helpers/warnings.js';

watchWarnings();

class ValueError extends Error {
  override name = 'ValueError';
}

// A bench that records return values, with `iterations: 5`.
function newBench() {
  return new MicroBench({ defaultMixins: false, iterations: 5, mixins: [returnValue()] });
}

describe('a benchmarked function that throws', () => {
  for (const kind of ['sync', 'async'] as const) {
    test(`${kind}: the error is re-thrown unchanged; durations include the failing iteration`, async () => {
      const bench = newBench();
      const error = new ValueError('second call fails');
      let calls = 0;
      const f =
        kind === 'sync'
          ? bench.wrap(function f() {
              if (++calls === 2) throw error;
              return calls;
            })
          : bench.wrap(async function f() {
              await sleep(1);
              if (++calls === 2) throw error;
              return calls;
            });
      let caught: unknown;
      try {
        await f();
      } catch (thrown) {
        caught = thrown;
      }
      assert.equal(caught, error, 'the very same error object');
      assert.equal(calls, 2, 'no iteration after the failing one');
      const records = await bench.getResults();
      assert.equal(records.length, 1);
      const [record] = records;
      assert.deepEqual(record?.exception, { type: 'ValueError', message: 'second call fails' });
      assert.equal(record?.run_durations.length, 2);
      assert.equal('return_value' in (record ?? {}), false, 'no return value');
    });

    test(`${kind}: a non-Error throw is recorded and re-thrown as is`, async () => {
      const bench = newBench();
      const thrown = { code: 42 };
      const f =
        kind === 'sync'
          ? bench.wrap(function f() {
              throw thrown;
            })
          : bench.wrap(async function f() {
              throw thrown;
            });
      await assert.rejects(
        async () => f(),
        (e: unknown) => e === thrown,
      );
      const g =
        kind === 'sync'
          ? bench.wrap(function g() {
              throw 'plain string';
            })
          : bench.wrap(async function g() {
              throw 'plain string';
            });
      await assert.rejects(
        async () => g(),
        (e: unknown) => e === 'plain string',
      );
      const records = await bench.getResults();
      assert.deepEqual(
        records.map((r) => [r.exception, r.run_durations.length]),
        [
          [{ type: 'object', message: '[object Object]' }, 1],
          [{ type: 'string', message: 'plain string' }, 1],
        ],
      );
    });
  }

  test('an async function that throws before its first await (a rejected promise) is recorded', async () => {
    const bench = newBench();
    const f = bench.wrap(async function f() {
      throw new TypeError('early');
    });
    const pending = f();
    assert.ok(pending instanceof Promise, 'still a promise, not a sync throw');
    await assert.rejects(pending, TypeError);
    const [record] = await bench.getResults();
    assert.deepEqual(record?.exception, { type: 'TypeError', message: 'early' });
  });

  test('no exception key and a return value on success', async () => {
    const bench = newBench();
    bench.wrap(function ok() {
      return 'fine';
    })();
    const [record] = await bench.getResults();
    assert.equal('exception' in (record ?? {}), false);
    assert.equal(record?.return_value, 'fine');
  });

  test('record(name, fn) records the exception too (sync and async)', async () => {
    const bench = new MicroBench({ defaultMixins: false });
    const error = new RangeError('out');
    assert.throws(
      () =>
        bench.record('sync-block', () => {
          throw error;
        }),
      (e: unknown) => e === error,
    );
    await assert.rejects(
      bench.record('async-block', async () => {
        throw error;
      }),
      (e: unknown) => e === error,
    );
    const records = await bench.getResults();
    assert.deepEqual(
      records.map((r) => [r.function_name, r.exception?.type, r.run_durations.length]),
      [
        ['sync-block', 'RangeError', 1],
        ['async-block', 'RangeError', 1],
      ],
    );
  });
});
