import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MicroBench } from '../../src/bench/micro-bench.js';
import { OptionError } from '../../src/errors.js';
import type { ProcessInfo } from '../../src/telemetry/process-info.js';
import { spin } from '../helpers/busy.js';
import { captureWarnings, settle } from '../helpers/capture-warnings.js';

test('a telemetry function using an outside variable is refused where the bench is made, naming it and the rule', () => {
  const multiplier = 2;
  const offset = 1;
  for (const telemetry of [
    (p: ProcessInfo) => ({ rss: p.memoryInfo().rss * multiplier }),
    function sample(p: ProcessInfo) {
      const { rss } = p.memoryInfo();
      return { rss: rss > 0 ? rss + offset : multiplier };
    },
  ]) {
    assert.throws(
      () => new MicroBench({ telemetry, telemetryInterval: 0.05 }),
      (error: Error) =>
        error instanceof OptionError &&
        /uses `(multiplier|offset)`/.test(error.message) &&
        /sampler thread/.test(error.message) &&
        /only its `process` argument and globals/.test(error.message) &&
        /telemetryModule/.test(error.message),
    );
  }
});

test('self-contained telemetry functions are accepted: locals, destructuring, inner helpers, globals, regexes, templates', () => {
  const accepted = [
    (p: ProcessInfo) => {
      const { rss, vms: v } = p.memoryInfo();
      const pattern = /\d+ kB/g;
      const label = `rss/${rss / 1024} kB`;
      const helpers = {
        half(n: number) {
          return n / 2;
        },
        get now() {
          return Date.now();
        },
      };
      let total = 0;
      for (const n of [rss, v]) total += helpers.half(n);
      try {
        JSON.parse('{');
      } catch (error) {
        total += String(error).length > 0 ? 1 : 0;
      }
      return { total, label, ok: pattern.test(label), at: helpers.now, max: Math.max(rss, v) };
    },
  ];
  for (const telemetry of accepted)
    new MicroBench({ telemetry, telemetryInterval: 60, defaultMixins: false });
});

test('an outside variable the construction check cannot see is explained at run time, stored once per record with a count', async () => {
  const multiplier = 2;
  const warnings = captureWarnings();
  const bench = new MicroBench({
    // A default parameter value is not checked at construction (it may be a local's name).
    telemetry: (p: ProcessInfo, m = multiplier) => ({ rss: p.memoryInfo().rss * m }),
    telemetryInterval: 0.05,
  });
  const fn = bench.wrap(() => spin(120));
  fn();
  fn();
  const records = await bench.getResults();
  await settle();
  assert.equal(records.length, 2, 'the benchmark itself carries on');
  for (const record of records) {
    const samples = record.telemetry as { error?: unknown }[];
    assert.ok(samples.length >= 2);
    for (const s of samples) assert.equal(s.error, true, 'the sample is marked, not the message');
    const errors = record.telemetry_errors as { message: string; count: number }[];
    assert.equal(errors.length, 1, 'the message once');
    assert.match(
      errors[0]!.message,
      /uses `multiplier`, which is not available on the sampler thread/,
    );
    assert.match(errors[0]!.message, /telemetryModule/);
    assert.equal(errors[0]!.count, samples.length, 'counted once per failed sample');
  }
  const ours = warnings.stop().filter((w) => /multiplier/.test(w.message));
  assert.equal(ours.length, 1, 'one warning, not one per sample');
});

test('a throwing telemetry function: samples {timestamp, error: true}, the message once with its count, one warning, the call goes on', async () => {
  const warnings = captureWarnings();
  const bench = new MicroBench({
    telemetry: () => {
      throw new Error('sensor offline');
    },
    telemetryInterval: 0.05,
  });
  assert.equal(
    bench.wrap(() => {
      spin(120);
      return 'result';
    })(),
    'result',
  );
  const [record] = await bench.getResults();
  await settle();
  const samples = record!.telemetry as Record<string, unknown>[];
  assert.ok(samples.length >= 2);
  for (const s of samples) {
    assert.deepEqual(Object.keys(s).sort(), ['error', 'timestamp']);
    assert.equal(s.error, true);
  }
  assert.deepEqual(record!.telemetry_errors, [
    { message: 'Error: sensor offline', count: samples.length },
  ]);
  assert.equal(JSON.stringify(record).split('sensor offline').length - 1, 1, 'stored once');
  assert.equal(warnings.stop().filter((w) => /sensor offline/.test(w.message)).length, 1);
});

test('a telemetry function returning a non-object records an error sample', async () => {
  const warnings = captureWarnings();
  const bench = new MicroBench({ telemetry: (() => 42) as never, telemetryInterval: 0.05 });
  bench.wrap(() => spin(60))();
  const [record] = await bench.getResults();
  await settle();
  const first = (record!.telemetry as Record<string, unknown>[])[0]!;
  assert.equal(first.error, true);
  const errors = record!.telemetry_errors as { message: string }[];
  assert.match(errors[0]!.message, /must return an object of sample fields, got number/);
  assert.equal(warnings.stop().filter((w) => /got number/.test(w.message)).length, 1);
});

test('a hanging telemetry function is abandoned after telemetryTimeout; samples kept; sampling recovers', async () => {
  const warnings = captureWarnings();
  const hanging = new MicroBench({
    telemetry: (p: ProcessInfo) => {
      const g = globalThis as { __mbHangCount?: number };
      g.__mbHangCount = (g.__mbHangCount ?? 0) + 1;
      if (g.__mbHangCount > 3) for (;;) {} // the 4th sample never returns
      return { rss: p.memoryInfo().rss };
    },
    telemetryInterval: 0.05,
    telemetryTimeout: 0.5,
  });
  const started = performance.now();
  hanging.wrap(() => spin(400))();
  const [record] = await hanging.getResults();
  const waited = performance.now() - started;
  // The stop needs nothing from the worker: the record is delivered at once.
  assert.equal((record!.telemetry as unknown[]).length, 3, 'the samples taken before the hang');
  assert.ok(waited < 2000, `record delivered after ${waited} ms`);
  // The hang is noticed once the stuck sample has run for telemetryTimeout (from ~150 ms on).
  const hangWarnings = () =>
    warnings.warnings.filter((w) => /telemetryTimeout \(0\.5 s\)/.test(w.message));
  for (let i = 0; i < 100 && hangWarnings().length === 0; i++) await settle(50);
  assert.ok(performance.now() - started >= 600, 'not before the timeout');
  assert.equal(
    warnings.stop().filter((w) => /telemetryTimeout \(0\.5 s\)/.test(w.message)).length,
    1,
  );

  // A fresh worker serves later calls.
  const healthy = new MicroBench({
    telemetry: (p: ProcessInfo) => ({ pid: p.pid }),
    telemetryInterval: 0.05,
  });
  healthy.wrap(() => spin(120))();
  const [after] = await healthy.getResults();
  assert.ok((after!.telemetry as unknown[]).length >= 2);
});

test('method shorthand sources and tsx/esbuild helper calls are accepted', async () => {
  class ShorthandBench extends MicroBench {
    static telemetryInterval = 0.05;
    static telemetry(process: ProcessInfo) {
      // A named inner function makes esbuild inject `__name(...)`.
      function half(n: number) {
        return n / 2;
      }
      const round = (n: number) => Math.round(n);
      return { half_rss: round(half(process.memoryInfo().rss)) };
    }
  }
  const bench = new ShorthandBench();
  bench.wrap(() => spin(60))();
  const [record] = await bench.getResults();
  const first = (record!.telemetry as Record<string, unknown>[])[0]!;
  assert.equal(first.error, undefined, String(first.error));
  assert.equal(typeof first.half_rss, 'number');
});

test('telemetryModule: a module whose default export samples, with imports', async () => {
  const bench = new MicroBench({
    telemetryModule: new URL('../fixtures/telemetry-sampler-module.mjs', import.meta.url),
    telemetryInterval: 0.05,
  });
  bench.wrap(() => spin(120))();
  const [record] = await bench.getResults();
  const samples = record!.telemetry as Record<string, unknown>[];
  assert.ok(samples.length >= 2, JSON.stringify(record));
  assert.equal(typeof samples[0]!.load1, 'number');
  assert.equal(typeof samples[0]!.rss, 'number');
});
