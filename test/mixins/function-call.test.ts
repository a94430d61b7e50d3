import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { UNENCODABLE } from '../../src/json/encode.js';
import { functionCall } from '../../src/mixins/function-call.js';
import { runMixins } from './_run-mixins.js';

describe('function-call', () => {
  test('records the arguments as JSON values, not JSON strings', () => {
    const record = runMixins([functionCall()], {
      args: [1, 'two', { three: [3] }, 10n, new Date(0), undefined],
    });
    assert.deepEqual(record.args, [1, 'two', { three: [3] }, 10, '1970-01-01T00:00:00.000Z', null]);
  });

  test('an argument JSON cannot hold becomes the placeholder plus one warning naming it', () => {
    const warnings: string[] = [];
    const record = runMixins([functionCall()], { args: [() => 1, 2], warnings });
    assert.deepEqual(record.args, [UNENCODABLE, 2]);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0] ?? '', /args\[0\]/);
  });

  test('no arguments (record() blocks, the CLI) give an empty list', () => {
    assert.deepEqual(runMixins([functionCall()]).args, []);
  });
});
