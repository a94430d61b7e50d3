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
  const byNumber = new Map<number, { timestamp: string; sample: object; count: number }>();
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
      // One sample, but each record its own object: changing one record changes no other.
      assert.notEqual(sample, seen.sample, 'records sharing a sample share no object');
      seen.count++;
    } else byNumber.set(sample.n, { timestamp: sample.timestamp, sample, count: 1 });
  }
  // At 5 ms a sample, 300 separate initial samples would take 1.5 s of sampler time.
  assert.ok(byNumber.size < calls / 3, `${byNumber.size} samples for ${calls} calls`);
});

test('a call that starts while the sampler waits for a far-off sample rings it: its initial sample is taken while it runs', async () => {
  const bench = new MicroBench({
    telemetry: () => ({ at: Date.now() }),
    // The long call's next sample is 5 s away: without the ring, the short call's initial
    // sample would wait for it, long after the short call ended.
    telemetryInterval: 5,
    defaultMixins: false,
  });
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  const long = bench.wrap(async function long() {
    await sleep(900);
  });
  const short = bench.wrap(async function short() {
    await sleep(300);
  });
  const longCall = long();
  // Well past the 0.25 ms in which the sampler reads further starts without being rung.
  await sleep(300);
  await short();
  await longCall;
  await bench.flush();
  const records = await bench.getResults();
  const record = records.find((r) => r.function_name === 'short')!;
  assert.equal(record.telemetry_samples_taken, 1);
  const sample = record.telemetry![0] as { timestamp: string };
  assert.ok(
    sample.timestamp >= record.start_time! && sample.timestamp <= record.finish_time!,
    `initial sample at ${sample.timestamp}, call ran ${record.start_time} … ${record.finish_time}`,
  );
});
