// A sampler that falls far behind a tight loop of calls: main hands each session slot to a new
// call while the worker may still be reaching the slot's previous session. No call may then
// wait out its telemetryTimeout for a sample that never comes (main and the worker once wrote
// the same slot's words during the hand-over: a record counted a sample of another call, waited
// for one more, and flush() stalled for the whole timeout, about one run in six here).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MicroBench } from '../../src/bench/micro-bench.js';
import { captureWarnings, settle } from '../helpers/capture-warnings.js';

test('slots handed on while the sampler lags: every record is delivered without waiting for its timeout', async () => {
  const warnings = captureWarnings();
  const timeoutS = 20;
  for (let round = 0; round < 2; round++) {
    const bench = new MicroBench({
      // 0.2 ms per sample: a few thousand samples a second, far fewer than the loop's calls.
      telemetry: () => {
        const end = performance.now() + 0.2;
        while (performance.now() < end);
        return { x: 1 };
      },
      telemetryInterval: 60,
      telemetryTimeout: timeoutS,
      defaultMixins: false,
    });
    const call = bench.wrap(function short() {
      return 1;
    });
    for (let i = 0; i < 15_000; i++) call();
    const before = performance.now();
    await bench.flush();
    const waitedS = (performance.now() - before) / 1000;
    // The backlog at the end is at most one sample per slot (4096 × 0.2 ms); a record waiting
    // for a sample that never comes holds flush() for the whole timeout.
    assert.ok(waitedS < timeoutS / 2, `round ${round}: flush() waited ${waitedS.toFixed(1)} s`);
    const records = await bench.getResults();
    assert.equal(records.length, 15_000);
    for (const r of records) {
      assert.equal(
        (r.telemetry as unknown[]).length + (r.telemetry_samples_missed as number),
        r.telemetry_samples_due,
      );
    }
    await bench.close();
  }
  await settle();
  warnings.stop();
});
