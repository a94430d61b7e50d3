import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CUT_MARKER, cutDeep, isDeeperThan, MAX_VALUE_DEPTH } from '../../src/record/cut-deep.js';

// JSON.parse of a value `depth` arrays deep around `inner` (built as text: no recursion).
function parsedNested(depth: number, inner = '1'): unknown {
  return JSON.parse(`${'['.repeat(depth)}${inner}${']'.repeat(depth)}`);
}

// How many arrays deep the first element chain goes, and what is at the bottom.
function bottom(value: unknown): { depth: number; leaf: unknown } {
  let depth = 0;
  let v = value;
  while (Array.isArray(v)) {
    v = v[0];
    depth++;
  }
  return { depth, leaf: v };
}

describe('cutDeep', () => {
  test('a value within the limit is returned as it is, the same object', () => {
    const value = { a: [1, { b: 'c' }], d: null };
    assert.equal(cutDeep(value), value);
    const atLimit = parsedNested(MAX_VALUE_DEPTH);
    assert.equal(cutDeep(atLimit), atLimit, `${MAX_VALUE_DEPTH} levels are kept`);
    assert.equal(isDeeperThan(atLimit), false);
  });

  test('one level more is cut at the limit with the marker', () => {
    const over = parsedNested(MAX_VALUE_DEPTH + 1);
    assert.equal(isDeeperThan(over), true);
    assert.deepEqual(bottom(cutDeep(over)), { depth: MAX_VALUE_DEPTH, leaf: CUT_MARKER });
  });

  test('100,000 levels are cut without a stack overflow, and JSON.stringify works after', () => {
    const cut = cutDeep(parsedNested(100_000));
    assert.deepEqual(bottom(cut), { depth: MAX_VALUE_DEPTH, leaf: CUT_MARKER });
    assert.ok(JSON.stringify(cut).includes(CUT_MARKER));
  });

  test('only the path to a cut is copied; siblings and the input stay untouched', () => {
    const shallow = { keep: [1, 2] };
    const input = { shallow, deep: { x: parsedNested(10) } };
    const cut = cutDeep(input, 3);
    assert.notEqual(cut, input);
    assert.equal(cut.shallow, shallow, 'untouched branches are shared');
    assert.deepEqual(cut.deep, { x: ['[cut: nested deeper than 3 levels]'] });
    assert.deepEqual(bottom(input.deep.x), { depth: 10, leaf: 1 }, 'the input is not changed');
  });

  test('objects are cut like arrays; a __proto__ key stays an own key', () => {
    const input = JSON.parse('{"__proto__": {"a": {"b": {"c": 1}}}, "n": 1}');
    const cut = cutDeep(input, 2);
    assert.ok(Object.hasOwn(cut, '__proto__'));
    assert.deepEqual(
      JSON.stringify(cut),
      '{"__proto__":{"a":"[cut: nested deeper than 2 levels]"},"n":1}',
    );
  });
});
