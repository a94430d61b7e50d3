import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { MicroBench } from '../../src/bench/micro-bench.js';
import { OptionError, OutputDeliveryError } from '../../src/errors.js';
import { memoryOutput } from '../../src/outputs/memory.js';
import { defineOutput } from '../../src/outputs/output.js';
import type { BenchRecord } from '../../src/record/record.js';
import { fixturePath, runTsChild, warningLines } from '../helpers/node-child.js';
import { watchWarnings } from '../helpers/warnings.js';

const warnings = watchWarnings();

describe('results', () => {
  test('the default output is memory; getResults() returns copies in order', async () => {
    const bench = new MicroBench({ defaultMixins: false });
    assert.equal(bench.outputs.length, 1);
    assert.equal(bench.outputs[0]?.name, 'memory');
    bench.record('a', () => undefined);
    bench.record('b', () => undefined);
    const first = await bench.getResults();
    assert.deepEqual(
      first.map((r) => r.function_name),
      ['a', 'b'],
    );
    first[0]!.function_name = 'mutated';
    assert.equal((await bench.getResults())[0]?.function_name, 'a', 'callers get copies');
  });

  test('getResults({flat: true}) flattens nested objects into dotted keys', async () => {
    const bench = new MicroBench({
      defaultMixins: false,
      fields: { slurm: { job_id: '42', array: { task: 3 } }, none: {}, list: [{ a: 1 }] },
    });
    bench.record('flat', () => undefined);
    const [flat] = await bench.getResults({ flat: true });
    assert.equal(flat?.['slurm.job_id'], '42');
    assert.equal(flat?.['slurm.array.task'], 3);
    assert.equal('slurm' in (flat ?? {}), false);
    assert.equal('none' in (flat ?? {}), false);
    assert.deepEqual(flat?.list, [{ a: 1 }], 'arrays are kept as they are');
    const [nested] = await bench.getResults();
    assert.deepEqual(nested?.slurm, { job_id: '42', array: { task: 3 } });
  });

  test('no output that can read back → an error naming getResults', async () => {
    const bench = new MicroBench({ outputs: [] });
    bench.record('lost', () => undefined);
    await assert.rejects(bench.getResults(), (error: unknown) => {
      assert.ok(error instanceof OptionError);
      assert.match(error.message, /getResults/);
      return true;
    });
  });

  test('summary() prints per-function statistics', async () => {
    const bench = new MicroBench({ defaultMixins: false, iterations: 3 });
    bench.wrap(function alpha() {})();
    bench.wrap(function beta() {})();
    bench.wrap(function beta() {})();
    let printed = '';
    const text = await bench.summary({ print: (t) => (printed += t) });
    assert.equal(printed, text);
    const [header, ...rows] = text.trim().split('\n');
    for (const column of ['runs', 'mean', 'median', 'min', 'max', 'stdev']) {
      assert.match(header ?? '', new RegExp(column));
    }
    assert.match(rows.find((r) => r.startsWith('alpha')) ?? '', /^alpha\s+1\s+3\s/);
    assert.match(rows.find((r) => r.startsWith('beta')) ?? '', /^beta\s+2\s+6\s/);
  });

  test('summary() of no records says so', async () => {
    const text = await new MicroBench().summary({ print: () => undefined });
    assert.match(text, /^No /);
  });
});

describe('outputs', () => {
  test('stdout output: one JSON line per record on standard output (child process)', async () => {
    const { code, stdout, stderr } = await runTsChild(fixturePath('stdout-bench.ts'), ['3']);
    assert.equal(code, 0, stderr);
    assert.deepEqual(warningLines(stderr), []);
    const records = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as BenchRecord);
    assert.deepEqual(
      records.map((r) => r.function_name),
      ['work', 'work', 'work', 'async-block'],
    );
    assert.ok(records.every((r) => r.source === 'stdout'));
  });

  test('several outputs each receive every record; flush() waits for asynchronous ones', async () => {
    const delivered: string[] = [];
    let closed = false;
    const slow = defineOutput({
      name: 'slow',
      async write(record: BenchRecord) {
        await sleep(20);
        delivered.push(record.function_name);
      },
      async close() {
        closed = true;
      },
    });
    const memory = memoryOutput();
    const bench = new MicroBench({ defaultMixins: false, outputs: [memory, slow] });
    bench.record('one', () => undefined);
    await bench.record('two', async () => undefined);
    assert.deepEqual(delivered, [], 'still in flight');
    assert.equal(memory.records.length, 2);
    await bench.flush();
    assert.deepEqual(delivered, ['one', 'two']);
    assert.equal(closed, false);
    await bench.close();
    assert.equal(closed, true, 'close() releases outputs');
  });

  test('a failing output never stops the others; flush() rejects listing what failed', async () => {
    const failing = defineOutput({
      name: 'broken',
      write() {
        throw new Error('disk on fire');
      },
    });
    const memory = memoryOutput();
    const bench = new MicroBench({ defaultMixins: false, outputs: [failing, memory] });
    assert.equal(
      bench.record('kept', () => 7),
      7,
      'the call itself succeeds',
    );
    assert.equal(memory.records.length, 1);
    await assert.rejects(bench.flush(), (error: unknown) => {
      assert.ok(error instanceof OutputDeliveryError);
      assert.equal(error.failures.length, 1);
      assert.match(error.message, /broken/);
      assert.match(error.message, /disk on fire/);
      return true;
    });
    await bench.flush();
    // The fan-out warns once per failing output; that warning is expected here.
    const seen = await warnings.take();
    assert.ok(
      seen.every((w) => /broken/.test(w.message)),
      seen.map((w) => w.message).join(),
    );
  });
});
