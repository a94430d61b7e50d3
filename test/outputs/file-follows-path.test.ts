// An outfile deleted, rotated (renamed) or replaced while a program runs: the output notices
// that its path no longer names its file, opens the path again with one warning, and the later
// records are at the path. Records a deleted file took since the last check are written again.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { MicroBench } from '../../src/bench/micro-bench.js';
import { PATH_CHECK_INTERVAL_MS, PATH_CHECK_MAX_RECORDS } from '../../src/outputs/_append-files.js';
import { fileOutput } from '../../src/outputs/file.js';
import { watchWarnings } from '../helpers/warnings.js';

const warnings = watchWarnings();
const dir = mkdtempSync(join(tmpdir(), 'mb-follow-path-'));
after(() => rmSync(dir, { recursive: true, force: true }));

// The function names of the records in a JSON Lines file (none when it does not exist).
function namesIn(path: string): string[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => String(JSON.parse(line).function_name));
}

// The warnings emitted so far, as messages.
async function warningMessages(): Promise<string[]> {
  return (await warnings.take()).map((w) => w.message);
}

function makeBench(outfile: string) {
  const bench = new MicroBench({ outfile, defaultMixins: false });
  const names: string[] = [];
  const record = (name: string) => {
    names.push(name);
    bench.record(name, () => undefined);
  };
  return { bench, names, record };
}

test('deleted mid-run: the path is created again, and no record reported delivered is lost', async () => {
  const outfile = join(dir, 'deleted.jsonl');
  const { bench, names, record } = makeBench(outfile);
  for (let i = 0; i < 3; i++) record(`before-${i}`);
  rmSync(outfile);
  // Enough records that the path is checked on the way (without waiting for the clock).
  for (let i = 0; i < PATH_CHECK_MAX_RECORDS + 10; i++) record(`after-${i}`);
  await bench.close();
  assert.deepEqual(namesIn(outfile), names, 'the lines the deleted file took were written again');
  const messages = await warningMessages();
  assert.equal(messages.length, 1, messages.join('\n'));
  assert.match(
    messages[0]!,
    /outfile .*deleted\.jsonl was deleted .*opened again \(created anew\)/,
  );
  assert.match(
    messages[0]!,
    /The \d+ record\(s\) written to the deleted file .* were written again/,
  );
});

test('deleted and then flushed: flush() already puts the records back at the path', async () => {
  const outfile = join(dir, 'deleted-flushed.jsonl');
  const { bench, names, record } = makeBench(outfile);
  record('one');
  rmSync(outfile);
  record('two');
  await bench.flush();
  assert.deepEqual(namesIn(outfile), names);
  assert.equal((await warningMessages()).length, 1);
  await bench.close();
});

test('rotated (renamed) mid-run: later records at the path, none repeated or lost', async () => {
  const outfile = join(dir, 'rotated.jsonl');
  const rotated = `${outfile}.1`;
  const { bench, names, record } = makeBench(outfile);
  for (let i = 0; i < 3; i++) record(`before-${i}`);
  renameSync(outfile, rotated);
  await sleep(PATH_CHECK_INTERVAL_MS + 20); // the next record checks the path
  for (let i = 0; i < 3; i++) record(`after-${i}`);
  await bench.close();
  assert.deepEqual(namesIn(rotated), ['before-0', 'before-1', 'before-2']);
  assert.deepEqual(namesIn(outfile), ['after-0', 'after-1', 'after-2']);
  assert.deepEqual([...namesIn(rotated), ...namesIn(outfile)], names);
  const messages = await warningMessages();
  assert.equal(messages.length, 1, messages.join('\n'));
  assert.match(messages[0]!, /rotated\.jsonl was renamed or moved away/);
});

test('rotated by count alone: after the check, records are at the path; the rest in the rotated file', async () => {
  const outfile = join(dir, 'rotated-count.jsonl');
  const rotated = `${outfile}.1`;
  const { bench, names, record } = makeBench(outfile);
  record('first');
  renameSync(outfile, rotated);
  for (let i = 0; i < 2 * PATH_CHECK_MAX_RECORDS; i++) record(`r-${i}`);
  await bench.close();
  const inRotated = namesIn(rotated);
  const atPath = namesIn(outfile);
  assert.deepEqual([...inRotated, ...atPath], names, 'every record once, in order');
  assert.ok(
    inRotated.length <= PATH_CHECK_MAX_RECORDS + 1,
    `${inRotated.length} went to the rotated file`,
  );
  assert.ok(atPath.length >= PATH_CHECK_MAX_RECORDS - 1);
  assert.equal((await warningMessages()).length, 1);
});

test('replaced by another file: the records the old one took since the check go to the new one', async () => {
  const outfile = join(dir, 'replaced.jsonl');
  const { bench, names, record } = makeBench(outfile);
  record('old-1');
  const replacement = join(dir, 'replacement.tmp');
  writeFileSync(replacement, '{"function_name":"written-by-someone-else"}\n');
  renameSync(replacement, outfile); // the old file loses its last name
  record('new-1');
  await bench.close();
  assert.deepEqual(namesIn(outfile), ['written-by-someone-else', ...names]);
  const messages = await warningMessages();
  assert.equal(messages.length, 1);
  assert.match(messages[0]!, /replaced\.jsonl was replaced by another file/);
});

test('outputs sharing a descriptor all follow the path, with one warning', async () => {
  const path = join(dir, 'shared.jsonl');
  const first = fileOutput(path);
  const second = fileOutput(path);
  first.write({} as never, () => '{"n":1}');
  rmSync(path);
  await first.flush(); // notices, writes {"n":1} again
  second.write({} as never, () => '{"n":2}');
  first.write({} as never, () => '{"n":3}');
  assert.equal(readFileSync(path, 'utf8'), '{"n":1}\n{"n":2}\n{"n":3}\n');
  assert.equal((await warningMessages()).length, 1);
  await first.close();
  await second.close();
});

test('an intact path: no warning, records stay in the one file', async () => {
  const outfile = join(dir, 'intact.jsonl');
  const { bench, names, record } = makeBench(outfile);
  for (let i = 0; i < PATH_CHECK_MAX_RECORDS * 2 + 3; i++) record(`r-${i}`);
  await bench.close();
  assert.deepEqual(namesIn(outfile), names);
  assert.deepEqual(await warningMessages(), []);
});
