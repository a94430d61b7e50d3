// A disk that fills up mid-record, then gets space back: the record cut short is reported (its
// fragment stays one unreadable line), and every record reported delivered, including the one
// right after the fragment, is a whole line that parses. A real 64 KiB tmpfs, mounted here.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { MicroBench } from '../../src/bench/micro-bench.js';
import type { OutputDeliveryError } from '../../src/errors.js';
import { type JsonLinesProblem, readJsonLines } from '../../src/record/read-jsonl.js';
import { watchWarnings } from '../helpers/warnings.js';

const warnings = watchWarnings();
const dir = mkdtempSync(join(tmpdir(), 'mb-full-disk-'));
const mountPoint = join(dir, 'small');
let mounted = false;
// Why the test cannot run here, or undefined when it can.
let skipReason: string | undefined;

before(() => {
  if (process.platform !== 'linux') skipReason = 'mounts a tmpfs (Linux)';
  else if (process.getuid?.() !== 0) skipReason = 'mounting a tmpfs needs root';
  if (skipReason !== undefined) return;
  mkdirSync(mountPoint);
  const mount = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mountPoint], {
    encoding: 'utf8',
  });
  if (mount.status !== 0) skipReason = `mount -t tmpfs failed: ${mount.stderr.trim()}`;
  else mounted = true;
});

after(() => {
  if (mounted) spawnSync('umount', [mountPoint]);
  rmSync(dir, { recursive: true, force: true });
});

// The delivery failures `flush()` reports (none: an empty list).
async function flushFailures(bench: MicroBench): Promise<OutputDeliveryError['failures']> {
  try {
    await bench.flush();
    return [];
  } catch (error) {
    return (error as OutputDeliveryError).failures;
  }
}

test('a disk full mid-record, then freed: every record reported delivered parses, the fragment is one line', async (t) => {
  if (skipReason !== undefined) return t.skip(skipReason);
  const outfile = join(mountPoint, 'results.jsonl');
  const filler = join(mountPoint, 'filler');
  // 14 of the 16 pages: about five 1.5 KB records fit, the sixth is cut short.
  writeFileSync(filler, Buffer.alloc(14 * 4096));
  const bench = new MicroBench({
    outfile,
    defaultMixins: false,
    fields: { padding: 'x'.repeat(1400) },
  });
  const names: string[] = [];
  const record = (name: string) => {
    names.push(name);
    bench.record(name, () => undefined);
  };
  for (let i = 0; i < 12; i++) record(`full-${i}`);
  const whileFull = await flushFailures(bench);
  assert.ok(whileFull.length >= 2, `${whileFull.length} failures while the disk was full`);
  const partial = whileFull.filter((f) =>
    /bytes of the record had been written/.test(f.error.message),
  );
  assert.equal(partial.length, 1, 'exactly one record was cut short');
  assert.match(
    partial[0]!.error.message,
    /ENOSPC.*fragment stays in the file as one unreadable line/,
  );
  const [warning, ...more] = await warnings.take();
  assert.match(String(warning?.message), /failed to deliver a record: ENOSPC/);
  assert.deepEqual(more, []);

  rmSync(filler);
  for (let i = 0; i < 5; i++) record(`freed-${i}`);
  assert.deepEqual(await flushFailures(bench), []);
  await bench.close();

  const failed = new Set(whileFull.map((f) => String(f.record.function_name)));
  const lines = readFileSync(outfile, 'utf8').split('\n');
  assert.equal(lines.pop(), '', 'the file ends with a newline');
  const parsed: string[] = [];
  const unreadable: string[] = [];
  for (const line of lines) {
    try {
      parsed.push(String(JSON.parse(line).function_name));
    } catch {
      unreadable.push(line);
    }
  }
  const delivered = names.filter((name) => !failed.has(name));
  assert.deepEqual(parsed, delivered, 'every record reported delivered is a line that parses');
  assert.ok(delivered.includes('freed-0') && delivered.includes('full-0'));
  assert.equal(unreadable.length, 1, 'the fragment is one line of its own');
  assert.ok(unreadable[0]!.startsWith('{'), 'the fragment is the start of the record cut short');
  // The streaming reader skips the fragment, saying which line it was, and reads the rest.
  const problems: JsonLinesProblem[] = [];
  const read: string[] = [];
  for await (const entry of readJsonLines(outfile, { onProblem: (p) => problems.push(p) })) {
    read.push(String(entry.value.function_name));
  }
  assert.deepEqual(read, delivered);
  assert.deepEqual(
    problems.map((p) => p.line),
    [lines.indexOf(unreadable[0]!) + 1],
  );
});
