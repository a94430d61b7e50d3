// The journal header's own-fields JSON (src/telemetry/_own-fields-json.ts): reused from the last
// call with only start_time put in, it must be byte for byte what encoding the own fields gives,
// call after call, whatever changes between them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { completeTemplate, OwnFieldsJson } from '../../src/telemetry/_own-fields-json.js';

const base = { mb_run_id: 'r', function_name: '', invocation: 'Node', constant: 1 };

// What the header held before the cache: every field not in base unchanged, encoded.
function reference(record: Record<string, unknown>): string {
  const own: Record<string, unknown> = {};
  for (const key of Object.keys(record)) {
    const value = record[key];
    if (Object.hasOwn(base, key) && (base as Record<string, unknown>)[key] === value) continue;
    Object.defineProperty(own, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return JSON.stringify(own);
}

function call(start: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ...base,
    function_name: 'f',
    ...extra,
    run_durations: [],
    start_time: start,
  };
}

test('consecutive calls that differ only in start_time: each header is its own record encoded', () => {
  const encoder = new OwnFieldsJson();
  for (let i = 0; i < 5; i++) {
    const record = call(`2026-12-04T18:00:0${i}.000000+00:00`, { env_X: 'x', count: i % 2 });
    assert.equal(encoder.encode(record, base), reference(record));
  }
});

test('a changed, added or removed own field, or a base field changed, is encoded anew', () => {
  const encoder = new OwnFieldsJson();
  const records = [
    call('t1', { env_X: 'a' }),
    call('t2', { env_X: 'b' }), // a value changed
    call('t3', { env_X: 'b', extra: true }), // a field added
    call('t4'), // fields removed
    { ...call('t5'), constant: 2 }, // a base field changed by a capture
    call('t6', { n: Number.NaN }), // a value JSON writes as null
    call('t7', { nested: { a: 1 } }), // an object: never reused
    call('t8', { nested: { a: 2 } }),
    call('t9', { quote: 'he said "hi"\n' }),
    call('t10', { quote: 'he said "hi"\n' }),
  ];
  for (const record of records) assert.equal(encoder.encode(record, base), reference(record));
});

test('an empty array that gained items since, and a `__proto__` field, are not taken for the cached ones', () => {
  const encoder = new OwnFieldsJson();
  const first = call('t1', { list: [] });
  assert.equal(encoder.encode(first, base), reference(first));
  (first.list as number[]).push(1); // the cached call's array, mutated afterwards
  const second = call('t2', { list: [] });
  assert.equal(encoder.encode(second, base), reference(second));
  const third = call('t3', { list: [2] });
  assert.equal(encoder.encode(third, base), reference(third));
  const proto: Record<string, unknown> = call('t4');
  Object.defineProperty(proto, '__proto__', { value: 'kept', enumerable: true, writable: true });
  assert.equal(encoder.encode(proto, base), reference(proto));
  assert.match(encoder.encode(proto, base), /"__proto__":"kept"/);
});

test('a record without start_time (or with a non-string one) is encoded whole each time', () => {
  const encoder = new OwnFieldsJson();
  const records = [
    { ...base, function_name: 'f' },
    { ...base, function_name: 'f' },
    { ...base, function_name: 'f', start_time: 5 },
    { ...base, function_name: 'f', start_time: 6 },
  ];
  for (const record of records) assert.equal(encoder.encode(record, base), reference(record));
});

test('a header template: once a call repeats the last one but for start_time, it completes to that call’s JSON', () => {
  const encoder = new OwnFieldsJson();
  const first = call('2026-12-04T18:00:00.000000+00:00', { env_X: 'x' });
  assert.equal(encoder.header(first, base), reference(first), 'nothing cached yet: its JSON');
  const second = call('2026-12-04T18:00:01.000001+00:00', { env_X: 'x' });
  const template = encoder.header(second, base);
  assert.ok(typeof template !== 'string');
  assert.equal(completeTemplate(template, second.start_time as string), reference(second));
  const third = call('2026-12-04T18:00:02.000002+00:00', { env_X: 'x' });
  assert.equal(encoder.header(third, base), template, 'the same template, not a new one');
  // A changed field: no template until the new fields have been encoded and repeated.
  const changed = call('2026-12-04T18:00:03.000003+00:00', { env_X: 'y' });
  assert.equal(encoder.header(changed, base), reference(changed));
  const again = call('2026-12-04T18:00:04.000004+00:00', { env_X: 'y' });
  const next = encoder.header(again, base);
  assert.ok(typeof next !== 'string' && next.id !== template.id, 'a template of its own');
  assert.equal(completeTemplate(next, again.start_time as string), reference(again));
});
