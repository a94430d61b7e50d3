// `--timeout` and `--timeout-grace-period`: SIGTERM at the timeout, SIGKILL after the grace
// period if the command is still there; `timed_out: true` in the record.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { makeTempDir, readOnlyRecord, runCli } from '../helpers/cli.js';

describe('microbench --timeout', { concurrency: 2 }, () => {
  const tmp = makeTempDir();
  after(() => tmp.dispose());

  test('stops a command that runs too long with SIGTERM', async () => {
    const outfile = join(tmp.path, 'term.jsonl');
    const result = await runCli([
      '-o',
      outfile,
      '--no-mixin',
      '--timeout',
      '0.3',
      '--',
      'sleep',
      '30',
    ]);
    assert.equal(result.code, 143, result.stderr);
    const record = readOnlyRecord(outfile);
    assert.equal(record.timed_out, true);
    assert.deepEqual(record.returncode, [-15]);
    assert.ok(record.run_durations[0] >= 0.3);
    assert.ok(record.run_durations[0] < 10, 'SIGTERM ended the 30 s sleep');
  });

  test('sends SIGKILL when SIGTERM is ignored for the grace period', async () => {
    const outfile = join(tmp.path, 'kill.jsonl');
    // `trap "" TERM` ignores SIGTERM, and exec keeps that for sleep: only SIGKILL stops it.
    const args = ['--timeout', '0.3', '--timeout-grace-period', '0.3'];
    const command = ['sh', '-c', 'trap "" TERM; exec sleep 30'];
    const result = await runCli(['-o', outfile, '--no-mixin', ...args, '--', ...command]);
    assert.equal(result.code, 137, result.stderr);
    const record = readOnlyRecord(outfile);
    assert.equal(record.timed_out, true);
    assert.deepEqual(record.returncode, [-9]);
    assert.ok(record.run_durations[0] >= 0.6);
  });

  test('leaves timed_out out when the command finishes in time', async () => {
    const outfile = join(tmp.path, 'ok.jsonl');
    const result = await runCli(['-o', outfile, '--no-mixin', '--timeout', '30', '--', 'true']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal('timed_out' in readOnlyRecord(outfile), false);
  });
});
