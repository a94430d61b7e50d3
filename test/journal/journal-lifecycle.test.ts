// The journal's life: written during a call with telemetry and an outfile (header with what the
// record knows, then samples), gone after a normal finish, absent when not asked for, and never
// in the way of the call itself.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { MicroBench } from '../../src/bench/micro-bench.js';
import { JOURNAL_DIR_NAME, journalDirFor } from '../../src/journal/journal.js';
import { pendingJournalFor } from '../../src/journal/pending.js';
import type { ProcessInfo } from '../../src/telemetry/process-info.js';
import { fixturePath, runTsChild } from '../helpers/node-child.js';
import { journalFiles, makeTempDir, readRecords, sleep, startCrashBench } from './_crash-child.js';

// A record as the JSON a bench journals it as.
const json = (record: unknown) => () => JSON.stringify(record);

const tmp = makeTempDir('mb-lifecycle-');
after(() => tmp.dispose());

const telemetry = (p: ProcessInfo) => ({ rss: p.memoryInfo().rss });

// Wait until `dir` holds no journal folder (the worker deletes journals just after delivery).
async function waitForNoJournalDir(dir: string): Promise<void> {
  for (let i = 0; i < 100 && existsSync(join(dir, JOURNAL_DIR_NAME)); i++) await sleep(20);
  assert.equal(
    existsSync(join(dir, JOURNAL_DIR_NAME)),
    false,
    `${JOURNAL_DIR_NAME} left in ${dir}`,
  );
}

test('a normal finish in a child process leaves no journal file and no journal folder', async () => {
  const outfile = join(tmp.path, 'child', 'quick.jsonl');
  const exit = await startCrashBench([outfile, 'quick']).exited;
  assert.equal(exit.code, 0, exit.stderr);
  const records = readRecords(outfile);
  assert.equal(records.length, 1);
  assert.equal(records[0]!.interrupted, undefined);
  assert.ok(records[0]!.telemetry.length >= 2);
  assert.deepEqual(readdirSync(join(tmp.path, 'child')), ['quick.jsonl']);
});

test('during an async call the journal holds the header (pid, fields, metadata) and samples', async () => {
  const dir = join(tmp.path, 'during');
  const outfile = join(dir, 'out.jsonl');
  class Bench extends MicroBench {
    captureOdd(record: Record<string, unknown>): void {
      record.callback = () => 1; // cannot be cloned to the sampler worker
      record.big = 2n ** 70n; // cannot be JSON.stringify'd
    }
  }
  const bench = new Bench({
    outfile,
    fields: { suite: 'lifecycle' },
    telemetry,
    telemetryInterval: 0.05,
  });
  let journal: string[] = [];
  const call = bench.wrap(async function during() {
    await sleep(400);
    const [file] = journalFiles(outfile);
    journal = file ? readFileSync(file, 'utf8').trim().split('\n') : [];
    return 'done';
  });
  assert.equal(await call(), 'done');
  await bench.close();
  assert.ok(journal.length >= 5, `journal lines: ${journal.length}`);
  const header = JSON.parse(journal[0]!);
  assert.equal(header.type, 'header');
  assert.equal(header.pid, process.pid);
  assert.equal(typeof header.pid_start_time, 'number');
  assert.equal(header.interval_ms, 50);
  assert.equal(header.timezone, 'UTC');
  assert.equal(header.record.suite, 'lifecycle');
  assert.equal(header.record.function_name, 'during');
  assert.equal(typeof header.record.node_version, 'string');
  assert.equal(header.record.callback, '__unencodable_as_json__');
  assert.notEqual(header.record.big, undefined);
  for (const line of journal.slice(1)) {
    const entry = JSON.parse(line);
    assert.equal(entry.type, 'sample');
    assert.ok(entry.sample.rss > 0);
  }
  const [record] = readRecords(outfile);
  assert.equal(record!.function_name, 'during');
  // One journal line per sample (a sample may have come after the journal was read).
  const journaled = journal.length - 1;
  assert.ok(
    record!.telemetry.length === journaled || record!.telemetry.length === journaled + 1,
    `${journaled} journaled, ${record!.telemetry.length} in the record`,
  );
  await waitForNoJournalDir(dir);
});

test('no journal without an outfile, or with journal: false', async () => {
  const dir = join(tmp.path, 'off');
  const outfile = join(dir, 'out.jsonl');
  const off = new MicroBench({ outfile, journal: false, telemetry, telemetryInterval: 0.05 });
  const memory = new MicroBench({ telemetry, telemetryInterval: 0.05 });
  const seen: boolean[] = [];
  const probe = async () => {
    await sleep(200);
    seen.push(existsSync(join(dir, JOURNAL_DIR_NAME)), existsSync(JOURNAL_DIR_NAME));
  };
  await off.wrap(probe)();
  await memory.wrap(probe)();
  await off.close();
  assert.deepEqual(seen, [false, false, false, false]);
  assert.equal(readRecords(outfile).length, 1);
});

test('a hung telemetry function: the record is written and its journal does not linger', async () => {
  const dir = join(tmp.path, 'hung');
  const outfile = join(dir, 'out.jsonl');
  const warnings: string[] = [];
  const onWarning = (w: Error) => warnings.push(w.message);
  process.on('warning', onWarning);
  const bench = new MicroBench({
    outfile,
    // Runs on the sampler thread: the third sample never returns.
    telemetry: (p: ProcessInfo) => {
      const g = globalThis as { hungCount?: number };
      g.hungCount = (g.hungCount ?? 0) + 1;
      if (g.hungCount >= 3) for (;;);
      return { rss: p.memoryInfo().rss };
    },
    telemetryInterval: 0.05,
    telemetryTimeout: 0.3,
  });
  await bench.wrap(() => sleep(300))();
  await bench.close();
  // Delivered at the stop, with the samples taken before the hang.
  assert.equal(readRecords(outfile).length, 1);
  assert.equal(readRecords(outfile)[0]!.telemetry.length, 2);
  // The hang is noticed once the stuck sample has run for telemetryTimeout; the worker is
  // replaced and the delivered record's journal, which it was to delete, goes too.
  for (let i = 0; i < 100 && !warnings.some((w) => /telemetryTimeout/.test(w)); i++)
    await sleep(50);
  process.off('warning', onWarning);
  assert.ok(
    warnings.some((w) => /telemetryTimeout/.test(w)),
    warnings.join('\n'),
  );
  await waitForNoJournalDir(dir);
});

test('a replaced recordOnExit stops its sampling and drops its journal; exit leaves none', async () => {
  const outfile = join(tmp.path, 'on-exit', 'out.jsonl');
  const exit = await startCrashBench([outfile, 'on-exit']).exited;
  assert.equal(exit.code, 0, exit.stderr);
  assert.match(exit.stdout, /journals 1\n/, 'only the second recordOnExit journals');
  const records = readRecords(outfile);
  assert.deepEqual(
    records.map((r) => r.function_name),
    ['second'],
  );
  assert.equal(existsSync(journalDirFor(outfile)), false);
  assert.equal(existsSync(join(tmp.path, 'on-exit', JOURNAL_DIR_NAME)), false);
});

test('benches journaling to one outfile share a pending journal: never closed, they hold one segment', {
  skip: process.platform !== 'linux' && 'counts /proc/self/fd',
}, async () => {
  const outfile = join(tmp.path, 'shared-pending', 'out.jsonl');
  // A sample that takes 20 ms: every call (a few µs) ends before its initial sample is in, so
  // every record goes through the pending journal.
  const slowTelemetry = () => {
    const end = Date.now() + 20;
    while (Date.now() < end);
    return { slow: 1 };
  };
  const make = () =>
    new MicroBench({
      outfile,
      telemetry: slowTelemetry,
      telemetryInterval: 1,
      defaultMixins: false,
    });
  // The first bench starts the sampler worker (and its /proc descriptors).
  const first = make();
  first.wrap((n: number) => n + 1)(0);
  await first.flush();
  const openDescriptors = () => readdirSync('/proc/self/fd').length;
  const before = openDescriptors();
  for (let i = 1; i <= 100; i++) {
    const bench = make();
    bench.wrap((n: number) => n + 1)(i);
    await bench.flush();
  }
  // One shared segment; a little slack for the sampler worker's own files (a call slowed past
  // 50 ms on a loaded machine gets a journal of its own until its stop is handled). Unshared,
  // the 100 benches held 200 descriptors.
  assert.ok(openDescriptors() - before <= 4, `${openDescriptors() - before} descriptors more`);
  assert.equal(journalFiles(outfile).length, 1, 'one shared pending segment, still open');
  const records = readRecords(outfile);
  assert.equal(records.length, 101);
  for (const record of records)
    assert.deepEqual(record.telemetry, [{ timestamp: record.telemetry[0].timestamp, slow: 1 }]);
});

// The shared pending journal for `<tmp>/<name>/out.jsonl`, and what its tests pass it.
function pendingIn(name: string) {
  const folder = join(tmp.path, name);
  const dir = journalDirFor(join(folder, 'out.jsonl'));
  const header = { outfile: join(folder, 'out.jsonl'), timezone: 'UTC' };
  const fail = (message: string) => assert.fail(message);
  return { folder, dir, header, journal: pendingJournalFor(dir, header), fail };
}

// The one segment file in `dir` (checked), headed by its header line, and its records.
function onlySegment(dir: string): { name: string; records: unknown[] } {
  const files = readdirSync(dir);
  assert.equal(files.length, 1);
  const lines = readFileSync(join(dir, files[0]!), 'utf8').trim().split('\n');
  assert.equal(JSON.parse(lines[0]!).type, 'header');
  return { name: files[0]!, records: lines.slice(1).map((line) => JSON.parse(line).record) };
}

test('a pending journal whose folder was deleted starts a new segment for the next record', () => {
  const { folder, dir, header, journal, fail } = pendingIn('pending-gone');
  journal.add(1_000_001, json({ function_name: 'first' }), fail);
  rmSync(folder, { recursive: true, force: true });
  const again = pendingJournalFor(dir, header);
  assert.equal(again, journal, 'one pending journal per folder, outfile and timezone');
  again.add(1_000_002, json({ function_name: 'second' }), fail);
  // The first record was still pending in the deleted file: it is written again before the new one.
  assert.deepEqual(onlySegment(dir).records, [
    { function_name: 'first' },
    { function_name: 'second' },
  ]);
  again.delivered(1_000_001);
  again.delivered(1_000_002);
  again.closeDelivered();
});

test('a pending journal whose folder was deleted with nothing pending: the next bench writes its record to a new file', () => {
  const { folder, dir, header, journal, fail } = pendingIn('pending-gone-delivered');
  journal.add(3_000_001, json({ function_name: 'first' }), fail);
  journal.delivered(3_000_001);
  rmSync(folder, { recursive: true, force: true });
  // A new bench checks the shared journal's file at its first record.
  pendingJournalFor(dir, header).add(3_000_002, json({ function_name: 'second' }), fail);
  const segment = onlySegment(dir);
  assert.deepEqual(segment.records, [{ function_name: 'second' }]);
  journal.delivered(3_000_002);
  journal.closeDelivered();
  assert.equal(existsSync(join(dir, segment.name)), false, 'the delivered segment is deleted');
});

test('a pending journal deleted mid-run is found within 256 records, and every record still pending is written again', () => {
  const { folder, dir, journal, fail } = pendingIn('pending-gone-mid-run');
  // The file is checked now and then, not at every record (one fstat each would cost more
  // than the write): the records added right after the deletion go to the deleted file...
  journal.add(2_000_000, json({ n: 0 }), fail);
  rmSync(folder, { recursive: true, force: true });
  for (let n = 1; n <= 300; n++) journal.add(2_000_000 + n, json({ n }), fail);
  // ...and the check finds it gone and writes them all again, with the one pending before it.
  const files = readdirSync(dir);
  assert.equal(files.length, 1);
  const records = readFileSync(join(dir, files[0]!), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => (JSON.parse(line) as { record: { n: number } }).record.n);
  assert.deepEqual(
    records,
    Array.from({ length: 301 }, (_, n) => n),
  );
  for (let n = 0; n <= 300; n++) journal.delivered(2_000_000 + n);
  journal.closeDelivered();
});

// Each process deletes the folders its last journal leaves empty, up to .microbench-journal/:
// beside another process journaling in the same results folder, one went between our mkdir of
// a folder and the next step about 3 % of the time, and that journal was skipped (a CLI run
// then warned and went on without crash safety).
test('processes journaling beside each other in one results folder never lose a journal to the other’s cleanup', async () => {
  const results = mkdtempSync(join(tmpdir(), 'mb-journal-churn-'));
  try {
    // Each makes 1,500 journals and churns on until the other has made its 1,500 too; the
    // old code lost ~1.6 % of them (57 of 3,466 in 2 s).
    const done = (name: string) => join(results, `${name}.done`);
    const runs = await Promise.all(
      [
        ['a', 'b'],
        ['b', 'a'],
      ].map(([name, peer]) =>
        runTsChild(
          fixturePath('journal-churn.ts'),
          [join(results, `${name}.jsonl`), '1500', done(name!), done(peer!)],
          { timeoutMs: 120_000 },
        ),
      ),
    );
    for (const run of runs) {
      assert.equal(run.code, 0, run.stderr);
      const { attempts, failed, messages } = JSON.parse(run.stdout) as {
        attempts: number;
        failed: number;
        messages: string[];
      };
      assert.ok(attempts >= 1500, `only ${attempts} journals made`);
      assert.equal(failed, 0, `${failed} of ${attempts} failed: ${messages.join('; ')}`);
    }
  } finally {
    rmSync(results, { recursive: true, force: true });
  }
});
