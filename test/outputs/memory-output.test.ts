// The in-memory output: what getResults() returns with and without an encoder of its own, and
// that lines are encoded only when results are read and never kept (no second copy held).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MicroBench } from '../../src/bench/micro-bench.js';
import { memoryOutput } from '../../src/outputs/memory.js';
import type { BenchRecord } from '../../src/record/record.js';

const record = (n: number) => ({ function_name: 'f', n }) as unknown as BenchRecord;

describe('memoryOutput', () => {
  test('with its own encoder: records are encoded when results are read, and no line is kept', async () => {
    const encoded: number[] = [];
    const memory = memoryOutput({
      encode: (r) => {
        encoded.push((r as unknown as { n: number }).n);
        return JSON.stringify({ ...r, line: true });
      },
    });
    const unused = () => assert.fail('the per-record encode is not needed');
    memory.write(record(1), unused);
    memory.write(record(2), unused);
    assert.deepEqual(encoded, [], 'writing encodes nothing');
    assert.deepEqual(await memory.getResults(), [
      { function_name: 'f', n: 1, line: true },
      { function_name: 'f', n: 2, line: true },
    ]);
    memory.write(record(3), unused);
    const again = await memory.getResults();
    assert.equal(again.length, 3);
    assert.deepEqual(again[2], { function_name: 'f', n: 3, line: true });
    assert.deepEqual(encoded, [1, 2, 1, 2, 3], 'each read encodes anew: no cache of lines is held');
    assert.equal(memory.records.length, 3);
  });

  test('without one: the line comes from the encode function written with each record', async () => {
    const memory = memoryOutput();
    let calls = 0;
    memory.write(record(1), () => {
      calls++;
      return '{"from":"encode"}';
    });
    assert.deepEqual(await memory.getResults(), [{ from: 'encode' }]);
    assert.equal(calls, 1);
  });

  test("a bench's default memory output applies the bench's JSON rules and jsonReplacer", async () => {
    const bench = new MicroBench({
      defaultMixins: false,
      fields: { big: 2n ** 70n, secret: 'pw' },
      jsonReplacer: (key: string, value: unknown) => (key === 'secret' ? '[hidden]' : value),
    });
    const call = bench.wrap(function f() {
      return 1;
    });
    call();
    const [result] = await bench.getResults();
    assert.equal(result!.big, '1180591620717411303424');
    assert.equal(result!.secret, '[hidden]');
    assert.equal(result!.function_name, 'f');
    // Read twice: the same, and still plain JSON values.
    assert.deepEqual(await bench.getResults(), [result]);
  });
});
