// AppendFile.appendMany (the file output's writeBatch): records delivered together go in one
// write(2); a write that fails part-way fails only the lines it did not finish, and the next
// line starts fresh after the fragment. On real files, with a writeSync that fails on cue.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import {
  type AppendFile,
  acquireAppendFile,
  releaseAppendFile,
} from '../../src/outputs/_append-files.js';
import type { WriteSync } from '../../src/outputs/_write-line.js';

const dir = mkdtempSync(join(tmpdir(), 'mb-append-many-'));
after(() => rmSync(dir, { recursive: true, force: true }));

// A writeSync that counts its calls and, while `budget` is set, writes at most that many bytes
// in all and then fails with ENOSPC (a disk that fills).
function fillingDisk() {
  const state = { calls: 0, budget: undefined as number | undefined };
  function write(fd: number, data: string | Buffer, offset?: number, length?: number): number {
    state.calls++;
    const bytes: Buffer = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    const start = offset ?? 0;
    let count = length ?? bytes.length - start;
    if (state.budget !== undefined) {
      if (state.budget === 0) {
        throw Object.assign(new Error('ENOSPC: no space left on device, write'), {
          code: 'ENOSPC',
        });
      }
      count = Math.min(count, state.budget);
      state.budget -= count;
    }
    return writeSync(fd, bytes, start, count);
  }
  return { write: write as WriteSync, state };
}

// A fresh file in the test folder, appended to through `fillingDisk()`'s writeSync while `body`
// runs, then released.
function withFile(
  name: string,
  body: (file: AppendFile, path: string, state: ReturnType<typeof fillingDisk>['state']) => void,
): void {
  const path = join(dir, name);
  const { write, state } = fillingDisk();
  const file = acquireAppendFile(path, { mkdir: true, write });
  try {
    body(file, path, state);
  } finally {
    releaseAppendFile(file);
  }
}

const line = (n: number) => JSON.stringify({ n, text: `record ${n} é` });

test('lines delivered together are written in one write(2), in order', () => {
  withFile('together.jsonl', (file, path, state) => {
    assert.equal(file.appendMany([line(1), line(2), line(3)]), undefined);
    assert.equal(state.calls, 1);
    assert.equal(readFileSync(path, 'utf8'), `${line(1)}\n${line(2)}\n${line(3)}\n`);
  });
});

test('a write that fails part-way fails only the unfinished lines; the next line starts fresh', () => {
  withFile('partial.jsonl', (file, path, state) => {
    const first = Buffer.byteLength(`${line(1)}\n`);
    // Room for the first line and a part of the second.
    state.budget = first + 5;
    const errors = file.appendMany([line(1), line(2), line(3)]);
    assert.ok(errors, 'some lines failed');
    assert.equal(errors.length, 3);
    assert.equal(errors[0], undefined, 'the first line is in the file whole');
    assert.match(String(errors[1]?.message), /no space left/);
    assert.match(String(errors[2]?.message), /no space left/);
    // Room again: the next line begins on a line of its own, after the fragment.
    state.budget = undefined;
    assert.equal(file.appendMany([line(4), line(5)]), undefined);
    const text = readFileSync(path, 'utf8');
    const lines = text.split('\n');
    assert.equal(lines[0], line(1));
    assert.equal(lines[1], line(2).slice(0, 5), 'the fragment, a line of its own');
    assert.deepEqual(lines.slice(2), [line(4), line(5), '']);
  });
});

test('a write that fails before any byte fails every line of the batch', () => {
  withFile('nothing.jsonl', (file, path, state) => {
    state.budget = 0;
    const errors = file.appendMany([line(1), line(2)]);
    assert.equal(errors?.length, 2);
    assert.ok(errors.every((error) => /no space left/.test(String(error?.message))));
    state.budget = undefined;
    assert.equal(file.appendMany([line(3), line(4)]), undefined);
    assert.equal(readFileSync(path, 'utf8'), `${line(3)}\n${line(4)}\n`);
  });
});
