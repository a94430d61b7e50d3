// Signals sent to microbench reach the command, and the record is still written.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fixture, makeTempDir, readOnlyRecord, startCli } from '../helpers/cli.js';

describe('microbench forwards signals to the command', { concurrency: 2 }, () => {
  const tmp = makeTempDir();
  after(() => tmp.dispose());

  test('SIGTERM: the command gets it, the run stops, the record says so', async () => {
    const outfile = join(tmp.path, 'handled.jsonl');
    const cli = startCli([
      '-o',
      outfile,
      '--no-mixin',
      '-n',
      '3',
      '--',
      process.execPath,
      fixture('cli-signals.mjs'),
      '42',
    ]);
    await cli.waitForStdout('ready');
    cli.child.kill('SIGTERM');
    const result = await cli.result;
    assert.match(result.stdout, /got SIGTERM/);
    // The command handled it and exited 42: that is microbench's status too.
    assert.equal(result.code, 42, result.stderr);
    const record = readOnlyRecord(outfile);
    assert.deepEqual(record.returncode, [42], 'no further iteration after the signal');
    assert.equal(record.interrupted, 'SIGTERM');
    assert.equal(record.run_durations.length, 1);
  });

  test('SIGUSR1 is passed on and the run goes on', async () => {
    const outfile = join(tmp.path, 'usr1.jsonl');
    const cli = startCli([
      '-o',
      outfile,
      '--no-mixin',
      '--',
      process.execPath,
      fixture('cli-signals.mjs'),
    ]);
    await cli.waitForStdout('ready');
    cli.child.kill('SIGUSR1');
    await cli.waitForStdout('got SIGUSR1');
    cli.child.kill('SIGINT');
    const result = await cli.result;
    assert.equal(result.code, 42, result.stderr);
    const record = readOnlyRecord(outfile);
    assert.equal(record.interrupted, 'SIGINT');
    assert.deepEqual(record.returncode, [42]);
  });

  test('a command killed by the forwarded signal: microbench dies of it too, after writing', async () => {
    const outfile = join(tmp.path, 'killed.jsonl');
    const cli = startCli([
      '-o',
      outfile,
      '--no-mixin',
      '--',
      'sh',
      '-c',
      'echo ready; exec sleep 30',
    ]);
    await cli.waitForStdout('ready');
    cli.child.kill('SIGINT');
    const result = await cli.result;
    assert.equal(result.signal, 'SIGINT', `code ${result.code}: ${result.stderr}`);
    const record = readOnlyRecord(outfile);
    assert.deepEqual(record.returncode, [-2]);
    assert.equal(record.interrupted, 'SIGINT');
  });
});
