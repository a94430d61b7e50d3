// File outputs of one process that append to the same file share one descriptor: a program that
// makes a bench per task and never closes them does not run out of descriptors. A file deleted
// or replaced in between gets a descriptor of its own, so records never go to a file that is gone.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { MicroBench } from '../../src/bench/micro-bench.js';
import { fileOutput } from '../../src/outputs/file.js';

const dir = mkdtempSync(join(tmpdir(), 'mb-shared-fd-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const openDescriptors = () => readdirSync('/proc/self/fd').length;

test('200 benches appending to one outfile, never closed, hold one descriptor', {
  skip: process.platform !== 'linux' && 'counts /proc/self/fd',
}, () => {
  const outfile = join(dir, 'many.jsonl');
  const before = openDescriptors();
  for (let i = 0; i < 200; i++) {
    const bench = new MicroBench({ outfile, defaultMixins: false });
    bench.wrap(function task(n: number) {
      return n;
    })(i);
  }
  assert.ok(openDescriptors() - before <= 1, `${openDescriptors() - before} descriptors more`);
  const lines = readFileSync(outfile, 'utf8').trim().split('\n');
  assert.equal(lines.length, 200);
});

test('a file deleted while an output still holds it: the next output writes to the new file', async () => {
  const path = join(dir, 'replaced.jsonl');
  const first = fileOutput(path);
  first.write({} as never, () => '{"n":1}');
  rmSync(path);
  const second = fileOutput(path);
  second.write({} as never, () => '{"n":2}');
  first.write({} as never, () => '{"n":3}'); // still the deleted file's, as before
  assert.equal(readFileSync(path, 'utf8'), '{"n":2}\n');
  // Closing one holder leaves the other's descriptor working.
  const third = fileOutput(path);
  third.write({} as never, () => '{"n":4}');
  await second.close?.();
  third.write({} as never, () => '{"n":5}');
  assert.equal(readFileSync(path, 'utf8'), '{"n":2}\n{"n":4}\n{"n":5}\n');
  await first.close?.();
  await third.close?.();
});
