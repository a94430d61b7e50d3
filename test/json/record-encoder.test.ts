// RecordEncoder reuses the JSON of the fields every record copies from its bench's base record;
// whatever a record holds, it must write exactly the bytes and warnings of encodeJson.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { MicroBench } from '../../src/bench/micro-bench.js';
import { encodeJson, type JsonEncodeOptions } from '../../src/json/encode.js';
import { RecordEncoder } from '../../src/json/record-encoder.js';
import { watchWarnings } from '../helpers/warnings.js';

watchWarnings();

const BASE: Readonly<Record<string, unknown>> = Object.freeze({
  mb_run_id: '54a908ad-b87e-42c1-b2ec-597fc95c71a5',
  mb_version: '0.1.0',
  timestamp_tz: 'Europe/Paris',
  duration_counter: 'performance.now',
  function_name: '',
  node_version: '20.20.2',
  sampled: true,
  cores: 2,
  nothing: null,
  node_exec_argv: ['--enable-source-maps'],
  after_the_array: 'not in the head',
});

// A record as a bench builds one: a copy of the base, then the call's own fields.
function recordOf(functionName: string, extra: Record<string, unknown> = {}) {
  const record = Object.assign({}, BASE) as Record<string, unknown>;
  record.function_name = functionName;
  record.run_durations = [0.0000026550000000042928, 1.5];
  record.start_time = '2026-11-28T08:34:50.465799+01:00';
  record.finish_time = '2026-11-28T08:34:50.465815+01:00';
  return Object.assign(record, extra);
}

// Encode with a fresh encoder and with encodeJson; both outputs and warnings must agree.
function assertSame(
  make: () => Record<string, unknown>,
  encoder = new RecordEncoder(BASE),
  options: JsonEncodeOptions = {},
): string {
  const wholeWarnings: string[] = [];
  const headWarnings: string[] = [];
  const whole = encodeJson(make(), { ...options, warn: (m) => wholeWarnings.push(m) });
  const viaEncoder = new RecordEncoder(BASE, { ...options, warn: (m) => headWarnings.push(m) });
  const reused = encoder.encode(make());
  assert.equal(viaEncoder.encode(make()), whole);
  assert.equal(reused, whole);
  assert.deepEqual(headWarnings, wholeWarnings);
  return whole;
}

test('a typical record: the same bytes as encodeJson, for several functions', () => {
  const encoder = new RecordEncoder(BASE);
  for (const name of ['work', 'other', 'work', 'with "quotes" and \u2028', '']) {
    const line = assertSame(() => recordOf(name), encoder);
    assert.equal(JSON.parse(line).function_name, name);
  }
});

test('leading fields that differ from the base: the whole record is encoded, correctly', () => {
  const encoder = new RecordEncoder(BASE);
  const cases: (() => Record<string, unknown>)[] = [
    () => recordOf('f', { mb_version: '9.9.9' }), // a capture method changed a base field
    () => recordOf('f', { cores: -0 }), // -0 === 0, and both write 0
    () => recordOf('f', { sampled: 'yes' }),
    () => {
      const r = recordOf('f');
      delete r.timestamp_tz;
      return r;
    },
    () => recordOf('f', { 7: 'an integer-like key goes first' }),
    () => ({ ...recordOf('f'), function_name: 42 }),
    () => Object.assign({ first: 1 }, recordOf('f')), // another key in front
    () => ({ mb_run_id: BASE.mb_run_id }), // shorter than the head
    () => Object.assign({}, BASE), // the base itself: no tail at all
    () => {
      const r = Object.assign({}, BASE) as Record<string, unknown>;
      r.function_name = 'f';
      return r; // head only, then the array field: the tail is the rest of the base
    },
  ];
  for (const make of cases) assertSame(make, encoder);
});

test('a tail that is not plain JSON takes the slow path, with the same warnings', () => {
  // Its warnings are compared through the fresh encoders of assertSame.
  const encoder = new RecordEncoder(BASE, { warn: () => undefined });
  const cyclic = () => {
    const r = recordOf('f');
    r.self = r;
    return r;
  };
  const cases: (() => Record<string, unknown>)[] = [
    () => recordOf('f', { big: 12n }),
    () => recordOf('f', { inf: Number.POSITIVE_INFINITY, nan: Number.NaN }),
    () => recordOf('f', { when: new Date(0), map: new Map([[1, 2]]) }),
    () => recordOf('f', { nested: { deep: [1, { x: undefined }] }, gone: undefined }),
    cyclic,
    () => {
      let calls = 0;
      return Object.defineProperty(recordOf('f'), 'counted', {
        enumerable: true,
        get: () => ++calls,
      });
    },
    () => recordOf('f', { fn: () => 1, sym: Symbol('s') }),
    () => recordOf('f', { exception: { type: 'Error', message: 'boom\n"quoted"' } }),
  ];
  for (const make of cases) assertSame(make, encoder);
});

test('a getter in the tail runs once per record, as with encodeJson', () => {
  const encoder = new RecordEncoder(BASE);
  let calls = 0;
  const record = Object.defineProperty(recordOf('f'), 'counted', {
    enumerable: true,
    get: () => ++calls,
  });
  const line = encoder.encode(record);
  assert.equal(calls, 1);
  assert.equal(JSON.parse(line).counted, 1);
});

test('records with toJSON, a null prototype or a replacer are encoded whole', () => {
  const encoder = new RecordEncoder(BASE);
  assertSame(() => recordOf('f', { toJSON: () => ({ replaced: true }) }), encoder);
  assertSame(() => Object.assign(Object.create(null), recordOf('f')), encoder);
  const replacer = (key: string, value: unknown) => (key === 'mb_version' ? 'hidden' : value);
  const withReplacer = new RecordEncoder(BASE, { replacer });
  assertSame(() => recordOf('f'), withReplacer, { replacer });
  assert.equal(JSON.parse(withReplacer.encode(recordOf('f'))).mb_version, 'hidden');
});

test('a base with no primitive leading field, and an empty base', () => {
  const objectFirst = Object.freeze({ meta: { a: 1 }, ...BASE });
  const encoder = new RecordEncoder(objectFirst);
  const record = Object.assign({}, objectFirst, { function_name: 'f', extra: 1 });
  assert.equal(encoder.encode(record), encodeJson(record));
  const empty = new RecordEncoder({});
  assert.equal(empty.encode({ a: 1 }), '{"a":1}');
  assert.equal(empty.encode({}), '{}');
});

test('many function names: the head cache starts over and stays correct', () => {
  const encoder = new RecordEncoder(BASE);
  for (let i = 0; i < 2100; i++) {
    const record = recordOf(`fn${i % 1500}`, { i });
    assert.equal(encoder.encode(record), encodeJson(record));
  }
});

test('random records agree with encodeJson', () => {
  // A small deterministic generator (mulberry32), so a failure reproduces.
  let seed = 0x5eed;
  const random = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const values: unknown[] = [
    's',
    '',
    'é"\\',
    0,
    -1.5,
    1e21,
    true,
    false,
    null,
    undefined,
    [1, 'x'],
    { k: [null] },
  ];
  const keys = [...Object.keys(BASE), 'run_durations', 'x', 'y', '3', 'telemetry'];
  const encoder = new RecordEncoder(BASE);
  for (let n = 0; n < 2000; n++) {
    const record = recordOf(pick(['a', 'b', 'c']));
    const edits = Math.floor(random() * 4);
    for (let e = 0; e < edits; e++) {
      const key = pick(keys);
      if (random() < 0.2) delete record[key];
      else record[key] = pick(values);
    }
    assert.equal(encoder.encode(record), encodeJson(record), JSON.stringify(record));
  }
});

test('a bench writes the same lines as encodeJson of its records', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mb-record-encoder-'));
  try {
    const outfile = join(dir, 'out.jsonl');
    const bench = new MicroBench({ outfile, fields: { experiment: 'e1', trial: 3 } });
    const work = bench.wrap(function work(x: number) {
      return x + 1;
    });
    const other = bench.wrap(function other() {
      return 0;
    });
    for (let i = 0; i < 5; i++) {
      work(i);
      other();
    }
    await bench.close();
    const lines = readFileSync(outfile, 'utf8').trimEnd().split('\n');
    assert.equal(lines.length, 10);
    for (const line of lines) {
      const record = JSON.parse(line) as Record<string, unknown>;
      assert.equal(encodeJson(record), line);
      assert.equal(record.experiment, 'e1');
      assert.ok(record.function_name === 'work' || record.function_name === 'other');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
