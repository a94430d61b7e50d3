import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { meanWithInterval } from '../../src/stats/mean-ci.js';
import { median, quantileSorted } from '../../src/stats/quantile.js';
import { assertClose, REFERENCE } from './_reference.js';

describe('quantiles against numpy.quantile (linear)', () => {
  const sorted = Float64Array.from(REFERENCE.quantile.data).sort();
  for (const [p, expected] of REFERENCE.quantile.points) {
    test(`p = ${p}`, () => assertClose(quantileSorted(sorted, p), expected, 1e-14, `q(${p})`));
  }
  test('median of odd and even counts, unsorted input', () => {
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 3, 2]), 2.5);
    assert.ok(Number.isNaN(median([])));
  });
});

describe('meanWithInterval against scipy.stats.t.interval', () => {
  for (const name of ['baseline', 'slower'] as const) {
    test(name, () => {
      const expected = REFERENCE.lognormal[`${name}_mean_ci`];
      const r = meanWithInterval(REFERENCE.lognormal[name]);
      assertClose(r.mean, expected.mean, 1e-13, 'mean');
      assertClose(r.stdev, expected.stdev, 1e-11, 'stdev');
      assertClose(r.low, expected.low, 1e-11, 'low');
      assertClose(r.high, expected.high, 1e-11, 'high');
    });
  }
  test('one value: a mean without stdev or interval; none: NaN', () => {
    const one = meanWithInterval([2]);
    assert.equal(one.mean, 2);
    assert.ok(Number.isNaN(one.stdev) && Number.isNaN(one.low) && Number.isNaN(one.high));
    assert.ok(Number.isNaN(meanWithInterval([]).mean));
  });
  test('a wider level gives a wider interval around the same mean', () => {
    const values = [1, 2, 3, 4, 5];
    const narrow = meanWithInterval(values, 0.9);
    const wide = meanWithInterval(values, 0.99);
    assert.equal(narrow.mean, 3);
    assert.ok(wide.low < narrow.low && wide.high > narrow.high);
  });
});
