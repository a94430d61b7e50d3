// A CLI run writing to an outfile is journaled: SIGKILL of microbench mid-run (a node failure, a
// scheduler's hard kill) leaves a journal that `microbench recover` turns into a record marked
// interrupted, with the samples taken; a run that ends leaves no journal behind.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { makeTempDir, parseRecords, readOnlyRecord, runCli, startCli } from '../helpers/cli.js';
import { findProcesses, killProcesses } from '../helpers/processes.js';

// Wait (up to 20 s) until the journal folder holds a file with at least `count` sample lines.
async function waitForJournaledSamples(dir: string, count: number): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const names = existsSync(dir) ? readdirSync(dir) : [];
    const lines = names.map(
      (name) => readFileSync(join(dir, name), 'utf8').split('"type":"sample"').length - 1,
    );
    if (lines.some((n) => n >= count)) return;
    await sleep(100);
  }
}

describe('CLI runs are journaled', {
  concurrency: 2,
  skip: process.platform !== 'linux' && 'needs Linux /proc',
}, () => {
  const tmp = makeTempDir();
  const sleepArgv = ['sleep', `39.${process.pid}`];
  after(() => {
    killProcesses(sleepArgv);
    tmp.dispose();
  });

  test('SIGKILL at 2.5 s of a 0.1 s-interval run: recover gives the interrupted record with its samples', async () => {
    const outfile = join(tmp.path, 'killed.jsonl');
    const args = ['-o', outfile, '--telemetry-interval', '0.1', '-n', '3', '--field', 'k=v'];
    const cli = startCli([...args, '--', 'sh', '-c', `echo ready; ${sleepArgv.join(' ')}`]);
    await cli.waitForStdout('ready');
    await sleep(2500);
    // A loaded machine may fall behind the 0.1 s cadence: kill once 15 samples are journaled.
    await waitForJournaledSamples(join(tmp.path, '.microbench-journal', 'killed.jsonl'), 15);
    cli.child.kill('SIGKILL');
    await cli.result;
    // The command (in its own process group) outlives a SIGKILLed microbench: end it here.
    killProcesses(sleepArgv);
    assert.equal(existsSync(outfile) ? readFileSync(outfile, 'utf8') : '', '', 'no record yet');

    const recovered = await runCli(['recover', outfile], { cwd: tmp.path });
    assert.equal(recovered.code, 0, recovered.stderr);
    const record = readOnlyRecord(outfile);
    assert.equal(record.interrupted, true);
    assert.equal(record.invocation, 'CLI');
    assert.equal(record.k, 'v');
    assert.deepEqual(record.command, ['sh', '-c', `echo ready; ${sleepArgv.join(' ')}`]);
    assert.equal(record.telemetry_scope, 'tree');
    // One started iteration: one list of samples, one duration, one (unknown) return code.
    assert.equal(record.telemetry.length, 1);
    assert.ok(record.telemetry[0].length >= 15, `${record.telemetry[0].length} samples`);
    assert.equal(record.run_durations.length, 1);
    assert.ok(record.run_durations[0] >= 1.5, `duration ${record.run_durations[0]}`);
    assert.deepEqual(record.returncode, [null]);
    for (const sample of record.telemetry[0]) assert.equal(typeof sample.rss_bytes, 'number');
    assert.ok(record.finish_time > record.start_time);
    // The recovered journal itself is gone (its folders may stay while another journal lives there).
    const journalRoot = join(tmp.path, '.microbench-journal');
    assert.equal(
      (existsSync(journalRoot) ? readdirSync(journalRoot, { recursive: true }) : []).filter((n) =>
        String(n).endsWith('.journal'),
      ).length,
      0,
      'journal deleted',
    );
  });

  test('finished iterations keep their durations and return codes in a recovered record', async () => {
    const outfile = join(tmp.path, 'partial.jsonl');
    const marker = join(tmp.path, 'second-started');
    // The first iteration exits 3 at once; the second creates the marker, then hangs.
    const script = `if [ -e ${marker} ]; then ${sleepArgv.join(' ')}; fi; touch ${marker}; exit 3`;
    const cli = startCli(['-o', outfile, '--no-mixin', '-n', '2', '--', 'sh', '-c', script]);
    while (!existsSync(marker)) await sleep(50);
    await sleep(300);
    cli.child.kill('SIGKILL');
    await cli.result;
    killProcesses(sleepArgv);
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
      'sleep',
      '0.2',
    ]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(parseRecords(readFileSync(outfile, 'utf8')).length, 1);
    assert.equal(existsSync(join(tmp.path, '.microbench-journal')), false);
    assert.deepEqual(findProcesses(sleepArgv), []);
  });
});
