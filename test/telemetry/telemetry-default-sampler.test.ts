import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MicroBench } from '../../src/bench/micro-bench.js';
import { spin } from '../helpers/busy.js';

// The samples of a record, checked to be the CLI's two fields.
function assertDefaultSamples(samples: Record<string, unknown>[]): void {
  assert.ok(samples.length >= 2, `${samples.length} samples`);
  for (const sample of samples) {
    assert.deepEqual(Object.keys(sample).sort(), ['cpu_percent', 'rss_bytes', 'timestamp']);
    assert.ok((sample.rss_bytes as number) > 1024 * 1024, `rss_bytes ${sample.rss_bytes}`);
    assert.ok((sample.cpu_percent as number) >= 0);
  }
  assert.equal(samples[0]!.cpu_percent, 0, "psutil's rule: the first cpu_percent is 0.0");
}

test('an interval without a telemetry function samples cpu_percent and rss_bytes, as the CLI does', async () => {
  const bench = new MicroBench({ telemetryInterval: 0.1 });
  bench.wrap(() => spin(250))();
  const [record] = await bench.getResults();
  assertDefaultSamples(record!.telemetry as Record<string, unknown>[]);
  // The CPU-bound call shows in the later samples.
  const later = (record!.telemetry as unknown as { cpu_percent: number }[]).slice(1);
  assert.ok(
    later.some((s) => s.cpu_percent > 0),
    JSON.stringify(later),
  );
});

test('the default sampler also follows a static interval and the v2 alias', async () => {
  class StaticBench extends MicroBench {
    static telemetryInterval = 0.1;
  }
  for (const bench of [new StaticBench(), new MicroBench({ monitorInterval: 0.1 })]) {
    bench.wrap(() => spin(250))();
    const [record] = await bench.getResults();
    assertDefaultSamples(record!.telemetry as Record<string, unknown>[]);
  }
});

test('no interval and no function: no telemetry; a module or a function given: no default', async () => {
  const plain = new MicroBench();
  assert.equal(plain.options.telemetry, undefined);
  const own = new MicroBench({ telemetry: () => ({ mine: 1 }), telemetryInterval: 0.1 });
  own.wrap(() => spin(20))();
  const [record] = await own.getResults();
  assert.deepEqual(Object.keys((record!.telemetry as object[])[0]!).sort(), ['mine', 'timestamp']);
});
