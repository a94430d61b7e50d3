import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { UNENCODABLE } from '../../src/json/encode.js';
import { returnValue } from '../../src/mixins/return-value.js';
import { runMixins } from './_run-mixins.js';

describe('return-value', () => {
  test('records the last iteration’s return value', () => {
    let n = 0;
    const record = runMixins([returnValue()], { iterations: 3, body: () => ({ n: ++n }) });
    assert.deepEqual(record.return_value, { n: 3 });
  });

  test('undefined is recorded as null so the field is there', () => {
    const record = runMixins([returnValue()], { body: () => undefined });
    assert.equal(record.return_value, null);
    assert.ok('return_value' in record);
  });

  test('skipped when the call threw', () => {
    let n = 0;
    const record = runMixins([returnValue()], {
      iterations: 3,
      body: () => {
        if (++n === 2) throw new Error('boom');
        return n;
      },
    });
    assert.equal('return_value' in record, false);
  });

  test('an unencodable value becomes the placeholder plus a warning', () => {
    const warnings: string[] = [];
    const record = runMixins([returnValue()], { body: () => Symbol('x'), warnings });
    assert.equal(record.return_value, UNENCODABLE);
    assert.match(warnings[0] ?? '', /return_value/);
  });

  test('does nothing for the CLI', () => {
    assert.equal(
      'return_value' in runMixins([returnValue()], { invocation: 'cli', body: () => 1 }),
      false,
    );
  });
});
