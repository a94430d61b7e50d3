import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MicroBench } from '../../src/bench/micro-bench.js';
import type { BenchRecord } from '../../src/record/record.js';
import { spin } from '../helpers/busy.js';
import { captureWarnings, settle } from '../helpers/capture-warnings.js';

// Every record with telemetry accounts for each sample due while its call ran.
function assertAccounted(record: BenchRecord): void {
  const due = record.telemetry_samples_due!;
  const taken = record.telemetry_samples_taken!;
  const missed = record.telemetry_samples_missed!;
  assert.ok(Number.isInteger(due) && due >= 1, `due ${due}`);
  assert.equal(taken, (record.telemetry as unknown[]).length);
  assert.equal(taken + missed, due, `taken ${taken} + missed ${missed} = due ${due}`);
  assert.equal('telemetry_missed_cause' in record, missed > 0);
  const p95 = record.telemetry_lateness_p95_ms;
  const max = record.telemetry_lateness_max_ms;
  if (taken === 0) {
    assert.equal(p95, null);
    assert.equal(max, null);
  } else {
    assert.ok(typeof p95 === 'number' && typeof max === 'number' && p95 >= 0 && p95 <= max);
  }
}

const missedWarnings = (warnings: Error[]) =>
  warnings.filter((w) => (w as NodeJS.ErrnoException).code === 'MB_TELEMETRY_MISSED');

test('a record says how many samples were due, taken and missed, and how late they were', async () => {
  const bench = new MicroBench({ telemetry: (p) => ({ pid: p.pid }), telemetryInterval: 0.05 });
  bench.wrap(() => spin(180))();
  const [record] = await bench.getResults();
  assertAccounted(record!);
  // The call ran at least 180 ms: the initial sample plus at least three periodic ones were due.
  assert.ok(record!.telemetry_samples_due! >= 4, `due ${record!.telemetry_samples_due}`);
  const elapsedMs = Date.parse(record!.finish_time) - Date.parse(record!.start_time);
  assert.ok(record!.telemetry_samples_due! <= Math.floor(elapsedMs / 50) + 2);
});

test('a sampler starved by a slow telemetry function: the record says samples were missed, the sampler was behind; one warning per bench with the cure', async () => {
  const warnings = captureWarnings();
  const bench = new MicroBench({
    // 25 ms of work per sample at a 10 ms interval: at most one sample in 2.5 slots.
    telemetry: () => {
      const end = performance.now() + 25;
      while (performance.now() < end);
      return { slow: true };
    },
    telemetryInterval: 0.01,
  });
  const call = bench.wrap(() => spin(300));
  call();
  call();
  const records = await bench.getResults();
  await settle();
  for (const record of records) {
    assertAccounted(record);
    assert.ok(record.telemetry_samples_missed! > 0, JSON.stringify(record));
    assert.equal(record.telemetry_missed_cause, 'sampler behind');
  }
  const ours = missedWarnings(warnings.stop());
  assert.equal(ours.length, 1, 'one warning for the bench, not one per record');
  assert.match(ours[0]!.message, /sampler behind/);
  assert.match(ours[0]!.message, /lengthen telemetryInterval/);
  assert.match(ours[0]!.message, /telemetry_samples_missed/);
});

test('many overlapping async calls at a short interval: records say the samples they missed', async () => {
  const warnings = captureWarnings();
  const bench = new MicroBench({
    // ~1 ms per sample, 300 sessions at 5 ms: the one sampler thread cannot keep up.
    telemetry: () => {
      const end = performance.now() + 1;
      while (performance.now() < end);
      return { n: 1 };
    },
    telemetryInterval: 0.005,
  });
  const call = bench.wrap(async () => {
    await new Promise((resolve) => setTimeout(resolve, 150));
  });
  await Promise.all(Array.from({ length: 300 }, () => call()));
  const records = await bench.getResults();
  await settle();
  assert.equal(records.length, 300);
  for (const record of records) assertAccounted(record);
  const short = records.filter((r) => r.telemetry_samples_missed! > 0);
  assert.ok(short.length > 150, `${short.length} of 300 records missed samples`);
  assert.equal(missedWarnings(warnings.stop()).length, 1);
});

test('a sampler that keeps up misses nothing and warns nothing', async () => {
  const warnings = captureWarnings();
  const bench = new MicroBench({ telemetry: () => ({ x: 1 }), telemetryInterval: 60 });
  const call = bench.wrap(() => 1);
  for (let i = 0; i < 20; i++) call();
  const records = await bench.getResults();
  await settle();
  for (const record of records) {
    assertAccounted(record);
    assert.equal(record.telemetry_samples_due, 1);
    assert.equal(record.telemetry_samples_missed, 0);
  }
  assert.equal(missedWarnings(warnings.stop()).length, 0);
});
