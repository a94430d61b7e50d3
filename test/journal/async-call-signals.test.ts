// Signals during benchmarked calls in a real child process: an async call catches SIGINT/SIGTERM,
// writes its record (`interrupted: "<SIGNAL>"`) and dies of the signal (shell status 130/143);
// a sync call gets no handler and dies at once; a program's own listeners still decide.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { JOURNAL_DIR_NAME } from '../../src/journal/journal.js';
import {
  journalFiles,
  makeTempDir,
  readRecords,
  sleep,
  startCrashBench,
  waitForJournalSamples,
} from './_crash-child.js';

const tmp = makeTempDir();
after(() => tmp.dispose());

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  test(`${signal} during an async call writes the record and the process dies of ${signal}`, async (t) => {
    const outfile = join(tmp.path, `async-${signal}.jsonl`);
    const child = startCrashBench([outfile, 'async', '30', '0.1']);
    await child.waitForStdout('running');
    await waitForJournalSamples(outfile, 5);
    const exit = await child.killAndTime(signal);
    t.diagnostic(`${signal} -> exit in ${exit.exitMs.toFixed(0)} ms`);
    // Re-raised with the default action: Node sees signalCode = the signal, code null; a shell
    // shows 128 + signo (130 for SIGINT, 143 for SIGTERM).
    assert.equal(exit.signal, signal, `code ${exit.code}, stderr: ${exit.stderr}`);
    assert.equal(exit.code, null);
    assert.ok(exit.exitMs < 3000, `exited ${exit.exitMs.toFixed(0)} ms after ${signal}`);
    const records = readRecords(outfile);
    assert.equal(records.length, 1);
    const [record] = records;
    assert.equal(record!.interrupted, signal);
    assert.equal(record!.function_name, 'sleeper');
    assert.equal(record!.experiment, 'crash-safety');
    assert.ok(record!.telemetry.length >= 5, `${record!.telemetry.length} samples`);
    assert.equal(record!.run_durations.length, 0, 'the interrupted iteration has no duration');
    // The record was written in-process: nothing is left to recover.
    assert.deepEqual(journalFiles(outfile), []);
    assert.equal(existsSync(join(tmp.path, JOURNAL_DIR_NAME)), false);
  });
}

test('SIGINT during a synchronous call (no handler) stops it at once, journal kept', async (t) => {
  const outfile = join(tmp.path, 'sync-sigint.jsonl');
  const child = startCrashBench([outfile, 'sync', '30', '0.1']);
  await child.waitForStdout('running');
  await waitForJournalSamples(outfile, 3);
  const exit = await child.killAndTime('SIGINT');
  t.diagnostic(`SIGINT -> exit in ${exit.exitMs.toFixed(0)} ms`);
  assert.equal(exit.signal, 'SIGINT');
  assert.ok(exit.exitMs < 3000, `exited ${exit.exitMs.toFixed(0)} ms after SIGINT`);
  assert.equal(existsSync(outfile), false);
  assert.equal(journalFiles(outfile).length, 1);
});

test("a program's own SIGINT listener gets the signal once, and the record is still written", async () => {
  const outfile = join(tmp.path, 'user-listener.jsonl');
  const child = startCrashBench([outfile, 'async', '2', '0.1'], { MB_TEST_USER_SIGINT: '1' });
  await child.waitForStdout('running');
  await waitForJournalSamples(outfile, 3);
  child.child.kill('SIGINT');
  const exit = await child.exited;
  // Without microbench this program survives one Ctrl-C; so it must with microbench.
  assert.equal(exit.stdout.match(/user SIGINT/g)?.length, 1, exit.stdout);
  assert.equal(exit.code, 0, exit.stderr);
  assert.match(exit.stdout, /finished/);
  const records = readRecords(outfile);
  assert.equal(records.length, 1);
  assert.equal(records[0]!.interrupted, 'SIGINT');
});

test('a signal arriving while an async call runs synchronous code is not swallowed', async () => {
  // The signal reaches JavaScript only when the busy loop yields and the event loop polls; by
  // then the call has ended and unregistered its handler. It must still kill the process (late:
  // a handler cannot run while synchronous code blocks the main thread), not be dropped.
  const outfile = join(tmp.path, 'async-spin.jsonl');
  const child = startCrashBench([outfile, 'async-spin', '1.5', '0.1']);
  await child.waitForStdout('running');
  await sleep(200);
  const exit = await child.killAndTime('SIGINT');
  assert.equal(exit.signal, 'SIGINT', `code ${exit.code}; stdout: ${exit.stdout}`);
  assert.equal(readRecords(outfile).length, 1, 'the record of the finished call');
});

test('handleSignals: false leaves SIGTERM alone: the process dies, the journal remains', async () => {
  const outfile = join(tmp.path, 'no-handlers.jsonl');
  const child = startCrashBench([outfile, 'async', '30', '0.1'], { MB_TEST_HANDLE_SIGNALS: '0' });
  await child.waitForStdout('running');
  await waitForJournalSamples(outfile, 3);
  const exit = await child.killAndTime('SIGTERM');
  assert.equal(exit.signal, 'SIGTERM');
  assert.equal(existsSync(outfile), false);
  assert.equal(journalFiles(outfile).length, 1);
});
