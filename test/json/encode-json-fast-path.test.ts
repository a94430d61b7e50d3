// encodeJson's fast path (JSON.stringify on the value itself) must write exactly the bytes and
// warnings of the slow path (JSON.stringify of toJsonValue's copy), for every kind of value.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MicroBench } from '../../src/bench/micro-bench.js';
import { isPlainFields, isPlainJson } from '../../src/json/_plain-json.js';
import { encodeJson, toJsonValue, UNENCODABLE } from '../../src/json/encode.js';
import { functionCall, returnValue } from '../../src/mixins/index.js';
import { watchWarnings } from '../helpers/warnings.js';

watchWarnings();

// What a value encodes to by the slow path and by encodeJson, with the warnings of each.
function bothPaths(make: () => unknown) {
  const slowWarnings: string[] = [];
  const fastWarnings: string[] = [];
  const slow =
    JSON.stringify(toJsonValue(make(), 'record', { warn: (m) => slowWarnings.push(m) })) ?? 'null';
  const fast = encodeJson(make(), { warn: (m) => fastWarnings.push(m) });
  return { slow, fast, slowWarnings, fastWarnings };
}

// Assert both paths agree on `make()`; `plain` says whether the fast path may take it.
function assertSame(make: () => unknown, plain: boolean): string {
  const { slow, fast, slowWarnings, fastWarnings } = bothPaths(make);
  assert.equal(fast, slow);
  assert.deepEqual(fastWarnings, slowWarnings);
  assert.equal(isPlainJson(make()), plain, `isPlainJson should be ${plain}`);
  return fast;
}

// `levels` arrays nested in each other: [[[]]] is 3.
function nestedArrays(levels: number): unknown {
  let value: unknown[] = [];
  for (let i = 1; i < levels; i++) value = [value];
  return value;
}

function withGetter(get: () => unknown): Record<string, unknown> {
  return Object.defineProperty({ before: 1 } as Record<string, unknown>, 'got', {
    enumerable: true,
    get,
  });
}

class Point {
  constructor(
    readonly x: number,
    readonly y: number,
  ) {}
}

// Cases the fast path takes: JSON.stringify alone already follows the rules.
const plainCases: Record<string, () => unknown> = {
  'a nested record': () => ({
    name: 'run',
    n: 3,
    ok: true,
    none: null,
    list: [1, 'two', [3, { four: 4 }], { five: [5] }],
    deep: { a: { b: { c: { d: [] } } } },
    empty: {},
  }),
  'NaN in objects and arrays': () => ({ n: Number.NaN, list: [Number.NaN, 1] }),
  '-0 and awkward finite numbers': () => [-0, 1e21, 5e-324, Number.MAX_VALUE, -1.5e-7],
  'undefined in objects and arrays': () => ({ gone: undefined, kept: 1, list: [undefined, 2] }),
  'top-level undefined': () => undefined,
  'top-level NaN': () => Number.NaN,
  'a top-level string': () => 'just text',
  'a valid and an invalid Date': () => ({
    at: new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 6)),
    bad: new Date(Number.NaN),
    far: new Date(8.64e15),
    early: new Date(-1e14),
  }),
  'null-prototype objects': () => {
    const inner = Object.assign(Object.create(null) as object, { x: [1, Number.NaN] });
    return Object.assign(Object.create(null) as object, { inner, s: 'y' });
  },
  'sparse arrays (holes become null)': () => {
    const holes: unknown[] = [1];
    holes[4] = 5;
    const unfilled = new Array<unknown>(3);
    unfilled[1] = 'middle';
    return { holes, unfilled };
  },
  'arrays with extra non-index properties': () =>
    Object.assign([1, 2], { extra: 'ignored', fn: () => 1 }),
  'strings with lone surrogates, U+2028/2029, controls and emoji': () => ({
    lone: '\ud800x\udfff',
    separators: 'a\u2028b\u2029c',
    controls: '\u0000\u001f\u007f"\\\n\t',
    emoji: '😀 é',
    '\ud800key\u2028': 'odd key',
  }),
  'integer-like keys come first, in order': () => ({ b: 1, 2: 'two', a: 2, 1: 'one' }),
  'symbol keys and non-enumerable properties are skipped by both': () => {
    const value: Record<PropertyKey, unknown> = { shown: 1, [Symbol('s')]: 2n };
    Object.defineProperty(value, 'hidden', { value: 3n, enumerable: false });
    Object.defineProperty(value, 'hiddenGetter', {
      enumerable: false,
      get: () => {
        throw new Error('never read');
      },
    });
    return value;
  },
  'an own "__proto__" key (as JSON.parse makes)': () =>
    JSON.parse('{"a":1,"__proto__":{"x":[2]},"b":3}'),
  'a setter-only accessor (reading it runs no code: undefined)': () =>
    Object.defineProperty({ a: 1 }, 'onlySet', { enumerable: true, set() {} }),
  'nesting just inside the depth bound': () => nestedArrays(64),
  'a shared (non-circular) object': () => {
    const shared = { x: 1 };
    return { a: shared, b: [shared, shared] };
  },
};

// Cases the fast path hands to the slow path.
const fallbackCases: Record<string, () => unknown> = {
  Infinity: () => ({ inf: Number.POSITIVE_INFINITY }),
  '-Infinity in an array': () => [[-Infinity]],
  'Infinity at the top': () => Number.POSITIVE_INFINITY,
  BigInt: () => ({ small: 5n, big: 2n ** 64n }),
  'Map and Set': () => ({ m: new Map([['k', 1]]), s: new Set([1, 2]) }),
  'Map with a "__proto__" key': () => new Map([['__proto__', 5]]),
  'typed arrays, ArrayBuffer and DataView': () => ({
    f: new Float64Array([1.5, Number.NaN]),
    b: new BigInt64Array([1n]),
    buf: new Uint8Array([9]).buffer,
    view: new DataView(new ArrayBuffer(2)),
  }),
  Errors: () => ({ e: new RangeError('bad'), plain: new Error('x') }),
  'functions and symbols in objects and arrays': () => ({
    fn: () => 1,
    sym: Symbol('s'),
    list: [() => 2, Symbol('t')],
  }),
  'a top-level function': () => () => 1,
  'class instances': () => ({ p: new Point(1, 2) }),
  'boxed primitives': () => [new Number(1), new String('s'), new Boolean(false), Object(1n)],
  'an Array subclass': () => {
    class List extends Array<number> {}
    return List.from([1, 2]);
  },
  'an object inheriting from another object': () => Object.create({ inherited: 1 }),
  'an own toJSON': () => ({ t: { toJSON: () => ({ x: 1n, y: Number.POSITIVE_INFINITY }) } }),
  'toJSON on an array (the slow path ignores it, JSON.stringify would not)': () =>
    Object.assign([1, 2], { toJSON: () => 'array' }),
  'a Date with an own toJSON': () => Object.assign(new Date(0), { toJSON: () => 'own' }),
  'a Date subclass': () => {
    class Day extends Date {
      override toJSON() {
        return 'day';
      }
    }
    return { d: new Day(0) };
  },
  'a getter': () => withGetter(() => 2),
  'a throwing getter (placeholder and one warning)': () =>
    withGetter(() => {
      throw new Error('getter failed');
    }),
  'a getter that returns what stringify would get wrong': () => withGetter(() => Infinity),
  'an object literal getter': () => ({
    get now() {
      return 1;
    },
  }),
  'a throwing getter on an array index': () =>
    Object.defineProperty([1, 2], 0, {
      enumerable: true,
      get() {
        throw new Error('index getter failed');
      },
    }),
  'nesting just beyond the depth bound': () => nestedArrays(65),
  'deep nesting': () => {
    let value: Record<string, unknown> = { leaf: true };
    for (let i = 0; i < 200; i++) value = { child: value, n: i };
    return value;
  },
  'a circular object': () => {
    const loop: Record<string, unknown> = { name: 'loop' };
    loop.self = loop;
    return { loop };
  },
  'a circular array': () => {
    const loop: unknown[] = [1];
    loop.push(loop);
    return loop;
  },
  'a plain-looking record with one bad value deep inside': () => ({
    a: [{ b: { c: [1, 2, { d: 10n }] } }],
  }),
};

describe('encodeJson fast path: byte-identical to the slow path', () => {
  for (const [name, make] of Object.entries(plainCases)) {
    test(`takes the fast path: ${name}`, () => {
      assertSame(make, true);
    });
  }
  for (const [name, make] of Object.entries(fallbackCases)) {
    test(`falls back: ${name}`, () => {
      assertSame(make, false);
    });
  }

  test('a throwing getter gives the placeholder and one warning', () => {
    const { fast, fastWarnings } = bothPaths(() =>
      withGetter(() => {
        throw new Error('getter failed');
      }),
    );
    assert.equal(fast, `{"before":1,"got":"${UNENCODABLE}"}`);
    assert.equal(fastWarnings.length, 1);
  });

  test('the check never calls a getter on an object key: encodeJson calls it once', () => {
    let calls = 0;
    const value = withGetter(() => ++calls);
    assert.equal(isPlainJson(value), false);
    assert.equal(calls, 0);
    assert.equal(encodeJson(value), '{"before":1,"got":1}');
    assert.equal(calls, 1);
  });

  test('a Proxy over a plain object encodes the same (its traps may run twice)', () => {
    assertSame(() => new Proxy({ a: 1, b: [Number.NaN] }, {}), true);
  });

  test('an array-index getter is read by the check (documented limit), bytes still agree', () => {
    assertSame(() => Object.defineProperty([1, 2], 1, { enumerable: true, get: () => 7 }), true);
  });

  test('undefined takes the fast path: left out of objects, null in arrays, by both', () => {
    assert.equal(
      assertSame(() => ({ a: undefined, b: [undefined, 1] }), true),
      '{"b":[null,1]}',
    );
  });

  test('a non-enumerable toJSON on a plain object or array sends it down the slow path', () => {
    const hidden = <T extends object>(value: T): T =>
      Object.defineProperty(value, 'toJSON', { enumerable: false, value: () => 'replaced' });
    // JSON.stringify would call the hidden toJSON; the record rules honour it the same way.
    assertSame(() => hidden({ a: 1 }), false);
    assertSame(() => hidden([1, 2]), false);
  });

  test('a Date is plain only while Date.prototype.toJSON is the built-in', () => {
    const original = Date.prototype.toJSON;
    try {
      Date.prototype.toJSON = () => 'patched';
      // The record rule is toISOString(), whatever toJSON has become.
      const line = assertSame(() => ({ when: new Date(0) }), false);
      assert.equal(line, '{"when":"1970-01-01T00:00:00.000Z"}');
    } finally {
      Date.prototype.toJSON = original;
    }
    assertSame(() => ({ when: new Date(0) }), true);
  });

  test('isPlainFields checks the fields from `from` on: getters and unplain values refuse', () => {
    const keys = ['a', 'b', 'c'];
    assert.equal(isPlainFields({ a: 1, b: 'x', c: [true] }, keys, 0), true);
    // Only keys[from..] are checked: an unplain value before `from` does not count.
    assert.equal(isPlainFields({ a: 10n, b: 'x', c: null }, keys, 1), true);
    assert.equal(isPlainFields({ a: 1, b: 'x', c: 10n }, keys, 1), false);
    assert.equal(isPlainFields({ a: 1, b: 'x', c: 10n }, keys, 3), true);
    const last = { a: 1, b: 'x', c: { deep: [Number.POSITIVE_INFINITY] } };
    assert.equal(isPlainFields(last, keys, 2), false);
    let calls = 0;
    const withAccessor = Object.defineProperty({ a: 1, b: 2 }, 'c', {
      enumerable: true,
      get: () => ++calls,
    });
    assert.equal(isPlainFields(withAccessor, keys, 0), false);
    assert.equal(calls, 0, 'the getter is found, never called');
    const throwing = new Proxy(
      { a: 1, b: 2, c: 3 },
      {
        get() {
          throw new Error('trap');
        },
      },
    );
    assert.equal(isPlainFields(throwing, keys, 0), false, 'a throwing trap means not plain');
  });

  test('a replacer always takes the slow path', () => {
    let calls = 0;
    const line = encodeJson(
      { a: 1, b: 'x' },
      {
        replacer: (_key, value) => {
          calls++;
          return value;
        },
      },
    );
    assert.equal(line, '{"a":1,"b":"x"}');
    assert.equal(calls, 3);
  });

  test('records from MicroBench take the fast path', async () => {
    const bench = new MicroBench({
      mixins: [functionCall(), returnValue()],
      iterations: 3,
      fields: { team: 'core', tags: ['a', 'b'], when: new Date(0) },
    });
    const work = bench.wrap(function work(a: number, b: object) {
      return { a, b, list: [1, 2, 3] };
    });
    work(1, { x: 2, y: [3, Number.NaN] });
    const [record] = await bench.getResults();
    assert.ok(record);
    assert.equal(isPlainJson(record), true);
    assertSame(() => record, true);
  });

  test('agrees on thousands of random values', () => {
    const random = seededRandom(20240229);
    let plain = 0;
    const count = 3000;
    for (let i = 0; i < count; i++) {
      const seed = Math.floor(random() * 2 ** 32);
      const make = () => randomValue(seededRandom(seed), 0);
      const { slow, fast, slowWarnings, fastWarnings } = bothPaths(make);
      assert.equal(fast, slow, `random value #${i} (seed ${seed})`);
      assert.deepEqual(fastWarnings, slowWarnings, `warnings of random value #${i}`);
      if (isPlainJson(make())) plain++;
    }
    // Both paths must be well exercised.
    assert.ok(
      plain > count * 0.3 && plain < count * 0.9,
      `${plain} of ${count} took the fast path`,
    );
  });
});

// mulberry32: a small deterministic generator so a failure can be replayed from its seed.
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Leaves the fast path takes, and leaves it must refuse.
const plainLeaves: (() => unknown)[] = [
  () => 'text',
  () => '\ud83d',
  () => '\u2028',
  () => 0,
  () => -0,
  () => 3.25,
  () => Number.NaN,
  () => true,
  () => null,
  () => undefined,
  () => new Date(1_700_000_000_123),
  () => new Date(Number.NaN),
];
const refusedLeaves: (() => unknown)[] = [
  () => Number.POSITIVE_INFINITY,
  () => Number.NEGATIVE_INFINITY,
  () => 12n,
  () => () => 1,
  () => Symbol('leaf'),
  () => new Map([[1, 2]]),
  () => new Set(['a']),
  () => new Uint8Array([1, 2]),
  () => new TypeError('leaf'),
  () => new Point(1, 2),
  () => ({ toJSON: () => 'custom' }),
  () => withGetter(() => 'got'),
];

// A random tree of objects, null-prototype objects and arrays (sometimes sparse).
function randomValue(random: () => number, depth: number): unknown {
  const pick = random();
  if (depth > 5 || pick < 0.45) {
    // Refused leaves are rare enough that many trees stay plain.
    const leaves = random() < 0.9 ? plainLeaves : refusedLeaves;
    return leaves[Math.floor(random() * leaves.length)]!();
  }
  const size = Math.floor(random() * 5);
  if (pick < 0.7) {
    const array: unknown[] = [];
    for (let i = 0; i < size; i++) {
      if (random() < 0.1) array.length++;
      else array.push(randomValue(random, depth + 1));
    }
    return array;
  }
  const object: Record<string, unknown> =
    pick < 0.8 ? (Object.create(null) as Record<string, unknown>) : {};
  for (let i = 0; i < size; i++)
    object[`k${Math.floor(random() * 8)}`] = randomValue(random, depth + 1);
  return object;
}
