import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { MicroBench } from '../../src/bench/micro-bench.js';
import { encodeJson, toJsonValue, UNENCODABLE } from '../../src/json/encode.js';
import { returnValue } from '../../src/mixins/index.js';
import { fileOutput } from '../../src/outputs/file.js';
import { memoryOutput } from '../../src/outputs/memory.js';
import { watchWarnings } from '../helpers/warnings.js';

const warnings = watchWarnings();

// toJsonValue with warnings collected instead of emitted.
function convert(value: unknown, replacer?: (key: string, value: unknown) => unknown) {
  const messages: string[] = [];
  const out = toJsonValue(value, 'v', { replacer, warn: (m) => messages.push(m) });
  return { out, messages };
}

describe('JSON encoding rules (toJsonValue)', () => {
  test('BigInt: a number when safe, else a string', () => {
    assert.deepEqual(convert({ a: 5n, b: -(2n ** 60n), c: 2n ** 53n - 1n }).out, {
      a: 5,
      b: '-1152921504606846976',
      c: Number.MAX_SAFE_INTEGER,
    });
  });

  test('BigInt: both bounds of the safe-integer range are numbers, one past either is a string', () => {
    const min = BigInt(Number.MIN_SAFE_INTEGER);
    const max = BigInt(Number.MAX_SAFE_INTEGER);
    assert.deepEqual(convert({ min, max, below: min - 1n, above: max + 1n }).out, {
      min: Number.MIN_SAFE_INTEGER,
      max: Number.MAX_SAFE_INTEGER,
      below: '-9007199254740992',
      above: '9007199254740992',
    });
  });

  test('Date → ISO string; an invalid Date → null', () => {
    assert.deepEqual(
      convert([new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 6)), new Date(Number.NaN)]).out,
      ['2024-01-02T03:04:05.006Z', null],
    );
  });

  test('Map → object, Set → array (values converted too)', () => {
    assert.deepEqual(
      convert({
        m: new Map<unknown, unknown>([
          ['k', 1n],
          [2, new Set([3])],
        ]),
        s: new Set([new Date(0)]),
      }).out,
      { m: { k: 1, '2': [3] }, s: ['1970-01-01T00:00:00.000Z'] },
    );
  });

  test('typed arrays and ArrayBuffer → arrays of numbers', () => {
    assert.deepEqual(
      convert({
        f: new Float64Array([1.5, -2]),
        u: new Uint8Array([1, 2, 255]),
        b: new BigInt64Array([1n, -(2n ** 62n)]),
        buf: new Uint8Array([9, 8]).buffer,
      }).out,
      { f: [1.5, -2], u: [1, 2, 255], b: [1, '-4611686018427387904'], buf: [9, 8] },
    );
  });

  test('NaN → null; ±Infinity → "Infinity"/"-Infinity"; undefined omitted (null in arrays)', () => {
    assert.deepEqual(
      convert({
        nan: Number.NaN,
        inf: Number.POSITIVE_INFINITY,
        ninf: -Infinity,
        u: undefined,
        a: [undefined, 1],
      }).out,
      { nan: null, inf: 'Infinity', ninf: '-Infinity', a: [null, 1] },
    );
  });

  test('Error → {type, message}; toJSON() is honoured', () => {
    assert.deepEqual(convert({ e: new RangeError('bad'), t: { toJSON: () => ({ x: 1n }) } }).out, {
      e: { type: 'RangeError', message: 'bad' },
      t: { x: 1 },
    });
  });

  test('functions, symbols and circular references → placeholder plus one warning each', () => {
    const circular: Record<string, unknown> = { name: 'loop' };
    circular.self = circular;
    const { out, messages } = convert({ fn: () => 1, sym: Symbol('s'), circular });
    assert.deepEqual(out, {
      fn: UNENCODABLE,
      sym: UNENCODABLE,
      circular: { name: 'loop', self: UNENCODABLE },
    });
    assert.equal(messages.length, 3);
    assert.match(messages[0]!, /v\.fn .*function/);
    assert.match(messages[1]!, /v\.sym .*symbol/);
    assert.match(messages[2]!, /v\.circular\.self .*circular/);
    assert.match(messages[2]!, /jsonReplacer/);
  });

  test('a shared (non-circular) object is not mistaken for a cycle', () => {
    const shared = { x: 1 };
    const { out, messages } = convert({ a: shared, b: [shared, shared] });
    assert.deepEqual(out, { a: { x: 1 }, b: [{ x: 1 }, { x: 1 }] });
    assert.deepEqual(messages, []);
  });

  test('a throwing getter, toJSON or replacer costs only that value', () => {
    const { out, messages } = convert({
      ok: 1,
      getter: Object.defineProperty({ fine: 2 }, 'broken', {
        enumerable: true,
        get() {
          throw new Error('getter failed');
        },
      }),
      json: {
        toJSON() {
          throw new TypeError('toJSON failed');
        },
      },
    });
    assert.deepEqual(out, {
      ok: 1,
      getter: { fine: 2, broken: UNENCODABLE },
      json: UNENCODABLE,
    });
    assert.equal(messages.length, 2);
    assert.match(messages[0]!, /v\.getter\.broken .*Error: getter failed/);
    assert.match(messages[1]!, /v\.json .*TypeError: toJSON failed/);

    const replaced = convert({ a: 1, b: 2 }, (key, value) => {
      if (key === 'b') throw new Error('replacer failed');
      return value;
    });
    assert.deepEqual(replaced.out, { a: 1, b: UNENCODABLE });
    assert.equal(replaced.messages.length, 1);
  });

  test('the replacer runs first on every value', () => {
    class Point {
      constructor(
        readonly x: number,
        readonly y: number,
      ) {}
    }
    const { out } = convert({ p: new Point(1, 2), list: [new Point(3, 4)] }, (_key, value) =>
      value instanceof Point ? `Point(${value.x}, ${value.y})` : value,
    );
    assert.deepEqual(out, { p: 'Point(1, 2)', list: ['Point(3, 4)'] });
  });

  test('the placeholder is the literal Python microbench readers expect', () => {
    assert.equal(UNENCODABLE, '__unencodable_as_json__');
    assert.equal(
      encodeJson({ f: () => 1 }, { warn: () => undefined }),
      '{"f":"__unencodable_as_json__"}',
    );
  });

  test('warnings name the value: record for encodeJson, value by default, each index and key', () => {
    const named: string[] = [];
    encodeJson({ f: () => 1 }, { warn: (m) => named.push(m) });
    toJsonValue(Symbol('s'), undefined, { warn: (m) => named.push(m) });
    const nested = convert({
      list: [1, () => 1],
      set: new Set([() => 1]),
      map: new Map([['k', Symbol('m')]]),
    });
    assert.match(named[0]!, /^record\.f is not JSON encodable \(function\)/);
    assert.match(named[1]!, /^value is not JSON encodable \(symbol\)/);
    assert.match(nested.messages[0]!, /^v\.list\[1\] is not/);
    assert.match(nested.messages[1]!, /^v\.set\[0\] is not/);
    assert.match(nested.messages[2]!, /^v\.map\.k is not/);
  });

  test('the default warning is a JSONEncodeWarning process warning with code MB_JSON_ENCODE', async () => {
    const seen = new Promise<Error & { code?: string }>((resolve) =>
      process.once('warning', resolve),
    );
    encodeJson({ f: () => 1 });
    const warning = await seen;
    assert.equal(warning.name, 'JSONEncodeWarning');
    assert.equal(warning.code, 'MB_JSON_ENCODE');
    assert.match(warning.message, /record\.f is not JSON encodable/);
    await warnings.take();
  });

  test('undefined in a Set is null; a Map entry holding undefined is left out', () => {
    const { out } = convert({ set: new Set([undefined, 1]), map: new Map([['gone', undefined]]) });
    assert.deepEqual(out, { set: [null, 1], map: {} });
    assert.equal('gone' in (out as { map: object }).map, false);
  });

  test('non-finite numbers inside arrays follow the number rules too', () => {
    assert.deepEqual(convert([Number.POSITIVE_INFINITY, -Infinity, Number.NaN, 1]).out, [
      'Infinity',
      '-Infinity',
      null,
      1,
    ]);
  });

  test('the replacer sees JSON.stringify\'s keys: "" for the top value, the index in a typed array', () => {
    const keys: string[] = [];
    convert({ b: new BigInt64Array([1n, 2n]) }, (key, value) => {
      keys.push(key);
      return value;
    });
    assert.deepEqual(keys, ['', 'b', '0', '1']);
  });

  test('the replacer runs on every element of a typed array, numbers too, as the docs promise', () => {
    const { out } = convert({ f: new Float64Array([1.5, 2]) }, (key, value) =>
      typeof value === 'number' ? `${key}=${value}` : value,
    );
    assert.deepEqual(out, { f: ['0=1.5', '1=2'] });
  });

  test("a typed array's BigInt element that the replacer throws on is named by its index", () => {
    const { out, messages } = convert({ b: new BigInt64Array([1n, 2n]) }, (key, value) => {
      if (key === '1') throw new Error('no');
      return value;
    });
    assert.deepEqual(out, { b: [1, UNENCODABLE] });
    assert.equal(messages.length, 1);
    assert.match(messages[0]!, /^v\.b\[1\] /);
  });

  test('encodeJson of a value the replacer turns into undefined is null', () => {
    assert.equal(encodeJson({ a: 1 }, { replacer: () => undefined }), 'null');
  });

  test('a thrown Error is described by its name and message, not by its own toString()', () => {
    const error = new TypeError('bad');
    error.toString = () => 'custom text';
    const { messages } = convert(
      Object.defineProperty({}, 'x', {
        enumerable: true,
        get() {
          throw error;
        },
      }),
    );
    assert.match(messages[0]!, /reading it threw TypeError: bad\)/);
  });

  test('a throwing getter names what was thrown: an Error by name, anything else as text', () => {
    const thrower = (thrown: unknown) =>
      Object.defineProperty({}, 'x', {
        enumerable: true,
        get() {
          throw thrown;
        },
      });
    const untextable = {
      toString() {
        throw new Error('no text');
      },
    };
    const { messages } = convert({
      error: thrower(new RangeError('out')),
      text: thrower('plain words'),
      odd: thrower(untextable),
    });
    assert.match(messages[0]!, /reading it threw RangeError: out/);
    assert.match(messages[1]!, /reading it threw plain words\)/);
    assert.match(messages[2]!, /reading it threw object\)/);
  });

  test('encodeJson gives one line of valid JSON', () => {
    const line = encodeJson({ text: 'a\nb', n: Number.NaN }, { warn: () => undefined });
    assert.equal(line.includes('\n'), false);
    assert.deepEqual(JSON.parse(line), { text: 'a\nb', n: null });
  });
});

describe('writing records with awkward values never crashes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mb-json-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  // Values of every awkward kind, fresh for each use.
  function awkward() {
    const circular: Record<string, unknown> = { id: 1 };
    circular.again = circular;
    return {
      big: 2n ** 64n,
      date: new Date(Date.UTC(2020, 1, 3)),
      map: new Map([['a', 1]]),
      set: new Set(['x']),
      typed: new Int16Array([-1, 2]),
      nan: Number.NaN,
      inf: Number.POSITIVE_INFINITY,
      fn: function named() {},
      circular,
    };
  }
  const expected = {
    big: '18446744073709551616',
    date: '2020-02-03T00:00:00.000Z',
    map: { a: 1 },
    set: ['x'],
    typed: [-1, 2],
    nan: null,
    inf: 'Infinity',
    fn: UNENCODABLE,
    circular: { id: 1, again: UNENCODABLE },
  };

  test('in fields and return values, to a file', async () => {
    const outfile = join(dir, 'awkward.jsonl');
    const bench = new MicroBench({
      outfile,
      defaultMixins: false,
      fields: { extra: awkward() },
      mixins: [returnValue()],
    });
    const f = bench.wrap(function f() {
      return awkward();
    });
    f();
    await bench.close();
    const lines = readFileSync(outfile, 'utf8').trim().split('\n');
    assert.equal(lines.length, 1);
    const record = JSON.parse(lines[0]!);
    assert.deepEqual(record.extra, expected);
    assert.deepEqual(record.return_value, expected);
    const messages = (await warnings.take()).map((w) => `${w.name}: ${w.message}`);
    assert.equal(messages.length, 4, messages.join('\n'));
    for (const m of messages) assert.match(m, /^JSONEncodeWarning: /);
    assert.ok(messages.some((m) => m.includes('return_value.circular.again')));
    assert.ok(messages.some((m) => m.includes('record.extra.fn')));
  });

  test('in the default memory output (getResults gives JSON-safe copies)', async () => {
    const bench = new MicroBench({ defaultMixins: false, fields: { extra: awkward() } });
    bench.record('mem', () => undefined);
    const [record] = await bench.getResults();
    assert.deepEqual(record?.extra, expected);
    const messages = await warnings.take();
    assert.equal(messages.length, 2, 'the function and the cycle');
  });

  test('reading memory results again does not warn again; a file and memory share one encoding', async () => {
    const outfile = join(dir, 'shared-encoding.jsonl');
    const bench = new MicroBench({
      defaultMixins: false,
      fields: { extra: awkward() },
      outputs: [memoryOutput(), fileOutput(outfile)],
    });
    bench.record('twice', () => undefined);
    const first = await bench.getResults();
    const second = await bench.getResults();
    assert.deepEqual(first, second);
    assert.notEqual(first[0], second[0], 'fresh copies each time');
    assert.deepEqual(first[0]?.extra, expected);
    assert.deepEqual(JSON.parse(readFileSync(outfile, 'utf8')).extra, expected);
    assert.equal((await warnings.take()).length, 2, 'one warning per unencodable value, once');
    await bench.close();
  });

  test('the jsonReplacer option converts values for records and return values', async () => {
    class Money {
      constructor(readonly cents: bigint) {}
    }
    const bench = new MicroBench({
      defaultMixins: false,
      fields: { price: new Money(1999n), callback: () => 0 },
      mixins: [returnValue()],
      jsonReplacer: (_key, value) => {
        if (value instanceof Money) return `$${Number(value.cents) / 100}`;
        if (typeof value === 'function') return `[function ${value.name}]`;
        return value;
      },
    });
    bench.wrap(function total() {
      return [new Money(5n), new Money(250n)];
    })();
    const [record] = await bench.getResults();
    assert.equal(record?.price, '$19.99');
    assert.equal(record?.callback, '[function callback]');
    assert.deepEqual(record?.return_value, ['$0.05', '$2.5']);
    assert.deepEqual(await warnings.take(), [], 'nothing left unencodable');
  });
});
