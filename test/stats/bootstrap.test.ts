import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { bootstrapMedianRatio, resampledMedian } from '../../src/stats/bootstrap.js';
import { createSeededRandom } from '../../src/stats/random.js';
import { assertClose, REFERENCE } from './_reference.js';

const sorted = (values: readonly number[]) => Float64Array.from(values).sort();

describe('bootstrapMedianRatio', () => {
  const { baseline, slower, same } = REFERENCE.lognormal;

  test('a 10 % slowdown: the interval of scipy.stats.bootstrap (percentile), around 1.10', () => {
    const ci = bootstrapMedianRatio(sorted(baseline), sorted(slower));
    const [low, high] = REFERENCE.lognormal.slower_ratio_ci;
    // Two Monte Carlo estimates of the same percentiles: close, not equal.
    assertClose(ci.low, low, 0.002, 'low');
    assertClose(ci.high, high, 0.002, 'high');
    assert.ok(ci.low > 1.09 && ci.high < 1.12);
  });

  test('identical distributions: an interval around 1 like SciPy’s', () => {
    const ci = bootstrapMedianRatio(sorted(baseline), sorted(same));
    const [low, high] = REFERENCE.lognormal.same_ratio_ci;
    assertClose(ci.low, low, 0.002, 'low');
    assertClose(ci.high, high, 0.002, 'high');
    assert.ok(ci.low < 1 && ci.high > 1);
  });

  test('seeded: the same seed gives the same interval, another seed a slightly different one', () => {
    const a = bootstrapMedianRatio(sorted(baseline), sorted(slower), { seed: 5 });
    const b = bootstrapMedianRatio(sorted(baseline), sorted(slower), { seed: 5 });
    const c = bootstrapMedianRatio(sorted(baseline), sorted(slower), { seed: 6 });
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
  });

  test('an empty side or a zero baseline median gives NaN bounds', () => {
    assert.ok(Number.isNaN(bootstrapMedianRatio([], sorted(slower)).low));
    assert.ok(Number.isNaN(bootstrapMedianRatio([0, 0, 0], [1, 2, 3]).high));
  });
});

describe('resampledMedian draws the exact bootstrap distribution of the median', () => {
  for (const { sample, medians } of REFERENCE.bootstrap_median_distribution) {
    test(`n = ${sample.length} (every resample enumerated by the reference)`, () => {
      const random = createSeededRandom(3);
      const draws = 200_000;
      const counts = new Map<number, number>();
      for (let i = 0; i < draws; i++) {
        const m = resampledMedian(sample, random);
        counts.set(m, (counts.get(m) ?? 0) + 1);
      }
      let seen = 0;
      for (const [value, probability] of medians) {
        // Match the reference's float (the mean of two values may differ in the last bit).
        let count = 0;
        for (const [m, c] of counts) if (Math.abs(m - value) < 1e-12) count += c;
        seen += count;
        // Four standard errors of a binomial proportion.
        const se = Math.sqrt((probability * (1 - probability)) / draws);
        assert.ok(
          Math.abs(count / draws - probability) <= 4 * se + 1e-4,
          `median ${value}: expected ${probability}, drew ${count / draws}`,
        );
      }
      assert.equal(seen, draws, 'every drawn median is a possible one');
    });
  }
});

describe('createSeededRandom', () => {
  test('uniforms in [0, 1) with mean 1/2; gamma and beta with their means', () => {
    const r = createSeededRandom(42);
    let u = 0;
    let g = 0;
    let b = 0;
    const n = 50_000;
    for (let i = 0; i < n; i++) {
      const x = r.uniform();
      assert.ok(x >= 0 && x < 1);
      u += x;
      g += r.gamma(3.5);
      b += r.beta(2, 6);
    }
    assertClose(u / n, 0.5, 0.01, 'uniform mean');
    assertClose(g / n, 3.5, 0.02, 'gamma mean');
    assertClose(b / n, 0.25, 0.02, 'beta mean');
  });
});
