// The pending journal on its own (src/journal/pending.ts), on real files: what its header says,
// segments of 512 lines started over once nothing in them is pending or, past 2048, left
// behind, the file-gone check by record count and by time, every pending record of every lost
// segment written again, and one error then silence.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { journalDirFor } from '../../src/journal/journal.js';
import { PendingJournal, pendingJournalFor } from '../../src/journal/pending.js';
import { makeTempDir } from './_crash-child.js';

// A record as the JSON a bench journals it as.
const json = (record: unknown) => () => JSON.stringify(record);

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const tmp = makeTempDir('mb-pending-');
after(() => tmp.dispose());

const fail = (message: string) => assert.fail(message);

function setup(name: string) {
  const outfile = join(tmp.path, name, 'out.jsonl');
  const dir = journalDirFor(outfile);
  return { outfile, dir, folder: join(tmp.path, name) };
}

/** Each journal file of `dir` (sorted by name) as its parsed lines. */
function files(dir: string): { name: string; lines: Record<string, unknown>[] }[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .sort()
    .map((name) => ({
      name,
      lines: readFileSync(join(dir, name), 'utf8')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as Record<string, unknown>),
    }));
}

const sids = (lines: Record<string, unknown>[]) =>
  lines.filter((l) => l.type === 'record').map((l) => l.sid as number);

test('the header names the process, host, outfile, timezone and layout; a record line holds sid and record', () => {
  const { outfile, dir } = setup('header');
  const journal = new PendingJournal(dir, { outfile, timezone: 'Europe/Berlin' });
  journal.add(7, json({ function_name: 'f', n: 1 }), fail);
  const [file] = files(dir);
  assert.ok(file);
  assert.match(file.name, new RegExp(`^${process.pid}-7-\\d+-`));
  const [header, record] = file.lines;
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const startTicks = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
  assert.deepEqual(
    { ...header, anchor_epoch_ms: undefined },
    {
      type: 'header',
      kind: 'pending',
      format: 1,
      pid: process.pid,
      pid_start_time: startTicks,
      hostname: hostname(),
      outfile,
      timezone: 'Europe/Berlin',
      anchor_epoch_ms: undefined,
      record_format: 'v1',
    },
  );
  assert.ok(Math.abs((header!.anchor_epoch_ms as number) - Date.now()) < 60_000);
  assert.deepEqual(record, { type: 'record', sid: 7, record: { function_name: 'f', n: 1 } });
  journal.delivered(7);
  journal.closeDelivered();
  assert.deepEqual(files(dir), [], 'closeDelivered deletes a segment with nothing pending');

  const v2 = new PendingJournal(dir, { outfile, timezone: 'UTC', recordFormat: 'v2' });
  v2.add(8, json({ x: 1 }), fail);
  assert.equal(files(dir)[0]!.lines[0]!.record_format, 'v2');
  v2.add(9, json({ x: 2 }), fail);
  v2.delivered(8);
  v2.closeDelivered();
  assert.equal(files(dir).length, 1, 'closeDelivered keeps a segment still holding a record');
  v2.delivered(9);
  v2.closeDelivered();
  assert.deepEqual(files(dir), []);
});

test('a full segment of 512 records, all delivered, starts over from its header', () => {
  const { outfile, dir } = setup('start-over');
  const journal = new PendingJournal(dir, { outfile, timezone: 'UTC' });
  for (let sid = 1; sid <= 512; sid++) {
    journal.add(sid, json({ sid }), fail);
    journal.delivered(sid);
  }
  const [full] = files(dir);
  assert.equal(full!.lines.length, 513, '512 records, not started over before');
  journal.add(513, json({ sid: 513 }), fail);
  const [again] = files(dir);
  assert.equal(again!.name, full!.name, 'the same file');
  assert.deepEqual(
    again!.lines.map((l) => l.type),
    ['header', 'record'],
  );
  assert.deepEqual(sids(again!.lines), [513]);
  journal.delivered(513);
  journal.closeDelivered();
});

test('a full segment still holding records takes more, and starts over once they are delivered', () => {
  const { outfile, dir } = setup('in-flight');
  const journal = new PendingJournal(dir, { outfile, timezone: 'UTC' });
  // A loop of short calls: each record is delivered two calls after it was journaled.
  for (let sid = 1; sid <= 600; sid++) {
    journal.add(sid, json({ sid }), fail);
    if (sid > 2) journal.delivered(sid - 2);
  }
  const [only, extra] = files(dir);
  assert.equal(extra, undefined, 'one file: no fresh segment while records are in flight');
  assert.equal(only!.lines.length, 601);
  journal.delivered(599);
  journal.delivered(600);
  journal.add(601, json({ sid: 601 }), fail);
  const [again] = files(dir);
  assert.equal(again!.name, only!.name, 'the same file, started over');
  assert.deepEqual(sids(again!.lines), [601]);
  journal.delivered(601);
  journal.closeDelivered();
});

// A segment held by a record that stays pending (its sample never comes): 4 × 512 lines.
const SEGMENT_MAX_LINES = 2048;

test('a segment held past its limit by a pending record is left for a new one, and deleted with its last record', () => {
  const { outfile, dir } = setup('left-behind');
  const journal = new PendingJournal(dir, { outfile, timezone: 'UTC' });
  for (let sid = 1; sid <= SEGMENT_MAX_LINES; sid++) {
    journal.add(sid, json({ sid }), fail);
    if (sid !== 100) journal.delivered(sid);
  }
  assert.equal(files(dir).length, 1, 'up to the limit, one file');
  const next = SEGMENT_MAX_LINES + 1;
  journal.add(next, json({ sid: next }), fail);
  const both = files(dir);
  assert.equal(both.length, 2, both.map((f) => f.name).join(' '));
  assert.equal(both.find((f) => sids(f.lines).includes(100))!.lines.length, SEGMENT_MAX_LINES + 1);
  assert.deepEqual(sids(both.find((f) => sids(f.lines).includes(next))!.lines), [next]);
  journal.delivered(99_999); // unknown: nothing happens
  journal.delivered(100);
  const left = files(dir);
  assert.equal(left.length, 1, 'the full one goes with its last record');
  assert.deepEqual(sids(left[0]!.lines), [next]);
  journal.delivered(next);
  assert.equal(files(dir).length, 1, 'the current segment stays until closed');
  journal.closeDelivered();
});

test('a deleted file is found by time too: the first record 100 ms later writes the pending ones again', async () => {
  const { outfile, dir, folder } = setup('gone-by-time');
  const journal = new PendingJournal(dir, { outfile, timezone: 'UTC' });
  journal.add(1, json({ sid: 1 }), fail);
  journal.add(2, json({ sid: 2 }), fail);
  journal.delivered(1);
  rmSync(folder, { recursive: true, force: true });
  await sleep(250);
  journal.add(3, json({ sid: 3 }), fail);
  const [file, extra] = files(dir);
  assert.equal(extra, undefined);
  assert.deepEqual(sids(file!.lines), [2, 3], 'the one still pending, then the new one');
  assert.equal(file!.lines[0]!.type, 'header');
  assert.match(file!.name, new RegExp(`^${process.pid}-3-`), 'named for the record that found it');
  for (const sid of [2, 3]) journal.delivered(sid);
  journal.closeDelivered();
});

test('the check moves the pending records of every segment whose file went, not only the current one', () => {
  const { outfile, dir, folder } = setup('gone-both');
  const journal = new PendingJournal(dir, { outfile, timezone: 'UTC' });
  // A full segment left behind with sid 5 pending, and a current one with 3000 pending.
  for (let sid = 1; sid <= SEGMENT_MAX_LINES; sid++) {
    journal.add(sid, json({ sid }), fail);
    if (sid !== 5) journal.delivered(sid);
  }
  journal.add(3000, json({ sid: 3000 }), fail);
  assert.equal(files(dir).length, 2);
  rmSync(folder, { recursive: true, force: true });
  for (let sid = 3001; sid <= 3300; sid++) journal.add(sid, json({ sid }), fail);
  const [file, extra] = files(dir);
  assert.equal(extra, undefined);
  const got = sids(file!.lines).sort((a, b) => a - b);
  assert.deepEqual(got.slice(0, 2), [5, 3000]);
  // Records added after the check are in it; those added between the deletion and the check were
  // pending and are written again: every one from 3001 on, once.
  assert.deepEqual(
    got.slice(2),
    Array.from({ length: 300 }, (_, i) => 3001 + i),
  );
  for (const sid of got) journal.delivered(sid);
  assert.equal(files(dir).length, 1, 'delivering the moved records leaves the current file alone');
  journal.closeDelivered();
  assert.deepEqual(files(dir), []);
});

test('a journal that cannot be written reports once, then skips every record', () => {
  const blocker = join(tmp.path, 'not-a-folder');
  writeFileSync(blocker, 'a file where the journal folder would go');
  const journal = new PendingJournal(join(blocker, 'journal'), {
    outfile: undefined,
    timezone: 'UTC',
  });
  const errors: string[] = [];
  for (let sid = 1; sid <= 3; sid++) journal.add(sid, json({ sid }), (m) => errors.push(m));
  assert.equal(errors.length, 1, errors.join('\n'));
  assert.match(errors[0]!, /not-a-folder is not a folder/);
});

test('pendingJournalFor shares one journal per folder, outfile, timezone and layout', () => {
  const { outfile, dir } = setup('shared');
  const one = pendingJournalFor(dir, { outfile, timezone: 'UTC' });
  assert.equal(pendingJournalFor(dir, { outfile, timezone: 'UTC' }), one);
  assert.equal(pendingJournalFor(dir, { outfile, timezone: 'UTC', recordFormat: 'v1' }), one);
  assert.notEqual(pendingJournalFor(dir, { outfile, timezone: 'Asia/Tokyo' }), one);
  assert.notEqual(pendingJournalFor(dir, { outfile, timezone: 'UTC', recordFormat: 'v2' }), one);
  assert.notEqual(pendingJournalFor(dir, { outfile: `${outfile}.2`, timezone: 'UTC' }), one);
  assert.notEqual(pendingJournalFor(`${dir}-2`, { outfile, timezone: 'UTC' }), one);
});

test('a folder deleted between benches: a segment with nothing pending is forgotten, the next record starts a new file', () => {
  const { outfile, dir, folder } = setup('forget');
  const journal = pendingJournalFor(dir, { outfile, timezone: 'UTC' });
  journal.add(1, json({ sid: 1 }), fail);
  journal.delivered(1);
  rmSync(folder, { recursive: true, force: true });
  assert.equal(pendingJournalFor(dir, { outfile, timezone: 'UTC' }), journal);
  journal.add(2, json({ sid: 2 }), fail);
  const [file] = files(dir);
  assert.deepEqual(sids(file!.lines), [2], 'the delivered record is not written again');
  assert.match(file!.name, new RegExp(`^${process.pid}-2-`));
  journal.delivered(2);
  journal.closeDelivered();
});

// The descriptors this process holds open on files of `dir`.
function fdsInto(dir: string): number {
  let n = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`).startsWith(dir)) n++;
    } catch {
      // readdir's own descriptor, closed already
    }
  }
  return n;
}

test('an encode that throws is reported once, like a write that fails, and writes no line', () => {
  const { outfile, dir } = setup('encode-throws');
  const journal = new PendingJournal(dir, { outfile, timezone: 'UTC' });
  journal.add(1, json({ sid: 1 }), fail);
  const errors: string[] = [];
  const throwing = () => {
    throw new Error('a getter threw');
  };
  journal.add(2, throwing, (m) => errors.push(m));
  journal.add(3, json({ sid: 3 }), (m) => errors.push(m));
  assert.deepEqual(errors, ['a getter threw']);
  assert.deepEqual(sids(files(dir)[0]!.lines), [1]);
  journal.delivered(1);
  journal.closeDelivered();
});

test('the deleted file is found by the 256th record after its segment started, at the latest', () => {
  const { outfile, dir, folder } = setup('gone-256');
  const journal = new PendingJournal(dir, { outfile, timezone: 'UTC' });
  journal.add(1, json({ sid: 1 }), fail);
  rmSync(folder, { recursive: true, force: true });
  for (let sid = 2; sid <= 257; sid++) journal.add(sid, json({ sid }), fail);
  const [file] = files(dir);
  assert.ok(file, 'a new segment by the 256th record after the first');
  assert.equal(sids(file.lines).length, 257);
  for (let sid = 1; sid <= 257; sid++) journal.delivered(sid);
  journal.closeDelivered();
});

test('the lost segment is closed, a new one opened in its place: no descriptor kept on a deleted file', () => {
  const { outfile, dir, folder } = setup('gone-fds');
  const journal = new PendingJournal(dir, { outfile, timezone: 'UTC' });
  journal.add(1, json({ sid: 1 }), fail);
  journal.delivered(1);
  assert.equal(fdsInto(dir), 1);
  rmSync(folder, { recursive: true, force: true });
  // Checked at the next record, while the lost segment holds nothing pending.
  journal.checkSoon();
  for (let sid = 2; sid <= 300; sid++) journal.add(sid, json({ sid }), fail);
  assert.equal(files(dir).length, 1);
  assert.equal(fdsInto(dir), 1, 'only the new segment is open');
  for (let sid = 2; sid <= 300; sid++) journal.delivered(sid);
  journal.closeDelivered();
  assert.equal(fdsInto(dir), 0);
});

test('only segments whose file went are moved: one still on disk keeps its records and goes once delivered', () => {
  const { outfile, dir } = setup('gone-one');
  const journal = new PendingJournal(dir, { outfile, timezone: 'UTC' });
  for (let sid = 1; sid <= SEGMENT_MAX_LINES; sid++) {
    journal.add(sid, json({ sid }), fail);
    if (sid !== 5) journal.delivered(sid);
  }
  journal.add(3000, json({ sid: 3000 }), fail);
  const [left, current] = [...files(dir)].sort((a, b) => b.lines.length - a.lines.length);
  assert.equal(left!.lines.length, SEGMENT_MAX_LINES + 1);
  // Only the current segment's file goes (not the folder).
  unlinkSync(join(dir, current!.name));
  for (let sid = 3001; sid <= 3300; sid++) journal.add(sid, json({ sid }), fail);
  const now = files(dir);
  assert.equal(now.length, 2, now.map((f) => f.name).join(' '));
  assert.ok(
    now.some((f) => f.name === left!.name && f.lines.length === SEGMENT_MAX_LINES + 1),
    'left as it was',
  );
  const fresh = now.find((f) => f.name !== left!.name)!;
  assert.equal(sids(fresh.lines).includes(5), false, 'its record was not moved');
  journal.delivered(5);
  assert.deepEqual(
    files(dir).map((f) => f.name),
    [fresh.name],
    'the left segment goes with its last record',
  );
  for (let sid = 3000; sid <= 3300; sid++) journal.delivered(sid);
  journal.closeDelivered();
  assert.deepEqual(files(dir), []);
});

test('records written again count toward the 512 lines of the new segment', () => {
  const { outfile, dir, folder } = setup('gone-count');
  const journal = new PendingJournal(dir, { outfile, timezone: 'UTC' });
  journal.add(0, json({ sid: 0 }), fail);
  rmSync(folder, { recursive: true, force: true });
  for (let sid = 1; sid <= 300; sid++) journal.add(sid, json({ sid }), fail);
  for (let sid = 0; sid <= 300; sid++) journal.delivered(sid);
  assert.equal(files(dir)[0]!.lines.length, 302, 'header and 301 records');
  for (let sid = 301; sid <= 511; sid++) {
    journal.add(sid, json({ sid }), fail);
    journal.delivered(sid);
  }
  assert.equal(files(dir)[0]!.lines.length, 513, 'full: 512 records');
  journal.add(512, json({ sid: 512 }), fail);
  assert.deepEqual(sids(files(dir)[0]!.lines), [512], 'started over at 512 lines');
  journal.delivered(512);
  journal.closeDelivered();
});

test("a delivered segment whose file went is not removed by name: the name may be someone else's now", () => {
  const { outfile, dir } = setup('not-by-name');
  const journal = new PendingJournal(dir, { outfile, timezone: 'UTC' });
  journal.add(1, json({ sid: 1 }), fail);
  journal.delivered(1);
  const [file] = files(dir);
  unlinkSync(join(dir, file!.name));
  writeFileSync(join(dir, file!.name), 'another writer\n');
  journal.closeDelivered();
  assert.equal(readFileSync(join(dir, file!.name), 'utf8'), 'another writer\n');
});

test('at process exit the segments with nothing pending are deleted, those holding a record kept', () => {
  const { outfile, dir } = setup('at-exit');
  const script = `
    import { PendingJournal } from ${JSON.stringify(join(ROOT, 'src/journal/pending.ts'))};
    const done = new PendingJournal(${JSON.stringify(`${dir}-done`)}, { outfile: ${JSON.stringify(outfile)}, timezone: 'UTC' });
    done.add(1, () => JSON.stringify({ sid: 1 }), () => {});
    done.delivered(1);
    const held = new PendingJournal(${JSON.stringify(dir)}, { outfile: ${JSON.stringify(outfile)}, timezone: 'UTC' });
    held.add(2, () => JSON.stringify({ sid: 2 }), () => {});`;
  const run = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '-e', script],
    { encoding: 'utf8', cwd: ROOT },
  );
  assert.equal(run.status, 0, run.stderr);
  assert.deepEqual(files(`${dir}-done`), [], 'the delivered one is gone');
  assert.deepEqual(sids(files(dir)[0]!.lines), [2], 'the pending one stays for recover');
});
