// File outputs of one process that append to the same file share one descriptor: a program that
// makes a bench per task and never closes them does not run out of descriptors. A file deleted
// or replaced in between is followed: the shared descriptor moves to the file now at the path.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { MicroBench } from '../../src/bench/micro-bench.js';
import { fileOutput } from '../../src/outputs/file.js';
import { captureWarnings, settle } from '../helpers/capture-warnings.js';

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

test('a file deleted while outputs hold it: every holder follows the path, nothing is lost', async () => {
  const warnings = captureWarnings();
  const path = join(dir, 'replaced.jsonl');
  const first = fileOutput(path);
  first.write({} as never, () => '{"n":1}');
  rmSync(path);
  const second = fileOutput(path); // notices the deletion: {"n":1} is written again
  second.write({} as never, () => '{"n":2}');
  first.write({} as never, () => '{"n":3}'); // the shared descriptor follows the path
  assert.equal(readFileSync(path, 'utf8'), '{"n":1}\n{"n":2}\n{"n":3}\n');
  // Closing one holder leaves the other's descriptor working.
  const third = fileOutput(path);
  third.write({} as never, () => '{"n":4}');
  await second.close?.();
  third.write({} as never, () => '{"n":5}');
  assert.equal(readFileSync(path, 'utf8'), '{"n":1}\n{"n":2}\n{"n":3}\n{"n":4}\n{"n":5}\n');
  await first.close?.();
  await third.close?.();
  await settle();
  assert.deepEqual(
    warnings.stop().map((w) => w.message.replace(/ it was .*/, '')),
    [`The outfile ${path} was deleted while records were being appended to it;`],
  );
});
