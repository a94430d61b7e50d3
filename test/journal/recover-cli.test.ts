// `microbench recover` end to end: the built CLI (dist/) run as a subprocess.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { journalDirFor } from '../../src/journal/journal.js';
import { ensureBuilt, runCli } from '../helpers/cli.js';
import {
  journalFiles,
  makeTempDir,
  readRecords,
  startCrashBench,
  waitForJournalSamples,
} from './_crash-child.js';
import { OWN_START, writeHandJournal } from './_journals.js';

const tmp = makeTempDir('mb-recover-cli-');
before(() => ensureBuilt());
after(() => tmp.dispose());

test('microbench recover OUTFILE appends the record once, then has nothing to do', async () => {
  const { outfile, journal } = writeHandJournal(tmp.path);
  const first = await runCli(['recover', outfile]);
  assert.equal(first.code, 0, first.stderr);
  assert.equal(first.stdout, `recovered work (interrupted, 3 samples) -> ${outfile}\n`);
  assert.equal(existsSync(journal), false);
  const records = readRecords(outfile);
  assert.equal(records.length, 1);
  assert.equal(records[0]!.interrupted, true);

  const second = await runCli(['recover', outfile]);
  assert.equal(second.code, 0);
  assert.equal(second.stdout, 'No interrupted runs to recover.\n');
  assert.equal(readRecords(outfile).length, 1);
});

test('--dry-run lists what it would recover and changes nothing', async () => {
  const { outfile, journal } = writeHandJournal(tmp.path);
  const result = await runCli(['recover', '--dry-run', outfile]);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /^would recover work \(interrupted, 3 samples\) -> /);
  assert.equal(existsSync(journal), true);
  assert.equal(existsSync(outfile), false);
});

test("a running process's journal is left alone and said so on stderr", async () => {
  const { outfile, journal } = writeHandJournal(tmp.path, {
    pid: process.pid,
    startTime: OWN_START,
  });
  const result = await runCli(['recover', outfile]);
  assert.equal(result.code, 0);
  assert.match(result.stderr, /left alone .*: its process \(pid \d+\) is still running/);
  assert.equal(result.stdout, 'Nothing to recover now: 1 journal belongs to running processes.\n');
  assert.equal(existsSync(journal), true);
});

test('without OUTFILE it recovers every journal under ./.microbench-journal/', async () => {
  const cwd = join(tmp.path, 'cwd');
  mkdirSync(cwd);
  const a = writeHandJournal(tmp.path, { root: cwd });
  const b = writeHandJournal(tmp.path, { root: cwd });
  const result = await runCli(['recover'], { cwd });
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout.match(/^recovered /gm)?.length, 2, result.stdout);
  assert.equal(readRecords(a.outfile).length, 1);
  assert.equal(readRecords(b.outfile).length, 1);
});

test('a real run killed with SIGKILL, recovered with the CLI', async () => {
  const outfile = join(tmp.path, 'killed.jsonl');
  const child = startCrashBench([outfile, 'sync', '30', '0.1']);
  await child.waitForStdout('running');
  await waitForJournalSamples(outfile, 11);
  const exit = await child.killAndTime('SIGKILL');
  assert.equal(exit.signal, 'SIGKILL');
  const result = await runCli(['recover', outfile]);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /^recovered busyLoop \(interrupted, \d+ samples\) -> /);
  const [record] = readRecords(outfile);
  assert.equal(record!.interrupted, true);
  assert.ok(record!.telemetry.length >= 10);
  assert.deepEqual(journalFiles(outfile), []);
  assert.equal(existsSync(journalDirFor(outfile)), false);
});
