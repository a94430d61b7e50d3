import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MicroBench } from '../../src/bench/micro-bench.js';
import type { ProcessInfo } from '../../src/telemetry/process-info.js';
import { spin } from '../helpers/busy.js';

test('samples keep coming on time while the main thread is blocked in synchronous code', async () => {
  const bench = new MicroBench({
    telemetry: (p: ProcessInfo) => ({ rss: p.memoryInfo().rss }),
    telemetryInterval: 0.05,
  });
  const blocked = bench.wrap(function blocked() {
    spin(1000);
  });
  blocked();
  const [record] = await bench.getResults();
  // The ISO strings (one offset, microsecond digits) compare like the instants they name;
  // Date.parse would drop the microseconds, and a sample taken late (the first call's initial
  // one, while the worker loads) may be followed within a millisecond by the next one due.
  const times = (record!.telemetry as { timestamp: string }[]).map((s) => s.timestamp);
  // 21 due (0, 50, ..., 1000 ms), each in the record or counted as missed; a main-thread timer
  // could take only the initial one while the thread is blocked, a busy machine may delay some.
  assert.ok(record!.telemetry_samples_due! >= 21, `due ${record!.telemetry_samples_due}`);
  assert.equal(times.length + record!.telemetry_samples_missed!, record!.telemetry_samples_due);
  assert.ok(times.length >= 3, `only ${times.length} samples during a 1 s blocked call`);
  for (let i = 1; i < times.length; i++)
    assert.ok(times[i]! > times[i - 1]!, `timestamps increase: ${times.join(', ')}`);
});

test('the RSS of a memory-growing call rises across samples', async () => {
  const bench = new MicroBench({
    telemetry: (p: ProcessInfo) => ({ rss: p.memoryInfo().rss }),
    telemetryInterval: 0.05,
  });
  const keep: Buffer[] = [];
  const grow = bench.wrap(function grow() {
    for (let step = 0; step < 8; step++) {
      keep.push(Buffer.alloc(16 * 1024 * 1024, 1)); // touched: counts as resident
      spin(60);
    }
  });
  grow();
  const [record] = await bench.getResults();
  const rss = (record!.telemetry as unknown as { rss: number }[]).map((s) => s.rss);
  assert.ok(rss.length >= 5);
  assert.ok(
    rss[rss.length - 1]! - rss[0]! > 64 * 1024 * 1024,
    `rss grew by ${rss[rss.length - 1]! - rss[0]!} bytes`,
  );
  keep.length = 0;
});

test('a sample due just before the call ends belongs to its record, even if the sampler is still waking for it', async () => {
  const bench = new MicroBench({
    telemetry: (p: ProcessInfo) => ({ pid: p.pid }),
    telemetryInterval: 0.1,
  });
  // Each call ends 30 µs after its third sample (0, 100, 200 ms) is due: the sampler thread
  // usually wakes later than that, so the stop and the sample race. The record must wait for it.
  const call = bench.wrap(function endsJustAfterASample() {
    spin(200.03);
  });
  for (let i = 0; i < 3; i++) call();
  const records = await bench.getResults();
  for (const record of records) {
    const samples = record.telemetry as { timestamp: string }[];
    assert.equal(record.telemetry_samples_due, 3);
    // A sample lost to the race would be counted as missed with the sampler "behind"; only a
    // wake-up more than half an interval late on a crowded machine may skip one.
    if (record.telemetry_missed_cause === 'machine overloaded') continue;
    assert.equal(samples.length, 3, `${samples.length} samples in a 200 ms call at 100 ms`);
  }
});

test("the initial sample is never stamped before its call's start_time", async () => {
  const bench = new MicroBench({
    telemetry: (p: ProcessInfo) => ({ pid: p.pid }),
    telemetryInterval: 0.005,
  });
  const call = bench.wrap(function short() {
    spin(12);
  });
  for (let i = 0; i < 40; i++) call();
  const records = await bench.getResults();
  for (const record of records) {
    const samples = record.telemetry as { timestamp: string }[];
    assert.ok(samples.length >= 1, 'the initial sample is always taken');
    // Same offset, microsecond digits: the strings compare like the instants they name.
    assert.ok(
      samples[0]!.timestamp >= record.start_time,
      `initial sample ${samples[0]!.timestamp} before start_time ${record.start_time}`,
    );
  }
});

test('overlapping async calls each get their own sampling session', async () => {
  const bench = new MicroBench({
    telemetry: (p: ProcessInfo) => ({ pid: p.pid }),
    telemetryInterval: 0.05,
  });
  const sleep = bench.wrap(async function sleep(ms: number) {
    await new Promise((resolve) => setTimeout(resolve, ms));
    return ms;
  });
  assert.deepEqual(await Promise.all([sleep(400), sleep(100), sleep(250)]), [400, 100, 250]);
  const records = await bench.getResults();
  assert.equal(records.length, 3);
  for (const record of records) {
    const ms = record.run_durations[0]! * 1000;
    const samples = record.telemetry as { timestamp: string }[];
    const start = Date.parse(record.start_time);
    const finish = Date.parse(record.finish_time);
    for (const s of samples) {
      const t = Date.parse(s.timestamp);
      // Never before start_time (stamped before telemetry starts; the clock is the same in
      // every thread); slack after the finish for a loaded CI machine, where the sampler thread
      // may run late.
      assert.ok(
        t >= start && t <= finish + 250,
        `sample at +${t - start} ms of a call that finished at +${finish - start} ms`,
      );
    }
    // One session per call, sampled until it ends: the other calls ending (and their sessions
    // retiring) must not stop the schedule of the ones still running.
    const expected = Math.floor(ms / 50) + 1;
    assert.ok(
      Math.abs(samples.length - expected) <= 2,
      `${samples.length} samples for a ${ms} ms call`,
    );
  }
});

test('a session that ends between the samples of another does not stall the other', async () => {
  const bench = new MicroBench({
    telemetry: (p: ProcessInfo) => ({ pid: p.pid }),
    telemetryInterval: 0.05,
  });
  const sleep = bench.wrap(async function sleep(ms: number) {
    await new Promise((resolve) => setTimeout(resolve, ms));
  });
  // The short call starts 10 ms after the long one, so its sample due after it ended falls
  // between two of the long call's: the scheduler wakes for a session that is over, and must
  // still go on sampling the long one.
  const long = sleep(400);
  await new Promise((resolve) => setTimeout(resolve, 10));
  await Promise.all([long, sleep(75)]);
  const records = await bench.getResults();
  // The longer of the two (a 400 ms timer may measure a hair under 400 ms).
  const longRecord = records.reduce((a, b) => (b.run_durations[0]! > a.run_durations[0]! ? b : a));
  assert.ok(longRecord.run_durations[0]! > 0.3, `${longRecord.run_durations[0]} s`);
  const samples = longRecord.telemetry as unknown[];
  // A stalled scheduler would take none after the short call ended (~2 of 9 due); a busy machine
  // may make some late, and the record counts any it missed.
  const due = longRecord.telemetry_samples_due!;
  assert.equal(samples.length + longRecord.telemetry_samples_missed!, due);
  assert.ok(samples.length > due / 2, `${samples.length} of ${due} samples in a 400 ms call`);
});

test('telemetryMaxSamples thins evenly, keeps the first and last, and records the total', async () => {
  const bench = new MicroBench({
    // Numbers the samples (the worker's globals outlive a session; one session runs at a time
    // here), and cpu_percent is 0.0 only in a session's first sample (psutil's rule).
    telemetry: (p: ProcessInfo) => {
      const g = globalThis as { sampleNumber?: number };
      g.sampleNumber = (g.sampleNumber ?? 0) + 1;
      return { n: g.sampleNumber, cpu: p.cpuPercent() };
    },
    telemetryInterval: 0.01,
    telemetryMaxSamples: 10,
  });
  bench.wrap(() => spin(600))();
  const [record] = await bench.getResults();
  const samples = record!.telemetry as unknown as { n: number; cpu: number }[];
  const total = record!.telemetry_samples_total as number;
  assert.equal(samples.length, 10);
  assert.ok(total > 20, `total ${String(total)}`);
  assert.equal(record!.telemetry_samples_taken, total);
  assert.equal(samples[0]!.cpu, 0, 'the first sample is kept');
  assert.equal(samples[9]!.n - samples[0]!.n, total - 1, 'the last sample is kept');
  const ideal = (total - 1) / 9;
  const gaps = samples.slice(1).map((s, i) => s.n - samples[i]!.n);
  for (const gap of gaps)
    assert.ok(gap > 0 && gap < 2.5 * ideal, `evenly spread: ${gaps.join(', ')}`);
});

test('back-to-back short calls with a long interval are never held up by the sampler', async () => {
  const warnings: Error[] = [];
  const listener = (w: Error) => warnings.push(w);
  process.on('warning', listener);
  try {
    const bench = new MicroBench({
      telemetry: (p: ProcessInfo) => ({ rss: p.memoryInfo().rss }),
      telemetryInterval: 60,
      telemetryTimeout: 5,
    });
    const tiny = bench.wrap((x: number) => x + 1);
    for (let i = 0; i < 2000; i++) tiny(i);
    const records = await bench.getResults();
    assert.equal(records.length, 2000);
    for (const record of records) assert.equal((record.telemetry as unknown[]).length, 1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.deepEqual(
      warnings.filter((w) => /telemetryTimeout/.test(w.message)).map((w) => w.message),
      [],
      'no stop waited for the timeout',
    );
  } finally {
    process.off('warning', listener);
  }
});
