import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { OptionError } from '../../src/errors.js';
import { alignSeries, decimateMinMax } from '../../src/report/decimate.js';

// A series of n points at x = 0..n-1 with y from `f`.
function series(
  n: number,
  f: (i: number) => number | null,
): { xs: number[]; ys: (number | null)[] } {
  return {
    xs: Array.from({ length: n }, (_, i) => i),
    ys: Array.from({ length: n }, (_, i) => f(i)),
  };
}

describe('decimateMinMax', () => {
  test('leaves a series that fits untouched', () => {
    const s = series(10, (i) => i * 2);
    assert.deepEqual(decimateMinMax(s, 20), s);
  });

  test('cuts 10,000 points to at most the budget, keeping first, last, spikes and dips', () => {
    const s = series(10_000, (i) => (i === 4321 ? 1000 : i === 8765 ? -1000 : Math.sin(i / 100)));
    const d = decimateMinMax(s, 500);
    assert.ok(d.xs.length <= 500, `${d.xs.length} points`);
    assert.ok(d.xs.length >= 400, 'uses most of the budget');
    assert.equal(d.xs[0], 0);
    assert.equal(d.xs.at(-1), 9999);
    assert.ok(d.ys.includes(1000), 'the spike survives');
    assert.ok(d.ys.includes(-1000), 'the dip survives');
    const spikeAt = d.ys.indexOf(1000);
    assert.equal(d.xs[spikeAt], 4321, 'with its real x');
    for (let i = 1; i < d.xs.length; i++) assert.ok(d.xs[i]! > d.xs[i - 1]!, 'x stays ascending');
  });

  test('keeps min and max of a bucket in time order', () => {
    const s = series(1000, (i) => (i % 2 === 0 ? 10 : -10));
    const d = decimateMinMax(s, 10);
    assert.ok(d.xs.length <= 10);
    for (let i = 1; i < d.xs.length; i++) assert.ok(d.xs[i]! > d.xs[i - 1]!);
    assert.ok(d.ys.includes(10) && d.ys.includes(-10));
  });

  test('rejects a budget below 4 with an OptionError naming maxPoints', () => {
    assert.throws(
      () =>
        decimateMinMax(
          series(5, (i) => i),
          3,
        ),
      (e: unknown) => {
        assert.ok(e instanceof OptionError);
        assert.match(e.message, /maxPoints/);
        return true;
      },
    );
  });
});

describe('alignSeries', () => {
  test('joins few points exactly, with null where a series has no sample', () => {
    const a = { xs: [0, 1, 2], ys: [1, 2, 3] };
    const b = { xs: [0.5, 1, 3], ys: [10, 20, 30] };
    const { data, decimated } = alignSeries([a, b], 100);
    assert.equal(decimated, false);
    assert.deepEqual(data, [
      [0, 0.5, 1, 2, 3],
      [1, null, 2, 3, null],
      [null, 10, 20, null, 30],
    ]);
  });

  test('shares the x array when all series have the same x', () => {
    const xs = [0, 1, 2];
    const { data } = alignSeries(
      [
        { xs, ys: [1, 2, 3] },
        { xs: [0, 1, 2], ys: [4, 5, 6] },
      ],
      10,
    );
    assert.deepEqual(data, [
      [0, 1, 2],
      [1, 2, 3],
      [4, 5, 6],
    ]);
  });

  test('puts many long series on a grid of at most maxPoints slots, keeping extremes', () => {
    const many = Array.from({ length: 20 }, (_, k) =>
      series(10_000, (i) => (i === 1000 * (k % 9) + 5 ? 500 + k : Math.cos(i / 300) + k)),
    );
    const { data, decimated } = alignSeries(many, 2000);
    assert.equal(decimated, true);
    assert.equal(data.length, 21);
    assert.ok(data[0].length <= 2000);
    assert.equal(data[0][0], 0);
    assert.equal(data[0].at(-1), 9999);
    for (let k = 0; k < 20; k++) {
      const col = data[k + 1]!;
      assert.equal(col.length, data[0].length);
      assert.ok(col.includes(500 + k), `series ${k} keeps its spike`);
    }
  });

  test('a single long series is decimated with real x values', () => {
    const { data, decimated } = alignSeries([series(5000, (i) => i % 7)], 100);
    assert.equal(decimated, true);
    assert.ok(data[0].length <= 100);
    assert.ok(data[0].every((x) => Number.isInteger(x)));
  });

  test('no series gives an empty table', () => {
    assert.deepEqual(alignSeries([]).data, [[]]);
  });
});
