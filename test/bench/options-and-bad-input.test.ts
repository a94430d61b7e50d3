import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { OptionError } from '../../src/errors.js';
import { MicroBench, type MicroBenchOptions } from '../../src/index.js';
import { memoryOutput } from '../../src/outputs/memory.js';
import type { ProcessInfo } from '../../src/telemetry/process-info.js';
import { watchWarnings } from '../helpers/warnings.js';

watchWarnings();

describe('static members and constructor options', () => {
  test('static members configure a subclass; constructor options win', async () => {
    class Configured extends MicroBench {
      static iterations = 3;
      static timezone = '+05:30';
      static fields = { from: 'static' };
      static defaultMixins = false;
    }
    const fromStatics = new Configured();
    assert.equal(fromStatics.options.iterations, 3);
    assert.equal(fromStatics.options.timezone.name, '+05:30');
    fromStatics.wrap(function f() {})();
    const [record] = await fromStatics.getResults();
    assert.equal(record?.run_durations.length, 3);
    assert.equal(record?.from, 'static');
    assert.match(record?.start_time ?? '', /\+05:30$/);

    const overridden = new Configured({ iterations: 2, fields: { from: 'options' } });
    overridden.wrap(function f() {})();
    const [other] = await overridden.getResults();
    assert.equal(other?.run_durations.length, 2);
    assert.equal(other?.from, 'options');
    assert.match(other?.start_time ?? '', /\+05:30$/, 'statics not overridden still apply');
  });

  test('static members are inherited by a sub-subclass', () => {
    class A extends MicroBench {
      static warmup = 4;
    }
    class B extends A {}
    assert.equal(new B().options.warmup, 4);
  });

  test('a static telemetry method and its v2 alias names', () => {
    class Monitored extends MicroBench {
      static monitorInterval = 0.5;
      static monitor(process: ProcessInfo) {
        return { rss: process.memoryInfo().rss };
      }
    }
    const bench = new Monitored();
    assert.equal(bench.options.telemetryIntervalS, 0.5);
    assert.equal(typeof bench.options.telemetry, 'function');
  });
});

// Assert that constructing with `options` throws an OptionError whose message matches all of `patterns`.
function rejects(options: unknown, ...patterns: RegExp[]): void {
  assert.throws(
    () => new MicroBench(options as MicroBenchOptions),
    (error: unknown) => {
      assert.ok(error instanceof OptionError, `an OptionError, got ${String(error)}`);
      assert.equal(error.code, 'ERR_MB_INVALID_OPTION');
      for (const pattern of patterns) assert.match(error.message, pattern);
      return true;
    },
  );
}

describe('bad input is an OptionError at construction', () => {
  test('an unknown option suggests the closest name', () => {
    rejects({ iteration: 3 }, /`iteration`/, /Did you mean `iterations`\?/);
    rejects({ telemetryIntervall: 1 }, /Did you mean `telemetryInterval`\?/);
    rejects({ outFile: 'x.jsonl' }, /Did you mean `outfile`\?/);
    rejects({ zzzzzzzz: 1 }, /Unknown MicroBench option `zzzzzzzz`/);
  });

  test('iterations and warmup must be integers (>= 1 and >= 0)', () => {
    rejects({ iterations: 1.5 }, /`iterations`/, /integer/, /1\.5/);
    rejects({ iterations: 0 }, /`iterations`/, /`0`/);
    rejects({ iterations: -2 }, /`iterations`/, /-2/);
    rejects({ iterations: '3' }, /`iterations`/, /"3" \(string\)/);
    rejects({ warmup: -1 }, /`warmup`/, /-1/);
    rejects({ warmup: 0.5 }, /`warmup`/, /0\.5/);
    rejects({ warmup: Number.NaN }, /`warmup`/, /NaN/);
    assert.equal(new MicroBench({ warmup: 0 }).options.warmup, 0);
  });

  test('durationCounter must be a function', () => {
    rejects({ durationCounter: 'performance.now' }, /`durationCounter`/, /"performance\.now"/);
    rejects({ durationCounter: 5 }, /`durationCounter`/, /`5` \(number\)/);
  });

  test('outfile and outputs together', () => {
    rejects(
      { outfile: 'a.jsonl', outputs: [memoryOutput()] },
      /`outfile`/,
      /`outputs`/,
      /mutually exclusive/,
    );
  });

  test('telemetryInterval must be positive and finite', () => {
    for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      rejects({ telemetryInterval: bad }, /`telemetryInterval`/, new RegExp(String(bad)));
    }
    rejects({ telemetryInterval: '1' }, /`telemetryInterval`/, /"1" \(string\)/);
    rejects({ monitorInterval: -3 }, /`monitorInterval`/, /-3/);
    rejects({ telemetryTimeout: 0 }, /`telemetryTimeout`/, /`0`/);
  });

  test('telemetry must be a function', () => {
    rejects({ telemetry: { rss: true } }, /`telemetry`/, /an object/);
    rejects({ monitor: 'rss' }, /`telemetry`/, /"rss"/);
  });

  test('both telemetryInterval and monitorInterval with different values', () => {
    rejects(
      { telemetryInterval: 1, monitorInterval: 2 },
      /`telemetryInterval`/,
      /`monitorInterval`/,
      /`1`/,
      /`2`/,
    );
    assert.equal(
      new MicroBench({ telemetryInterval: 2, monitorInterval: 2 }).options.telemetryIntervalS,
      2,
    );
    const telemetry = () => ({});
    rejects({ telemetry, monitor: () => ({}) }, /`telemetry`/, /`monitor`/);
    assert.equal(new MicroBench({ telemetry, monitor: telemetry }).options.telemetry, telemetry);
  });

  test('a bad value in a static member is caught too', () => {
    class Bad extends MicroBench {
      static iterations = -1;
    }
    assert.throws(
      () => new Bad(),
      /Expected `iterations` to be an integer >= 1, got `-1` \(number\)/,
    );
  });

  test('other options are validated as well', () => {
    rejects('results.jsonl', /MicroBench options to be an object/);
    rejects({ outfile: '' }, /`outfile`/);
    rejects({ outputs: [{}] }, /`outputs\[0\]`/);
    rejects({ fields: [1] }, /`fields`/);
    rejects({ envVars: 'HOME' }, /`envVars`/);
    rejects({ captureVersions: [1] }, /`captureVersions`/);
    rejects({ mixins: [() => ({})] }, /`mixins\[0\]`/, /without calling it/);
    rejects({ jsonReplacer: 1 }, /`jsonReplacer`/);
    rejects({ defaultMixins: 'no' }, /`defaultMixins`/);
    rejects({ telemetryMaxSamples: 1 }, /`telemetryMaxSamples`/);
  });
});
