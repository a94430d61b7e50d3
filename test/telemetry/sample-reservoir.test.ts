import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SampleReservoir } from '../../src/telemetry/_reservoir.js';

const sample = (i: number) => ({ timestamp: String(i), i });

test('without a limit every sample is kept', () => {
  const r = new SampleReservoir(undefined);
  for (let i = 0; i < 1000; i++) r.add(sample(i));
  assert.equal(r.held, 1000);
  const { samples, total } = r.result();
  assert.equal(samples.length, 1000);
  assert.equal(total, 1000);
});

test('with a limit: exactly N samples, first and last kept, evenly spread, memory bounded', () => {
  for (const [count, limit] of [
    [100_000, 10],
    [7_200, 100],
    [31, 10],
    [10, 10],
    [5, 10],
  ] as const) {
    const r = new SampleReservoir(limit);
    let mostHeld = 0;
    for (let i = 0; i < count; i++) {
      r.add(sample(i));
      mostHeld = Math.max(mostHeld, r.held);
    }
    // Memory bounded: add() thins as it goes, never holding more than 2N (the last included).
    assert.ok(mostHeld <= 2 * limit, `held ${mostHeld} samples with a limit of ${limit}`);
    const { samples, total } = r.result();
    assert.equal(total, count);
    assert.equal(samples.length, Math.min(limit, count));
    assert.equal(samples[0]!.i, 0);
    assert.equal(samples[samples.length - 1]!.i, count - 1);
    if (count > limit) {
      const ideal = (count - 1) / (limit - 1);
      const gaps = samples.slice(1).map((s, j) => (s.i as number) - (samples[j]!.i as number));
      for (const gap of gaps)
        assert.ok(gap > 0 && gap < 2.5 * ideal, `gap ${gap} vs ideal ${ideal}`);
    }
  }
});

test('held counts exactly what is kept: the strided samples, plus the latest when it is not one', () => {
  const r = new SampleReservoir(2);
  for (let i = 0; i < 3; i++) r.add(sample(i));
  assert.equal(r.held, 3, '0, 1, 2: all kept, the latest among them');
  r.add(sample(3)); // 4 kept = 2N: thinned to 0, 2 (stride 2), the latest (3) held apart
  assert.equal(r.held, 3);
  r.add(sample(4)); // on the stride: 0, 2, 4
  assert.equal(r.held, 3);
  r.add(sample(5)); // off the stride: 0, 2, 4 and the latest, 5
  assert.equal(r.held, 4);
  assert.deepEqual(
    r.result().samples.map((s) => s.i),
    [0, 5],
  );
});

test('reading the result midway changes nothing that follows', () => {
  const read = new SampleReservoir(10);
  const untouched = new SampleReservoir(10);
  for (let i = 0; i < 1000; i++) {
    read.add(sample(i));
    untouched.add(sample(i));
    if (i % 37 === 5) read.result();
  }
  assert.deepEqual(read.result(), untouched.result());
  assert.equal(read.held, untouched.held);
});
