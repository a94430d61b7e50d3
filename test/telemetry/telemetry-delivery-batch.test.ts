// The records one telemetry sample completes are delivered together (src/telemetry/
// delivery-batch.ts): their outfile lines go in one write(2), and only then do their
// pending-journal entries go. Counted with the kernel's own count of this process's write
// system calls (/proc/self/io syscw), on real files.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { MicroBench } from '../../src/bench/micro-bench.js';
import { journalDirFor } from '../../src/journal/journal.js';
import { fileOutput } from '../../src/outputs/file.js';
import { memoryOutput } from '../../src/outputs/memory.js';
import type { BenchRecord } from '../../src/record/record.js';
import {
  afterDeliveryBatch,
  atDeliveryBatchEnd,
  deliveryBatchOpen,
  runDeliveryBatch,
} from '../../src/telemetry/delivery-batch.js';

const linux = process.platform === 'linux';
const dir = mkdtempSync(join(tmpdir(), 'mb-delivery-batch-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const telemetry = (p: { pid: number }) => ({ pid: p.pid });

function writeCalls(): number {
  const io = readFileSync('/proc/self/io', 'utf8');
  return Number(/^syscw: (\d+)$/m.exec(io)![1]);
}

test('short calls with telemetry and an outfile: fewer than two write(2) per call, and every record once', {
  skip: !linux && 'needs /proc/self/io',
}, async () => {
  const outfile = join(dir, 'batched.jsonl');
  const bench = new MicroBench({ outfile, defaultMixins: false, telemetry });
  const call = bench.wrap(function tiny(n: number) {
    return n;
  });
  call(-1);
  await bench.flush();
  const calls = 400;
  const before = writeCalls();
  for (let i = 0; i < calls; i++) call(i);
  await bench.flush();
  const writes = writeCalls() - before;
  // One pending-journal write per call that ended before its initial sample; the outfile
  // lines of the records a sample completes share one (before: one each, 2 per call).
  assert.ok(writes < 1.5 * calls, `${writes} write(2) for ${calls} calls`);
  await bench.close();
  // Every record delivered: closing leaves no pending journal behind.
  const journals = journalDirFor(outfile);
  assert.deepEqual(existsSync(journals) ? readdirSync(journals) : [], []);
  const lines = readFileSync(outfile, 'utf8').trimEnd().split('\n');
  assert.equal(lines.length, calls + 1);
  const starts = lines.map((line) => (JSON.parse(line) as BenchRecord).start_time);
  assert.equal(new Set(starts).size, calls + 1, 'every record once');
});

test('records delivered together reach an output without writeBatch too, each once', async () => {
  const outfile = join(dir, 'with-memory.jsonl');
  const memory = memoryOutput();
  const bench = new MicroBench({
    outputs: [fileOutput(outfile), memory],
    defaultMixins: false,
    telemetry,
  });
  const call = bench.wrap(function tiny(n: number) {
    return n;
  });
  for (let i = 0; i < 300; i++) call(i);
  await bench.close();
  const kept = await memory.getResults();
  assert.equal(kept.length, 300);
  assert.equal(new Set(kept.map((r) => r.start_time)).size, 300);
  const lines = readFileSync(outfile, 'utf8').trimEnd().split('\n');
  assert.deepEqual(
    lines.map((line) => (JSON.parse(line) as BenchRecord).start_time),
    kept.map((r) => r.start_time),
    'the same records, in the same order',
  );
});

test('a batch writes its queues when it closes, then runs the after-batch work, even past a throw', () => {
  const order: string[] = [];
  assert.equal(deliveryBatchOpen(), false);
  assert.throws(
    () =>
      runDeliveryBatch(() => {
        assert.equal(deliveryBatchOpen(), true);
        afterDeliveryBatch(() => order.push('after'));
        atDeliveryBatchEnd(() => order.push('flush 1'));
        atDeliveryBatchEnd(() => {
          order.push('flush 2');
          throw new Error('flush failed');
        });
        // Inside a batch: part of it.
        runDeliveryBatch(() => atDeliveryBatchEnd(() => order.push('flush 3')));
        order.push('body');
      }),
    /flush failed/,
  );
  assert.deepEqual(order, ['body', 'flush 1', 'flush 2', 'flush 3', 'after']);
  assert.equal(deliveryBatchOpen(), false);
  // Outside a batch, after-batch work runs at once.
  afterDeliveryBatch(() => order.push('now'));
  assert.equal(order.at(-1), 'now');
});

test('after-batch work gets its subject, each run past a throw, in the order given', () => {
  const settled: string[] = [];
  const settle = (name: string) => {
    settled.push(name);
    if (name === 'b') throw new Error('b failed');
  };
  assert.throws(
    () =>
      runDeliveryBatch(() => {
        for (const name of ['a', 'b', 'c']) afterDeliveryBatch(settle, name);
        assert.deepEqual(settled, []);
      }),
    /b failed/,
  );
  assert.deepEqual(settled, ['a', 'b', 'c']);
  afterDeliveryBatch(settle, 'd');
  assert.deepEqual(settled, ['a', 'b', 'c', 'd']);
});
