import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { type WriteSync, writeLine } from '../../src/outputs/_write-line.js';
import { watchWarnings } from '../helpers/warnings.js';

watchWarnings();

const dir = mkdtempSync(join(tmpdir(), 'mb-short-write-'));
after(() => rmSync(dir, { recursive: true, force: true }));

// A writeSync that takes at most `limitBytes` per call (as a full disk or a signal might),
// recording what each call was given.
function shortWrites(limitBytes: number) {
  const calls: string[] = [];
  function write(fd: number, data: string | Buffer, offset?: number, length?: number): number {
    const bytes: Buffer = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    const start: number = offset ?? 0;
    const count: number = Math.min(limitBytes, length ?? bytes.length - start);
    calls.push(typeof data === 'string' ? 'string' : 'buffer');
    return writeSync(fd, bytes, start, count);
  }
  return { write: write as WriteSync, calls };
}

// The bytes writeLine leaves in a fresh file.
function writtenBytes(name: string, line: string, write?: WriteSync): Buffer {
  const path = join(dir, name);
  const fd = openSync(path, 'a');
  try {
    writeLine(fd, line, write);
  } finally {
    closeSync(fd);
  }
  return readFileSync(path);
}

describe('writeLine (file output)', () => {
  const lines = {
    ascii: `${JSON.stringify({ a: 1, text: 'plain' })}\n`,
    multibyte: `${JSON.stringify({ text: 'é 😀 \u2028 ok', lone: '\ud800' })}\n`,
  };

  for (const [kind, line] of Object.entries(lines)) {
    test(`writes the whole ${kind} line`, () => {
      assert.deepEqual(writtenBytes(`whole-${kind}.jsonl`, line), Buffer.from(line, 'utf8'));
    });

    test(`completes a short write of a ${kind} line from a Buffer, byte for byte`, () => {
      for (const limit of [1, 2, 3, 5, 7]) {
        const { write, calls } = shortWrites(limit);
        const bytes = writtenBytes(`short-${kind}-${limit}.jsonl`, line, write);
        assert.deepEqual(bytes, Buffer.from(line, 'utf8'), `at most ${limit} bytes per write`);
        assert.equal(calls[0], 'string', 'the first write is the string itself');
        assert.ok(calls.slice(1).every((call) => call === 'buffer'));
        assert.equal(calls.length, Math.ceil(bytes.length / limit));
      }
    });
  }

  test('one write when the kernel takes the whole line', () => {
    const { write, calls } = shortWrites(Number.POSITIVE_INFINITY);
    writtenBytes('one-call.jsonl', lines.multibyte, write);
    assert.deepEqual(calls, ['string']);
  });
});
