import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { MicroBench } from '../../src/bench/micro-bench.js';
import { OptionError } from '../../src/errors.js';
import { watchWarnings } from '../helpers/warnings.js';

watchWarnings();

const quiet = { defaultMixins: false } as const;

describe('bench.wrap(fn)', () => {
  test('a synchronous function stays synchronous and its record is written before it returns', async () => {
    const bench = new MicroBench(quiet);
    const add = bench.wrap(function add(a: number, b: number) {
      return a + b;
    });
    const result = add(2, 3);
    assert.equal(result, 5, 'returns the value itself, not a promise');
    assert.equal((bench.outputs[0] as unknown as { records: unknown[] }).records.length, 1);
    const [record] = await bench.getResults();
    assert.equal(record?.function_name, 'add');
    assert.equal(record?.run_durations.length, 1);
  });

  test('an async function is awaited: the record is finished only after the promise settles', async () => {
    const bench = new MicroBench(quiet);
    let settledAt = 0;
    const slow = bench.wrap(async function slow(ms: number) {
      await sleep(ms);
      settledAt = Date.now();
      return 'done';
    });
    const pending = slow(60);
    assert.ok(pending instanceof Promise);
    assert.equal((await bench.getResults()).length, 0, 'no record while the call is pending');
    assert.equal(await pending, 'done');
    const [record] = await bench.getResults();
    assert.ok(record);
    assert.ok(Date.parse(record.finish_time) >= settledAt - 1, 'finish_time is after settling');
    assert.ok(
      record.run_durations[0]! >= 0.05,
      `duration ${record.run_durations[0]} covers the await`,
    );
  });

  test('`this` and the arguments are passed through, sync and async', async () => {
    const bench = new MicroBench(quiet);
    const target = {
      base: 10,
      sync: bench.wrap(function (this: { base: number }, a: number, b: string) {
        return `${this.base + a}${b}`;
      }),
      async: bench.wrap(async function (this: { base: number }, ...rest: number[]) {
        return [this.base, ...rest];
      }),
    };
    assert.equal(target.sync(5, '!'), '15!');
    assert.deepEqual(await target.async(1, 2, 3), [10, 1, 2, 3]);
  });

  test('name and length are preserved; `wrap(fn, name)` renames only the record', async () => {
    const bench = new MicroBench(quiet);
    const wrapped = bench.wrap(function compute(_a: number, _b: number, _c: number) {
      return 0;
    });
    assert.equal(wrapped.name, 'compute');
    assert.equal(wrapped.length, 3);
    const renamed = bench.wrap(function inner() {}, 'outer');
    assert.equal(renamed.name, 'inner');
    renamed();
    const anonymous = bench.wrap(
      (
        () => () =>
          1
      )(),
    );
    anonymous();
    const names = (await bench.getResults()).map((r) => r.function_name);
    assert.deepEqual(names, ['outer', '<anonymous>']);
  });

  test('a non-function is rejected with the type received', () => {
    const bench = new MicroBench(quiet);
    assert.throws(
      () => bench.wrap(42 as unknown as () => void),
      (error: unknown) =>
        error instanceof OptionError && /bench\.wrap\(\).*function.*number/.test(error.message),
    );
  });

  // Each ending call used to schedule its own pair of immediates (signal handling lingers a poll
  // phase after the last call): a loop of awaited calls never lets them run, so they piled up,
  // one per call, each holding its call's async context and with it the record (15 % of all
  // allocations promoted out of V8's young generation).
  test('a loop of awaited async calls leaves one immediate pending, not one per call', async () => {
    const bench = new MicroBench(quiet);
    const call = bench.wrap(async (n: number) => n + 1);
    const immediates = () =>
      process.getActiveResourcesInfo().filter((resource) => resource === 'Immediate').length;
    const before = immediates();
    for (let i = 0; i < 500; i++) await call(i);
    assert.ok(immediates() - before <= 1, `${immediates() - before} immediates pending`);
    assert.equal((await bench.getResults()).length, 500);
  });
});

describe('@bench.method (TC39 decorator)', () => {
  test('benchmarks every call of a method, with `this`, sync and async', async () => {
    const bench = new MicroBench(quiet);
    class Calculator {
      factor = 3;

      @bench.method
      times(n: number): number {
        return n * this.factor;
      }

      @bench.method
      async later(n: number): Promise<number> {
        await sleep(5);
        return n + this.factor;
      }
    }
    const calc = new Calculator();
    assert.equal(calc.times(2), 6);
    assert.equal(calc.times(4), 12);
    assert.equal(await calc.later(1), 4);
    const records = await bench.getResults();
    assert.deepEqual(
      records.map((r) => r.function_name),
      ['times', 'times', 'later'],
    );
  });
});

describe('bench.record(name, fn)', () => {
  test('async block: one record with one duration, returns what fn returns', async () => {
    const bench = new MicroBench({ ...quiet, iterations: 5, warmup: 2 });
    let runs = 0;
    const value = await bench.record('load', async () => {
      runs++;
      await sleep(5);
      return { rows: 3 };
    });
    assert.deepEqual(value, { rows: 3 });
    assert.equal(runs, 1, 'iterations and warmup do not apply');
    const [record] = await bench.getResults();
    assert.equal(record?.function_name, 'load');
    assert.equal(record?.run_durations.length, 1);
  });

  test('sync block stays sync; two blocks give two records in order, with static fields first', async () => {
    const bench = new MicroBench({ ...quiet, fields: { experiment: 'run-1', trial: 3 } });
    assert.equal(
      bench.record('a', () => 1),
      1,
    );
    assert.equal(
      bench.record('b', () => 2),
      2,
    );
    const records = await bench.getResults();
    assert.deepEqual(
      records.map((r) => r.function_name),
      ['a', 'b'],
    );
    assert.deepEqual(Object.keys(records[0]!).slice(0, 2), ['experiment', 'trial']);
    assert.equal(records[0]?.trial, 3);
  });

  test('a non-function is rejected', () => {
    const bench = new MicroBench(quiet);
    assert.throws(() => bench.record('x', 'nope' as unknown as () => void), OptionError);
  });
});
