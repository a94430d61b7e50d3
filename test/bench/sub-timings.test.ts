import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { MicroBench } from '../../src/bench/micro-bench.js';
import type { SubTiming } from '../../src/record/record.js';
import { watchWarnings } from '../helpers/warnings.js';

watchWarnings();

const quiet = { defaultMixins: false } as const;

// The `timings` of the only record, as `[name, duration >= 0]` pairs.
async function timingsOf(bench: MicroBench): Promise<SubTiming[] | undefined> {
  const records = await bench.getResults();
  assert.equal(records.length, 1);
  const timings = records[0]?.timings;
  for (const t of timings ?? []) assert.ok(t.duration >= 0, `${t.name} has a duration >= 0`);
  return timings;
}

describe('bench.time(label)', () => {
  test('timer.stop() appends {name, duration} to the call, in call order', async () => {
    const bench = new MicroBench(quiet);
    bench.record('p', () => {
      const parse = bench.time('parse');
      parse.stop();
      const transform = bench.time('transform');
      const seconds = transform.stop();
      assert.equal(transform.stop(), seconds, 'a second stop() records nothing more');
    });
    const timings = await timingsOf(bench);
    assert.deepEqual(
      timings?.map((t) => t.name),
      ['parse', 'transform'],
    );
  });

  test('time(label, fn) times a sync fn and returns its value', async () => {
    const bench = new MicroBench(quiet);
    const work = bench.wrap(function work() {
      return bench.time('inner', () => 7) * 2;
    });
    assert.equal(work(), 14);
    assert.deepEqual(
      (await timingsOf(bench))?.map((t) => t.name),
      ['inner'],
    );
  });

  test('time(label, fn) awaits an async fn', async () => {
    const bench = new MicroBench(quiet);
    const work = bench.wrap(async function work() {
      return bench.time('fetch', async () => {
        await sleep(30);
        return 'body';
      });
    });
    assert.equal(await work(), 'body');
    const [timing] = (await timingsOf(bench)) ?? [];
    assert.equal(timing?.name, 'fetch');
    assert.ok(timing!.duration >= 0.02, `duration ${timing!.duration} covers the await`);
  });

  test('`using` stops the timer at the end of the block', async () => {
    const bench = new MicroBench(quiet);
    bench.record('block', () => {
      using _timer = bench.time('scoped');
    });
    assert.deepEqual(
      (await timingsOf(bench))?.map((t) => t.name),
      ['scoped'],
    );
  });

  test('a timing whose block throws is still recorded (sync and async)', async () => {
    const bench = new MicroBench(quiet);
    assert.throws(() =>
      bench.record('sync', () =>
        bench.time('risky', () => {
          throw new Error('boom');
        }),
      ),
    );
    await assert.rejects(
      bench.record('async', () =>
        bench.time('risky-async', async () => {
          throw new Error('boom');
        }),
      ),
    );
    const records = await bench.getResults();
    assert.deepEqual(
      records.map((r) => r.timings?.map((t) => t.name)),
      [['risky'], ['risky-async']],
    );
    assert.equal(records[0]?.exception?.message, 'boom');
  });

  test('with iterations: 3 one entry per iteration', async () => {
    const bench = new MicroBench({ ...quiet, iterations: 3 });
    bench.wrap(function repeated() {
      bench.time('step').stop();
    })();
    assert.deepEqual(
      (await timingsOf(bench))?.map((t) => t.name),
      ['step', 'step', 'step'],
    );
  });

  test('no `timings` key when time() is not used', async () => {
    const bench = new MicroBench(quiet);
    bench.record('plain', () => undefined);
    assert.equal(await timingsOf(bench), undefined);
  });

  test('time() outside any benchmarked call records nothing', async () => {
    const bench = new MicroBench(quiet);
    bench.time('orphan').stop();
    assert.equal(
      bench.time('orphan-fn', () => 3),
      3,
    );
    assert.equal(await bench.time('orphan-async', async () => 4), 4);
    bench.record('later', () => undefined);
    assert.equal(await timingsOf(bench), undefined, 'nothing leaks into a later call');
  });

  test('concurrent async calls keep their own timings', async () => {
    const bench = new MicroBench(quiet);
    const job = bench.wrap(async function job(id: string, delays: number[]) {
      for (const [i, ms] of delays.entries()) {
        await bench.time(`${id}-${i}`, () => sleep(ms));
      }
    });
    await Promise.all([job('a', [20, 1, 15]), job('b', [1, 25, 1]), job('c', [10, 10])]);
    const records = await bench.getResults();
    const byFirst = new Map(records.map((r) => [r.timings?.[0]?.name.slice(0, 1), r.timings]));
    assert.deepEqual(
      byFirst.get('a')?.map((t) => t.name),
      ['a-0', 'a-1', 'a-2'],
    );
    assert.deepEqual(
      byFirst.get('b')?.map((t) => t.name),
      ['b-0', 'b-1', 'b-2'],
    );
    assert.deepEqual(
      byFirst.get('c')?.map((t) => t.name),
      ['c-0', 'c-1'],
    );
  });

  test('sub-timings use the bench durationCounter', async () => {
    let now = 0;
    const bench = new MicroBench({ ...quiet, durationCounter: () => (now += 500) });
    bench.record('clocked', () => {
      bench.time('tick').stop();
    });
    const [timing] = (await timingsOf(bench)) ?? [];
    assert.equal(timing?.duration, 0.5, 'one 500 ms tick of the custom clock');
  });
});
