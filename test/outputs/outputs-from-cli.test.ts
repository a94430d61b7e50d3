import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { UsageError } from '../../src/errors.js';
import { createOutputsFromCliOptions } from '../../src/outputs/from-cli.js';
import type { HttpOutput } from '../../src/outputs/http.js';

// The UsageError message thrown by createOutputsFromCliOptions.
function usageError(options: Parameters<typeof createOutputsFromCliOptions>[0]): string {
  try {
    createOutputsFromCliOptions(options);
  } catch (error) {
    assert.ok(error instanceof UsageError, `expected a UsageError, got ${String(error)}`);
    return error.message;
  }
  return assert.fail('expected a UsageError');
}

describe('createOutputsFromCliOptions', () => {
  test('no output flag: standard output', () => {
    assert.deepEqual(
      createOutputsFromCliOptions({}).map((o) => o.name),
      ['stdout'],
    );
  });

  test("microbench's order: file, then HTTP, then Redis", () => {
    const outputs = createOutputsFromCliOptions({
      redisOutput: 'results',
      httpOutput: 'http://127.0.0.1:9/in',
      outfile: 'out.jsonl',
    });
    assert.deepEqual(
      outputs.map((o) => o.name),
      ['file:out.jsonl', 'http://127.0.0.1:9/in', 'redis:results'],
    );
  });

  test('headers and method reach the HTTP output', () => {
    const [http] = createOutputsFromCliOptions({
      httpOutput: 'http://127.0.0.1:9/in',
      httpHeaders: ['Authorization: Bearer x', 'X-Run: 7'],
      httpMethod: 'put',
    }) as [HttpOutput];
    assert.equal(http.method, 'PUT');
  });

  test('header, method, host, port, db or password without their output flag is an error', () => {
    assert.equal(
      usageError({ httpHeaders: ['A: b'] }),
      '--http-output-header requires --http-output URL',
    );
    assert.equal(
      usageError({ httpMethod: 'PUT' }),
      '--http-output-method requires --http-output URL',
    );
    assert.equal(usageError({ redisHost: 'h' }), '--redis-host requires --redis-output KEY');
    assert.equal(usageError({ redisPort: '6380' }), '--redis-port requires --redis-output KEY');
    assert.equal(usageError({ redisDb: 2 }), '--redis-db requires --redis-output KEY');
    assert.equal(
      usageError({ redisPassword: 'pw' }),
      '--redis-password requires --redis-output KEY',
    );
  });

  test('bad values name the flag', () => {
    assert.equal(
      usageError({ redisOutput: 'k', redisPort: 'abc' }),
      "--redis-port: expected an integer from 1 to 65535, got 'abc'",
    );
    assert.equal(
      usageError({ redisOutput: 'k', redisDb: '-1' }),
      "--redis-db: expected an integer >= 0, got '-1'",
    );
    assert.match(
      usageError({ httpOutput: 'http://h/', httpHeaders: ['nocolon'] }),
      /^--http-output-header: expected KEY:VALUE, got 'nocolon'/,
    );
    assert.match(
      usageError({ httpOutput: 'http://h/', httpMethod: 'GET' }),
      /^--http-output-method: expected a method that carries a request body/,
    );
    assert.match(
      usageError({ httpOutput: 'nope' }),
      /^--http-output: Expected the HTTP output URL/,
    );
    assert.match(usageError({ redisOutput: '' }), /^--redis-output: Expected the Redis list key/);
  });
});
