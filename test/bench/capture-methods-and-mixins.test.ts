import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { MicroBench } from '../../src/bench/micro-bench.js';
import { defineMixin, type MixinContext } from '../../src/mixins/mixin.js';
import type { BenchRecord } from '../../src/record/record.js';
import { watchWarnings } from '../helpers/warnings.js';

watchWarnings();

describe('capture* / capturepost* subclass methods', () => {
  test('run in alphabetical order, receive the record, pre before the call and post after', async () => {
    const seen: string[] = [];
    class Base extends MicroBench {
      captureZeta(record: BenchRecord): void {
        seen.push('captureZeta');
        record.zeta = 'z';
      }
    }
    class OrderedBench extends Base {
      captureAlpha(record: BenchRecord): void {
        seen.push(`captureAlpha sees function_name=${record.function_name}`);
        record.alpha = 1;
      }
      capture_middle(record: BenchRecord): void {
        seen.push('capture_middle');
        record.middle = true;
      }
      capturepostResult(record: BenchRecord): void {
        seen.push(`capturepostResult sees finish_time=${typeof record.finish_time}`);
        record.post = record.run_durations.length;
      }
      capturepost_a(record: BenchRecord): void {
        seen.push('capturepost_a');
        record.postA = true;
      }
      notACapture(): void {
        seen.push('never');
      }
    }
    const bench = new OrderedBench({ defaultMixins: false, iterations: 2 });
    bench.wrap(function work() {
      seen.push('call');
    })();
    assert.deepEqual(seen, [
      'captureAlpha sees function_name=work',
      'captureZeta',
      'capture_middle',
      'call',
      'call',
      'capturepostResult sees finish_time=string',
      'capturepost_a',
    ]);
    const [record] = await bench.getResults();
    assert.equal(record?.alpha, 1);
    assert.equal(record?.zeta, 'z');
    assert.equal(record?.post, 2);
    const keys = Object.keys(record ?? {});
    assert.ok(keys.indexOf('alpha') < keys.indexOf('run_durations'), 'pre captures come first');
  });

  test('an overridden capture method runs once (the subclass one)', async () => {
    class Parent extends MicroBench {
      captureWho(record: BenchRecord): void {
        record.who = 'parent';
      }
    }
    class Child extends Parent {
      override captureWho(record: BenchRecord): void {
        record.who = 'child';
      }
    }
    const bench = new Child({ defaultMixins: false });
    bench.record('x', () => undefined);
    assert.equal((await bench.getResults())[0]?.who, 'child');
  });

  test('a throwing capture method is recorded in mixin_errors and the record is still written', async () => {
    class Flaky extends MicroBench {
      captureWillFail(): void {
        throw new RuntimeError('simulated failure');
      }
    }
    class RuntimeError extends Error {
      override name = 'RuntimeError';
    }
    const bench = new Flaky({ defaultMixins: false });
    assert.equal(
      bench.record('x', () => 5),
      5,
    );
    const [record] = await bench.getResults();
    assert.deepEqual(record?.mixin_errors, [
      { mixin: 'captureWillFail', error: 'RuntimeError: simulated failure' },
    ]);
  });
});

describe('mixins', () => {
  // A mixin that logs its hooks and what they saw.
  function spyMixin(log: string[]) {
    return defineMixin({
      name: 'spy',
      description: 'records its hook calls',
      capture(record: BenchRecord, ctx: MixinContext) {
        log.push(`capture ${ctx.functionName} args=${JSON.stringify(ctx.args)}`);
        record.spy_started = true;
        ctx.scratch.spy = 0;
      },
      beforeIteration(_record: BenchRecord, ctx: MixinContext) {
        log.push(`before ${String(ctx.scratch.spy)}`);
      },
      afterIteration(record: BenchRecord, ctx: MixinContext) {
        ctx.scratch.spy = (ctx.scratch.spy as number) + 1;
        log.push(`after durations=${record.run_durations.length}`);
      },
      capturePost(record: BenchRecord, ctx: MixinContext) {
        log.push(`post returned=${ctx.returned} value=${String(ctx.returnValue)}`);
        record.spy_iterations = ctx.scratch.spy;
      },
    });
  }

  for (const kind of ['sync', 'async'] as const) {
    test(`${kind}: a custom mixin gets capture, beforeIteration, afterIteration and capturePost`, async () => {
      const log: string[] = [];
      const bench = new MicroBench({
        defaultMixins: false,
        iterations: 2,
        mixins: [spyMixin(log)],
      });
      const f =
        kind === 'sync'
          ? bench.wrap(function f(n: number) {
              log.push('call');
              return n * 2;
            })
          : bench.wrap(async function f(n: number) {
              await sleep(1);
              log.push('call');
              return n * 2;
            });
      assert.equal(await f(21), 42);
      assert.deepEqual(log, [
        'capture f args=[21]',
        'before 0',
        'call',
        'after durations=1',
        'before 1',
        'call',
        'after durations=2',
        'post returned=true value=42',
      ]);
      const [record] = await bench.getResults();
      assert.equal(record?.spy_started, true);
      assert.equal(record?.spy_iterations, 2);
    });
  }

  test('a throwing mixin hook → mixin_errors, other mixins still run, the record is still written', async () => {
    const log: string[] = [];
    const broken = defineMixin({
      name: 'broken',
      description: 'throws everywhere',
      capture() {
        throw new Error('no capture');
      },
      afterIteration() {
        throw new TypeError('no after');
      },
      capturePost() {
        throw 'a string';
      },
    });
    const bench = new MicroBench({ defaultMixins: false, mixins: [broken, spyMixin(log)] });
    assert.equal(bench.wrap((x: number) => x + 1)(1), 2);
    const [record] = await bench.getResults();
    assert.ok(record);
    assert.deepEqual(record.mixin_errors, [
      { mixin: 'broken', error: 'Error: no capture' },
      { mixin: 'broken', error: 'TypeError: no after' },
      { mixin: 'broken', error: 'string: a string' },
    ]);
    assert.equal(record.spy_iterations, 1, 'the other mixin ran all its hooks');
    assert.equal(record.run_durations.length, 1);
  });

  test('the default node-runtime mixin is included unless defaultMixins: false; a same-named mixin replaces it', async () => {
    const withDefault = new MicroBench();
    withDefault.record('x', () => undefined);
    assert.equal((await withDefault.getResults())[0]?.node_version, process.versions.node);

    const without = new MicroBench({ defaultMixins: false });
    without.record('x', () => undefined);
    assert.equal('node_version' in ((await without.getResults())[0] ?? {}), false);

    const replaced = new MicroBench({
      mixins: [
        defineMixin({
          name: 'node-runtime',
          description: 'replacement',
          capture(record: BenchRecord) {
            record.replacement = true;
          },
        }),
      ],
    });
    replaced.record('x', () => undefined);
    const [record] = await replaced.getResults();
    assert.equal(record?.replacement, true);
    assert.equal('node_version' in (record ?? {}), false);
  });
});
