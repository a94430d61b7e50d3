// `--timeout` and a stopping signal end the command's whole process tree: wrapper shells no
// longer leave their children running after microbench has exited.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { makeTempDir, readOnlyRecord, runCli, startCli } from '../helpers/cli.js';
import { findProcesses, killProcesses } from '../helpers/processes.js';

// A sleep with a duration no other process on the machine uses, so it can be found in /proc.
function uniqueSleep(): [string, string] {
  return ['sleep', `38.${process.pid}${Math.floor(Math.random() * 1e6)}`];
}

describe('microbench stops the whole process tree', {
  concurrency: 2,
  skip: process.platform !== 'linux' && 'needs Linux /proc',
}, () => {
  const tmp = makeTempDir();
  const sleeps: [string, string][] = [];
  after(() => {
    for (const argv of sleeps) killProcesses(argv);
    tmp.dispose();
  });
  const newSleep = () => {
    const argv = uniqueSleep();
    sleeps.push(argv);
    return argv;
  };

  test("--timeout 1 -- sh -c 'sleep 38; echo': the sleep is gone too", async () => {
    const outfile = join(tmp.path, 'timeout.jsonl');
    const sleep = newSleep();
    const command = ['sh', '-c', `${sleep.join(' ')}; echo after`];
    const result = await runCli(['-o', outfile, '--no-mixin', '--timeout', '1', '--', ...command]);
    assert.equal(result.code, 143, result.stderr);
    assert.doesNotMatch(result.stdout, /after/);
    assert.deepEqual(findProcesses(sleep), [], 'no sleep left behind');
    const record = readOnlyRecord(outfile);
    assert.equal(record.timed_out, true);
    assert.deepEqual(record.returncode, [-15]);
  });

  // The grace period's SIGKILL usually lands before the command's exit is seen: the run must not
  // then wait for the survivors' SIGKILL a second time (it once did: the CLI exited 0, silent,
  // with no record).
  test('a TERM-ignoring bash -c and its sleep end with SIGKILL after the grace period', async () => {
    const outfile = join(tmp.path, 'ignores-term.jsonl');
    const sleep = newSleep();
    const command = ['bash', '-c', `trap "" TERM; ${sleep.join(' ')}; echo after`];
    const args = ['--timeout', '0.5', '--timeout-grace-period', '0.5'];
    const result = await runCli(['-o', outfile, '--no-mixin', ...args, '--', ...command]);
    assert.equal(result.code, 137, JSON.stringify(result));
    assert.match(result.stderr, /1 timed out \(signal 9\)/);
    assert.deepEqual(findProcesses(sleep), [], 'no sleep left behind');
    assert.deepEqual(readOnlyRecord(outfile).returncode, [-9]);
  });

  test('a descendant that left the process group (setsid) is stopped too', async () => {
    const outfile = join(tmp.path, 'setsid.jsonl');
    const sleep = newSleep();
    // The background setsid is not a group leader, so it execs sleep in a new session.
    const command = ['sh', '-c', `setsid ${sleep.join(' ')} & echo ready; wait`];
    const cli = startCli(['-o', outfile, '--no-mixin', '--timeout', '1', '--', ...command]);
    await cli.waitForStdout('ready');
    const result = await cli.result;
    assert.equal(result.code, 143, result.stderr);
    assert.deepEqual(findProcesses(sleep), [], 'the setsid sleep is gone');
  });

  test('SIGINT to microbench: a background job that ignores SIGINT gets SIGTERM after the command ends', async () => {
    const outfile = join(tmp.path, 'interrupted.jsonl');
    const background = newSleep();
    const foreground = newSleep();
    // A non-interactive shell starts `&` jobs with SIGINT ignored.
    const script = `${background.join(' ')} & echo ready; ${foreground.join(' ')}; echo after`;
    const cli = startCli(['-o', outfile, '--no-mixin', '--', 'sh', '-c', script]);
    await cli.waitForStdout('ready');
    // Signal once the foreground sleep runs: a SIGINT that reaches the shell between `echo` and
    // forking it is held by the shell (dash), and the sleep, started after, never gets it.
    const deadline = Date.now() + 10_000;
    while (findProcesses(foreground).length === 0 && Date.now() < deadline) await sleep(20);
    cli.child.kill('SIGINT');
    const result = await cli.result;
    assert.equal(result.signal, 'SIGINT', `code ${result.code}: ${result.stderr}`);
    assert.deepEqual(findProcesses(background), [], 'the background sleep is gone');
    assert.deepEqual(findProcesses(foreground), [], 'the foreground sleep is gone');
    assert.equal(readOnlyRecord(outfile).interrupted, 'SIGINT');
  });
});
