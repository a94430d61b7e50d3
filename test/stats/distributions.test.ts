import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { normalCdf } from '../../src/stats/normal.js';
import { studentTCdf, studentTQuantile } from '../../src/stats/student-t.js';
import { assertClose, REFERENCE } from './_reference.js';

describe('normalCdf against scipy.special.ndtr', () => {
  for (const [z, expected] of REFERENCE.ndtr) {
    test(`ndtr(${z})`, () => assertClose(normalCdf(z), expected, 1e-12, `ndtr(${z})`));
  }
  test('the infinities and NaN', () => {
    assert.equal(normalCdf(Number.POSITIVE_INFINITY), 1);
    assert.equal(normalCdf(Number.NEGATIVE_INFINITY), 0);
    assert.ok(Number.isNaN(normalCdf(Number.NaN)));
  });
});

describe("Student's t against scipy.stats.t", () => {
  for (const [p, df, expected] of REFERENCE.t_ppf) {
    test(`t.ppf(${p}, ${df})`, () =>
      assertClose(studentTQuantile(p, df), expected, 1e-10, `t.ppf(${p}, ${df})`));
  }
  test('quantiles below the median are the mirror image', () => {
    assert.equal(studentTQuantile(0.025, 7), -studentTQuantile(0.975, 7));
    assert.equal(studentTQuantile(0.5, 7), 0);
  });
  for (const [t, df, expected] of REFERENCE.t_cdf) {
    test(`t.cdf(${t}, ${df})`, () =>
      assertClose(studentTCdf(t, df), expected, 1e-11, `t.cdf(${t}, ${df})`));
  }
  test('bad arguments give NaN, the ends the infinities', () => {
    assert.ok(Number.isNaN(studentTQuantile(1.5, 3)));
    assert.ok(Number.isNaN(studentTQuantile(0.9, 0)));
    assert.equal(studentTQuantile(1, 3), Number.POSITIVE_INFINITY);
    assert.equal(studentTQuantile(0, 3), Number.NEGATIVE_INFINITY);
  });
});
