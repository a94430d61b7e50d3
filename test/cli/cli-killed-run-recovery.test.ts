// A CLI run writing to an outfile is journaled: SIGKILL of microbench mid-run (a node failure, a
// scheduler's hard kill) leaves a journal that `microbench recover` turns into a record marked
// interrupted, with the samples taken; a run that ends leaves no journal behind.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { makeTempDir, parseRecords, readOnlyRecord, runCli, startCli } from '../helpers/cli.js';
import { findProcesses, killProcesses } from '../helpers/processes.js';

// The journal files under `root` (`.microbench-journal/`) that belong to the outfile `name`.
function journalsOf(root: string, name: string): string[] {
  if (!existsSync(root)) return [];
  return readdirSync(root, { recursive: true })
    .map(String)
    .filter((path) => path.endsWith('.journal') && path.split('/').includes(name))
    .map((path) => join(root, path));
}

// Wait (up to 20 s) until a journal of `name` holds at least `count` sample lines; fail if none does.
async function waitForJournaledSamples(root: string, name: string, count: number): Promise<void> {
  const deadline = Date.now() + 20_000;
  let most = 0;
  while (Date.now() < deadline) {
    for (const path of journalsOf(root, name)) {
      most = Math.max(most, readFileSync(path, 'utf8').split('"type":"sample"').length - 1);
    }
    if (most >= count) return;
    await sleep(100);
  }
  assert.fail(`no journal of ${name} under ${root} reached ${count} samples (most: ${most})`);
}

// SIGKILL the CLI and wait for it to exit. Its command, in its own process group, outlives it and
// holds the CLI's stdout open, so end the command too (`sleepArgv`) before reading the result.
async function killCli(cli: ReturnType<typeof startCli>, sleepArgv: readonly string[]) {
  const exited = once(cli.child, 'exit');
  cli.child.kill('SIGKILL');
  await exited;
  killProcesses(sleepArgv);
  return cli.result;
}

describe('CLI runs are journaled', {
  concurrency: 2,
  skip: process.platform !== 'linux' && 'needs Linux /proc',
}, () => {
  const tmp = makeTempDir();
  const journalRoot = join(tmp.path, '.microbench-journal');
  // Each test hangs its command in its own, uniquely named sleep, so that one test's clean-up
  // never ends the other's command (the tests run at once).
  const killedSleep = ['sleep', `39.${process.pid}1`];
  const partialSleep = ['sleep', `39.${process.pid}2`];
  const doneSleep = ['sleep', '0.2'];
  after(() => {
    killProcesses(killedSleep);
    killProcesses(partialSleep);
    tmp.dispose();
  });

  test('SIGKILL at 2.5 s of a 0.1 s-interval run: recover gives the interrupted record with its samples', async () => {
    const outfile = join(tmp.path, 'killed.jsonl');
    const args = ['-o', outfile, '--telemetry-interval', '0.1', '-n', '3', '--field', 'k=v'];
    const cli = startCli([...args, '--', 'sh', '-c', `echo ready; ${killedSleep.join(' ')}`]);
    await cli.waitForStdout('ready');
    await sleep(2500);
    // A loaded machine may fall behind the 0.1 s cadence: kill once 15 samples are journaled.
    await waitForJournaledSamples(journalRoot, 'killed.jsonl', 15);
    const killed = await killCli(cli, killedSleep);
    assert.equal(killed.signal, 'SIGKILL');
    assert.equal(existsSync(outfile) ? readFileSync(outfile, 'utf8') : '', '', 'no record yet');

    const recovered = await runCli(['recover', outfile], { cwd: tmp.path });
    assert.equal(recovered.code, 0, recovered.stderr);
    const record = readOnlyRecord(outfile);
    assert.equal(record.interrupted, true);
    assert.equal(record.invocation, 'CLI');
    assert.equal(record.k, 'v');
    assert.deepEqual(record.command, ['sh', '-c', `echo ready; ${killedSleep.join(' ')}`]);
    assert.equal(record.telemetry_scope, 'tree');
    // One started iteration: one list of samples, one duration, one (unknown) return code.
    assert.equal(record.telemetry.length, 1);
    assert.ok(record.telemetry[0].length >= 15, `${record.telemetry[0].length} samples`);
    assert.equal(record.run_durations.length, 1);
    assert.ok(record.run_durations[0] >= 1.5, `duration ${record.run_durations[0]}`);
    assert.deepEqual(record.returncode, [null]);
    for (const sample of record.telemetry[0]) assert.equal(typeof sample.rss_bytes, 'number');
    // The samples' account, up to the last sample: due = taken + missed, as a live record says.
    assert.equal(record.telemetry_samples_taken[0], record.telemetry[0].length);
    assert.equal(
      record.telemetry_samples_due[0],
      record.telemetry_samples_taken[0] + record.telemetry_samples_missed[0],
    );
    assert.ok(record.telemetry_samples_due[0] >= 15);
    assert.equal(typeof record.telemetry_lateness_p95_ms[0], 'number');
    assert.ok(record.finish_time > record.start_time);
    // The recovered journal itself is gone (the other test's journal may still live beside it).
    assert.deepEqual(journalsOf(journalRoot, 'killed.jsonl'), [], 'journal deleted');
  });

  test('finished iterations keep their durations and return codes in a recovered record', async () => {
    const outfile = join(tmp.path, 'partial.jsonl');
    const marker = join(tmp.path, 'second-started');
    // The first iteration exits 3 at once; the second creates the marker, then hangs.
    const script = `if [ -e ${marker} ]; then ${partialSleep.join(' ')}; fi; touch ${marker}; exit 3`;
    const cli = startCli(['-o', outfile, '--no-mixin', '-n', '2', '--', 'sh', '-c', script]);
    while (!existsSync(marker)) await sleep(50);
    await sleep(300);
    await killCli(cli, partialSleep);
    assert.equal(journalsOf(journalRoot, 'partial.jsonl').length, 1, 'a journal left behind');
    const recovered = await runCli(['recover', outfile], { cwd: tmp.path });
    assert.equal(recovered.code, 0, recovered.stderr);
    const record = readOnlyRecord(outfile);
    assert.equal(record.interrupted, true);
    assert.deepEqual(record.returncode, [3, null]);
    assert.equal(record.run_durations.length, 2);
    assert.equal('telemetry' in record, false, 'no telemetry without an interval');
  });

  test('a run that ends delivers its record and leaves no journal', async () => {
    const outfile = join(tmp.path, 'done.jsonl');
    const result = await runCli([
      '-o',
      outfile,
      '--no-mixin',
      '--telemetry-interval',
      '0.05',
      '--',
      ...doneSleep,
    ]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(parseRecords(readFileSync(outfile, 'utf8')).length, 1);
    assert.deepEqual(journalsOf(journalRoot, 'done.jsonl'), [], 'no journal left behind');
    assert.equal(existsSync(join(journalRoot, `user-${process.getuid!()}`, 'done.jsonl')), false);
    assert.deepEqual(findProcesses(doneSleep), []);
  });
});
