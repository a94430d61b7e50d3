// recoverJournals on journals written by hand: which journals count as dead, torn lines, pid
// reuse, other hosts, duplicates, dry runs, thinning, where records go.
import assert from 'node:assert/strict';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { JOURNAL_DIR_NAME, journalDirFor } from '../../src/journal/journal.js';
import { recoverJournals } from '../../src/journal/recover.js';
import { type JsonRecord, makeTempDir, readRecords } from './_crash-child.js';
import { DEAD_PID, type HandJournalSpec, OWN_START, T0, writeHandJournal } from './_journals.js';

const tmp = makeTempDir('mb-recover-');
after(() => tmp.dispose());
const writeJournal = (spec: HandJournalSpec = {}) => writeHandJournal(tmp.path, spec);

test('a dead process: one interrupted record with its samples, in the journal timezone', () => {
  const { outfile, journal } = writeJournal();
  const result = recoverJournals({ outfiles: [outfile] });
  assert.deepEqual(result.recovered, [
    { journal, outfile, functionName: 'work', samples: 3, finished: false },
  ]);
  const [record, ...rest] = readRecords(outfile);
  assert.equal(rest.length, 0);
  assert.equal(record!.label, 'hand-made');
  assert.equal(record!.interrupted, true);
  assert.deepEqual(record!.run_durations, []);
  assert.equal(record!.start_time, '2024-01-01T02:00:00.000250+02:00');
  assert.deepEqual(
    record!.telemetry.map((s: JsonRecord) => s.timestamp),
    [
      '2024-01-01T02:00:00.001000+02:00',
      '2024-01-01T02:00:00.101000+02:00',
      '2024-01-01T02:00:00.201000+02:00',
    ],
  );
  assert.equal(record!.finish_time, '2024-01-01T02:00:00.201000+02:00');
  assert.equal(existsSync(journal), false);
  assert.equal(existsSync(journalDirFor(outfile)), false);
});

test('a torn last line (the kill came mid-write) is ignored', () => {
  const { outfile } = writeJournal({ tail: '{"type":"sample","epoch_ms":17040672' });
  const result = recoverJournals({ outfiles: [outfile] });
  assert.equal(result.errors.length, 0);
  const [record] = readRecords(outfile);
  assert.equal(record!.telemetry.length, 3);
  assert.equal(record!.finish_time, record!.telemetry[2].timestamp);
});

test('pid reuse: a live pid with another start time is a dead journal; the right one is live', () => {
  const reused = writeJournal({ pid: process.pid, startTime: OWN_START + 1 });
  assert.equal(recoverJournals({ outfiles: [reused.outfile] }).recovered.length, 1);
  assert.equal(readRecords(reused.outfile).length, 1);

  const live = writeJournal({ pid: process.pid, startTime: OWN_START });
  const result = recoverJournals({ outfiles: [live.outfile] });
  assert.deepEqual(result.recovered, []);
  assert.equal(result.live.length, 1);
  assert.equal(result.live[0]!.journal, live.journal);
  assert.match(result.live[0]!.reason, new RegExp(`pid ${process.pid}\\) is still running`));
  assert.equal(existsSync(live.journal), true);
  assert.equal(existsSync(live.outfile), false);
});

test('isAlive can be injected', () => {
  const { outfile, journal } = writeJournal();
  const seen: [number, number | null][] = [];
  const live = recoverJournals({
    outfiles: [outfile],
    isAlive: (pid, start) => {
      seen.push([pid, start]);
      return true;
    },
  });
  assert.deepEqual(seen, [[DEAD_PID, 12345]]);
  assert.equal(live.live.length, 1);
  assert.equal(existsSync(journal), true);
  assert.equal(recoverJournals({ outfiles: [outfile], isAlive: () => false }).recovered.length, 1);
});

test('another host: left alone while the journal is fresh, recovered once it went stale', () => {
  const { outfile, journal } = writeJournal({
    pid: process.pid,
    startTime: OWN_START,
    host: 'node-a17',
  });
  const fresh = recoverJournals({ outfiles: [outfile] });
  assert.equal(fresh.recovered.length, 0);
  assert.match(fresh.live[0]!.reason, /on host node-a17/);
  // Untouched for two minutes: its sampler stopped writing, so its process is gone.
  const past = new Date(Date.now() - 120_000);
  utimesSync(journal, past, past);
  const stale = recoverJournals({ outfiles: [outfile] });
  assert.equal(stale.recovered.length, 1);
  assert.equal(readRecords(outfile)[0]!.interrupted, true);
});

test("another host's journal: the reason names the pid, the host and the seconds it must stay untouched", () => {
  // Three intervals of 30.5 s: 91.5 s, said as 92 s.
  const { outfile } = writeJournal({ pid: 4242, host: 'node-a17', intervalMs: 30_500 });
  const result = recoverJournals({ outfiles: [outfile] });
  assert.equal(
    result.live[0]?.reason,
    'written by pid 4242 on host node-a17 within the last 92 s; it counts as dead once untouched that long (3 sampling intervals, at least 60 s, at most 1 h)',
  );
});

test('a header without a hostname is judged by its pid, not by how recently it was written', () => {
  // Fresh, but its process is gone: dead.
  const fresh = writeJournal({ host: null });
  assert.equal(recoverJournals({ outfiles: [fresh.outfile] }).recovered.length, 1);
  // Untouched for two minutes, but its process still runs: live.
  const old = writeJournal({ pid: process.pid, startTime: OWN_START, host: null });
  const past = new Date(Date.now() - 120_000);
  utimesSync(old.journal, past, past);
  const result = recoverJournals({ outfiles: [old.outfile] });
  assert.deepEqual(result.recovered, []);
  assert.equal(result.live[0]?.reason, `its process (pid ${process.pid}) is still running`);
});

test('a journal without a readable header had nothing to recover: it is discarded', () => {
  const { outfile, journal } = writeJournal();
  writeFileSync(journal, '{"type":"head');
  const empty = join(journalDirFor(outfile), `${DEAD_PID}-2-${T0}.journal`);
  writeFileSync(empty, '');
  const result = recoverJournals({ outfiles: [outfile] });
  assert.equal(result.errors.length, 0);
  assert.deepEqual(
    result.discarded.map((d) => d.journal),
    [journal, empty],
  );
  assert.equal(existsSync(journal), false);
  assert.equal(existsSync(outfile), false);
  assert.equal(existsSync(journalDirFor(outfile)), false);
});

test('a finished call whose record was not yet written: the complete record, not interrupted', () => {
  const end = {
    label: 'hand-made',
    mb_run_id: 'run-1',
    function_name: 'work',
    telemetry: [],
    run_durations: [0.25],
    start_time: '2024-01-01T02:00:00.000300+02:00',
    finish_time: '2024-01-01T02:00:00.250300+02:00',
  };
  const { outfile } = writeJournal({ end });
  const result = recoverJournals({ outfiles: [outfile] });
  assert.equal(result.recovered[0]!.finished, true);
  const [record] = readRecords(outfile);
  const {
    telemetry_samples_due: due,
    telemetry_samples_taken: taken,
    telemetry_samples_missed: missed,
    telemetry_lateness_p95_ms: p95,
    telemetry_lateness_max_ms: max,
    ...rest
  } = record!;
  assert.deepEqual({ ...rest, telemetry: [] }, end);
  assert.equal(record!.telemetry.length, 3);
  // The account the live record would have had: 250 ms at 100 ms, three slots, all sampled.
  assert.deepEqual([due, taken, missed], [3, 3, 0]);
  assert.ok(max >= p95 && max < 100, `lateness ${p95} / ${max} ms`);
  assert.equal(record!.interrupted, undefined);
});

test('recovering twice adds nothing; a record already in the outfile is not added again', () => {
  const { outfile, journal } = writeJournal();
  const first = recoverJournals({ outfiles: [outfile] });
  assert.equal(first.recovered.length, 1);
  const second = recoverJournals({ outfiles: [outfile] });
  assert.deepEqual(second, { recovered: [], live: [], discarded: [], errors: [], skipped: [] });

  // A recoverer that died after appending but before deleting its claim.
  writeJournalAgain(journal, outfile);
  const claim = `${journal}.recovering-${DEAD_PID}`;
  renameSync(journal, claim);
  const third = recoverJournals({ outfiles: [outfile] });
  assert.equal(third.recovered.length, 0);
  assert.match(third.discarded[0]!.reason, /already in/);
  assert.equal(existsSync(claim), false);
  assert.equal(readRecords(outfile).length, 1);
});

// Rewrite the same journal that was recovered already (same run, function and start time).
function writeJournalAgain(journal: string, outfile: string): void {
  const again = writeJournal();
  mkdirSync(journalDirFor(outfile), { recursive: true });
  writeFileSync(journal, readFileSync(again.journal));
}

test('a claim left by a recoverer that died before appending is recovered', () => {
  const { outfile, journal } = writeJournal();
  const claim = `${journal}.recovering-${DEAD_PID}`;
  renameSync(journal, claim);
  const result = recoverJournals({ outfiles: [outfile] });
  assert.equal(result.recovered.length, 1);
  assert.equal(existsSync(claim), false);
  assert.equal(readRecords(outfile).length, 1);
});

test('dryRun reports without writing or deleting', () => {
  const { outfile, journal } = writeJournal();
  const result = recoverJournals({ outfiles: [outfile], dryRun: true });
  assert.equal(result.recovered.length, 1);
  assert.equal(existsSync(journal), true);
  assert.equal(existsSync(outfile), false);
});

test('telemetryMaxSamples thins the recovered samples, first and last kept, total recorded', () => {
  const { outfile } = writeJournal({ samples: 40, maxSamples: 5 });
  const result = recoverJournals({ outfiles: [outfile] });
  assert.equal(result.recovered[0]!.samples, 40);
  const [record] = readRecords(outfile);
  assert.equal(record!.telemetry.length, 5);
  assert.equal(record!.telemetry_samples_total, 40);
  assert.equal(record!.telemetry[0].rss, 0);
  assert.equal(record!.telemetry[4].rss, 39);
});

test('records go to the outfile the journal lies beside, whatever the header says', () => {
  // A process started elsewhere recorded a relative outfile path.
  const { outfile } = writeJournal({ headerOutfile: 'results/relative.jsonl' });
  const result = recoverJournals({ outfiles: [outfile] });
  assert.equal(result.recovered[0]!.outfile, outfile);
  assert.equal(readRecords(outfile).length, 1);
});

test('without outfiles, every journal under ./.microbench-journal/ is recovered', (t) => {
  const cwd = process.cwd();
  t.after(() => process.chdir(cwd));
  const root = join(tmp.path, 'cwd');
  const { outfile } = writeJournal({ root });
  const other = writeJournal({ root });
  process.chdir(root);
  const result = recoverJournals();
  assert.deepEqual(result.recovered.map((r) => r.outfile).sort(), [outfile, other.outfile].sort());
  assert.equal(
    readdirSync(root).includes(JOURNAL_DIR_NAME),
    false,
    'the emptied journal folder is removed',
  );
});
