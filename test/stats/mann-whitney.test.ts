import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { exactLowerPmf, mannWhitneyU } from '../../src/stats/mann-whitney.js';
import { assertClose, REFERENCE } from './_reference.js';

describe('mannWhitneyU against scipy.stats.mannwhitneyu (two-sided)', () => {
  for (const c of REFERENCE.mannwhitneyu) {
    const label = `n = ${c.x.length} vs ${c.y.length}`;
    test(`${label}: auto, exact, asymptotic, no continuity correction`, () => {
      const auto = mannWhitneyU(c.x, c.y);
      assert.equal(auto.u1, c.auto[0]);
      assertClose(auto.pValue, c.auto[1], 1e-11, `${label} auto`);
      const exact = mannWhitneyU(c.x, c.y, { method: 'exact' });
      assertClose(exact.pValue, c.exact[1], 1e-11, `${label} exact`);
      const asymptotic = mannWhitneyU(c.x, c.y, { method: 'asymptotic' });
      assertClose(asymptotic.pValue, c.asymptotic[1], 1e-11, `${label} asymptotic`);
      const plain = mannWhitneyU(c.x, c.y, { method: 'asymptotic', continuity: false });
      assertClose(plain.pValue, c.asymptotic_no_continuity[1], 1e-11, `${label} no continuity`);
    });
  }

  test('auto picks exact only for a sample of at most 8 values without ties', () => {
    assert.equal(mannWhitneyU([1, 2, 3], [4, 5, 6, 7, 8, 9, 10, 11, 12, 13]).method, 'exact');
    assert.equal(mannWhitneyU([1, 2, 3], [3, 5, 6]).method, 'asymptotic');
    const nine = [1, 2, 3, 4, 5, 6, 7, 8, 9];
    assert.equal(
      mannWhitneyU(
        nine,
        nine.map((v) => v + 0.5),
      ).method,
      'asymptotic',
    );
    assert.equal(
      mannWhitneyU(
        nine.slice(1),
        nine.map((v) => v + 0.5),
      ).method,
      'exact',
    );
  });

  test('the lognormal 10 % slowdown: the reference p-value far in the tail', () => {
    const { baseline, slower, slower_p, same, same_p } = REFERENCE.lognormal;
    assertClose(mannWhitneyU(baseline, slower).pValue, slower_p, 1e-9, 'slower p');
    assertClose(mannWhitneyU(baseline, same).pValue, same_p, 1e-11, 'same p');
  });

  test('the exact distribution sums to 1 and is symmetric', () => {
    const pmf = exactLowerPmf(6 * 7, 6, 7);
    let sum = 0;
    for (const p of pmf) sum += p;
    assertClose(sum, 1, 1e-13, 'sum');
    for (let u = 0; u <= 42; u++) assertClose(pmf[u]!, pmf[42 - u]!, 1e-13, `pmf(${u})`);
  });

  test('one exact sample of 8 against 100,000 values is built without trouble', () => {
    const small = [0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5].map((v) => v / 10);
    const large = Array.from({ length: 100_000 }, (_, i) => i / 100_000 + 1e-7);
    const r = mannWhitneyU(small, large);
    assert.equal(r.method, 'exact');
    assert.ok(r.pValue > 0 && r.pValue < 1);
  });

  test('an empty sample gives NaN; a too-large exact request is refused', () => {
    assert.ok(Number.isNaN(mannWhitneyU([], [1, 2]).pValue));
    const big = Array.from({ length: 10_000 }, (_, i) => i);
    assert.throws(
      () =>
        mannWhitneyU(
          big,
          big.map((v) => v + 0.5),
          { method: 'exact' },
        ),
      /too large.*asymptotic/,
    );
  });
});
