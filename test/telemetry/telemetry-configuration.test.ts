import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MicroBench } from '../../src/bench/micro-bench.js';
import { OptionError, TelemetryError } from '../../src/errors.js';
import type { ProcessInfo } from '../../src/telemetry/process-info.js';
import { telemetryDefinitionCount } from '../../src/telemetry/sampler.js';
import { spin } from '../helpers/busy.js';

test('v2 aliases monitor / monitorInterval / monitorTimeout configure telemetry', async () => {
  const bench = new MicroBench({
    monitor: (p: ProcessInfo) => ({ threads: p.num_threads() }),
    monitorInterval: 0.05,
    monitorTimeout: 5,
  });
  assert.equal(bench.options.telemetryIntervalS, 0.05);
  assert.equal(bench.options.telemetryTimeoutS, 5);
  bench.wrap(() => spin(120))();
  const [record] = await bench.getResults();
  assert.ok((record!.telemetry as unknown[]).length >= 2);
});

test('constructor options win over static members', async () => {
  class StaticBench extends MicroBench {
    static telemetryInterval = 90;
    static telemetry(_process: ProcessInfo) {
      return { from: 'static' };
    }
  }
  const bench = new StaticBench({ telemetryInterval: 0.05, telemetry: () => ({ from: 'option' }) });
  assert.equal(bench.options.telemetryIntervalS, 0.05);
  bench.wrap(() => spin(120))();
  const [record] = await bench.getResults();
  const samples = record!.telemetry as unknown as { from: string }[];
  assert.ok(samples.length >= 2);
  assert.equal(samples[0]!.from, 'option');
});

test('defaults: 60 s interval, 30 s timeout, telemetry off without a function', async () => {
  const plain = new MicroBench();
  assert.equal(plain.options.telemetryIntervalS, 60);
  assert.equal(plain.options.telemetryTimeoutS, 30);
  plain.wrap(() => 1)();
  const [record] = await plain.getResults();
  assert.equal('telemetry' in record!, false);
  const sampled = new MicroBench({ telemetry: () => ({ x: 1 }) });
  sampled.wrap(() => spin(20))();
  const [one] = await sampled.getResults();
  assert.equal(
    (one!.telemetry as unknown[]).length,
    1,
    'only the initial sample at a 60 s interval',
  );
});

test('bad telemetry configuration is a clear error at construction', () => {
  for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY, '5']) {
    assert.throws(
      () => new MicroBench({ telemetry: () => ({}), telemetryInterval: bad as number }),
      (error: Error) =>
        error instanceof OptionError &&
        /telemetryInterval.*positive number of seconds/.test(error.message),
    );
    assert.throws(
      () => new MicroBench({ telemetryTimeout: bad as number }),
      (error: Error) => error instanceof OptionError && /telemetryTimeout/.test(error.message),
    );
  }
  assert.throws(() => new MicroBench({ monitorInterval: -2 }), /`monitorInterval`.*got `-2`/);
  assert.throws(
    () => new MicroBench({ telemetry: 42 as never }),
    (error: Error) =>
      error instanceof OptionError && /`telemetry` to be a function.*42/.test(error.message),
  );
  assert.throws(
    () => new MicroBench({ telemetryInterval: 1, monitorInterval: 2 }),
    /Both `telemetryInterval` and its v2 alias `monitorInterval`/,
  );
  assert.throws(
    () => new MicroBench({ telemetry: () => ({}), monitor: () => ({}) }),
    /Both `telemetry` and its v2 alias `monitor`/,
  );
  assert.throws(() => new MicroBench({ telemetryMaxSamples: 1 }), /telemetryMaxSamples.*>= 2/);
  assert.throws(
    () => new MicroBench({ telemetry: Math.max as never }),
    (e: Error) => e instanceof TelemetryError,
  );
  assert.throws(
    () => new MicroBench({ telemetryModule: '/nonexistent/sampler.js' }),
    (e: Error) => e instanceof TelemetryError && /does not exist/.test(e.message),
  );
});

test('benches with the same telemetry function share one definition; a different one adds one', async () => {
  // A program that makes a bench per task must not grow by a compiled function per bench.
  function sharedTelemetry(process: ProcessInfo) {
    return { rss: process.memoryInfo().rss };
  }
  const before = telemetryDefinitionCount();
  for (let i = 0; i < 50; i++) {
    const bench = new MicroBench({
      defaultMixins: false,
      telemetry: sharedTelemetry,
      telemetryInterval: 1,
    });
    bench.wrap(() => spin(1))();
    const [record] = await bench.getResults();
    assert.equal(typeof (record!.telemetry as Record<string, unknown>[])[0]!.rss, 'number');
  }
  assert.equal(telemetryDefinitionCount(), before + 1);
  const other = new MicroBench({
    defaultMixins: false,
    telemetry: (process: ProcessInfo) => ({ vms: process.memoryInfo().vms }),
    telemetryInterval: 1,
  });
  other.wrap(() => spin(1))();
  const [record] = await other.getResults();
  assert.equal(typeof (record!.telemetry as Record<string, unknown>[])[0]!.vms, 'number');
  assert.equal(telemetryDefinitionCount(), before + 2);
});
