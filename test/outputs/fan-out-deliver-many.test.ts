// OutputFanOut.deliverMany: records delivered together go to an output with writeBatch in one
// call, to the others one by one; a record the batch could not store is reported as that
// record's failure, and each record is encoded once for all outputs.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { OutputDeliveryError } from '../../src/errors.js';
import { OutputFanOut } from '../../src/outputs/fan-out.js';
import { fileOutput } from '../../src/outputs/file.js';
import type { BatchItem, Output } from '../../src/outputs/output.js';
import type { BenchRecord } from '../../src/record/record.js';

const record = (n: number) =>
  ({ function_name: `f${n}`, start_time: `t${n}`, run_durations: [n] }) as unknown as BenchRecord;

test('a batch output gets the records at once; a record it failed is reported alone', async () => {
  const batches: string[][] = [];
  const batchOutput: Output = {
    name: 'batch',
    write: () => assert.fail('records delivered together go through writeBatch'),
    writeBatch: (batch: readonly BatchItem[]) => {
      batches.push(batch.map((item) => item.encode()));
      return batch.map((_, i) => (i === 1 ? new Error('disk full') : undefined));
    },
  };
  const single: string[] = [];
  const plainOutput: Output = { name: 'plain', write: (_r, encode) => void single.push(encode()) };
  const warnings: string[] = [];
  const fanOut = new OutputFanOut([batchOutput, plainOutput], { warn: (m) => warnings.push(m) });
  let encodes = 0;
  const items = [1, 2, 3].map((n) => ({
    record: record(n),
    encode: () => {
      encodes++;
      return `{"n":${n}}`;
    },
  }));
  fanOut.deliverMany(items);
  assert.deepEqual(batches, [['{"n":1}', '{"n":2}', '{"n":3}']]);
  assert.deepEqual(single, ['{"n":1}', '{"n":2}', '{"n":3}']);
  assert.equal(encodes, 3, 'each record encoded once for both outputs');
  assert.equal(warnings.length, 1);
  await assert.rejects(fanOut.flush(), (error: unknown) => {
    assert.ok(error instanceof OutputDeliveryError);
    assert.equal(error.failures.length, 1);
    assert.equal(error.failures[0]!.output, 'batch');
    assert.equal(error.failures[0]!.record.function_name, 'f2');
    assert.match(error.failures[0]!.error.message, /disk full/);
    return true;
  });
});

test('a batch output that throws fails every record of the batch', async () => {
  const fanOut = new OutputFanOut(
    [
      {
        name: 'broken',
        write: () => undefined,
        writeBatch: () => {
          throw new Error('cannot open');
        },
      },
    ],
    { warn: () => undefined },
  );
  fanOut.deliverMany([1, 2].map((n) => ({ record: record(n), encode: () => '{}' })));
  await assert.rejects(fanOut.flush(), (error: unknown) => {
    assert.ok(error instanceof OutputDeliveryError);
    assert.deepEqual(
      error.failures.map((f) => f.record.function_name),
      ['f1', 'f2'],
    );
    return true;
  });
});

test('the file output writes a batch whose middle record cannot be encoded: that one fails alone', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mb-deliver-many-'));
  try {
    const path = join(dir, 'out.jsonl');
    const fanOut = new OutputFanOut([fileOutput(path)], { warn: () => undefined });
    fanOut.deliverMany(
      [1, 2, 3].map((n) => ({
        record: record(n),
        encode: () => {
          if (n === 2) throw new Error('cannot encode');
          return `{"n":${n}}`;
        },
      })),
    );
    assert.equal(readFileSync(path, 'utf8'), '{"n":1}\n{"n":3}\n');
    await assert.rejects(fanOut.flush(), (error: unknown) => {
      assert.ok(error instanceof OutputDeliveryError);
      assert.deepEqual(
        error.failures.map((f) => [f.record.function_name, f.error.message]),
        [['f2', 'cannot encode']],
      );
      return true;
    });
    await fanOut.close().catch(() => undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
