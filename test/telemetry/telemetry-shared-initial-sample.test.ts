import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MicroBench } from '../../src/bench/micro-bench.js';

test('calls that start while the sampler is busy share one initial sample, taken after each of them started', async () => {
  const bench = new MicroBench({
    // Each sample takes 5 ms and is numbered (on the sampler thread, where it runs): the calls
    // of the loop below start far faster than that.
    telemetry: () => {
      const counter = globalThis as { mbSampleNumber?: number };
      counter.mbSampleNumber = (counter.mbSampleNumber ?? 0) + 1;
      const end = performance.now() + 5;
      while (performance.now() < end);
      return { n: counter.mbSampleNumber };
    },
    telemetryInterval: 60,
    defaultMixins: false,
  });
  const call = bench.wrap(function short(i: number) {
    return i;
  });
  const calls = 300;
  for (let i = 0; i < calls; i++) call(i);
  await bench.flush();
  const records = await bench.getResults();
  assert.equal(records.length, calls);
  const byNumber = new Map<number, { timestamp: string; count: number }>();
  for (const record of records) {
    assert.equal(record.telemetry_samples_taken, 1, 'each record holds its initial sample');
    assert.equal(record.telemetry_samples_missed, 0);
    const sample = record.telemetry![0] as { timestamp: string; n: number };
    // Same format and zone: the strings order as the times do.
    assert.ok(
      sample.timestamp >= record.start_time!,
      `sample ${sample.timestamp} before its call's start ${record.start_time}`,
    );
    const seen = byNumber.get(sample.n);
    if (seen) {
      assert.equal(sample.timestamp, seen.timestamp, 'one sample, one timestamp');
      seen.count++;
    } else byNumber.set(sample.n, { timestamp: sample.timestamp, count: 1 });
  }
  // At 5 ms a sample, 300 separate initial samples would take 1.5 s of sampler time.
  assert.ok(byNumber.size < calls / 3, `${byNumber.size} samples for ${calls} calls`);
});
