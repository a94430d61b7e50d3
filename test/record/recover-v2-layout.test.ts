// Journals keep the bench's layout: a v2 bench, or a `--record-format v2` CLI run, killed
// mid-call is recovered as a v2 record (the journal header names the layout; recover writes
// through the record writer), and a recovered record already in a v2 outfile is recognised.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { recoverJournals } from '../../src/journal/recover.js';
import { startCli } from '../helpers/cli.js';
import { makeTempDir, waitForJournalSamples } from '../journal/_crash-child.js';

const FIXTURE = new URL('../fixtures/v2-killed-bench.ts', import.meta.url).pathname;

function readLines(path: string): Record<string, unknown>[] {
  return readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('recover keeps the v2 layout', { concurrency: true }, () => {
  const tmp = makeTempDir('mb-recover-v2-');
  after(() => tmp.dispose());

  test('a v2 library bench killed mid-call', async () => {
    const outfile = join(tmp.path, 'library.jsonl');
    const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, outfile], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const closed = new Promise((resolve) => child.on('close', resolve));
    await new Promise<void>((resolve) => {
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        if (chunk.includes('running')) resolve();
      });
    });
    await waitForJournalSamples(outfile, 3);
    child.kill('SIGKILL');
    await closed;
    assert.equal(recoverJournals({ outfiles: [outfile] }).recovered.length, 1);
    const [record] = readLines(outfile);
    const call = record!.call as Record<string, unknown>;
    assert.equal(call.name, 'endless');
    assert.equal(call.interrupted, true);
    assert.ok((call.monitor as unknown[]).length >= 3);
    assert.equal((record!.mb as Record<string, unknown>).implementation, 'microbench-ts');
    assert.equal('function_name' in record!, false, 'no v1 field at the top');
    // Once in the outfile (a v2 line), a second recover finds nothing left to add.
    assert.equal(recoverJournals({ outfiles: [outfile] }).recovered.length, 0);
    assert.equal(readLines(outfile).length, 1);
  });

  test('a --record-format v2 CLI run killed mid-command', async () => {
    const outfile = join(tmp.path, 'cli.jsonl');
    const cli = startCli(
      [
        '--record-format',
        'v2',
        '--outfile',
        outfile,
        '--telemetry-interval',
        '0.02',
        '--',
        'sleep',
        '30',
      ],
      { cwd: tmp.path, detached: true },
    );
    await waitForJournalSamples(outfile, 3);
    process.kill(-cli.child.pid!, 'SIGKILL'); // microbench and the command, as a scheduler would
    await cli.result;
    assert.equal(recoverJournals({ outfiles: [outfile] }).recovered.length, 1);
    const [record] = readLines(outfile);
    const call = record!.call as Record<string, unknown>;
    assert.equal(call.name, 'sleep');
    assert.deepEqual(call.command, ['sleep', '30']);
    assert.equal(call.invocation, 'CLI');
    assert.equal('run_durations' in record!, false);
  });
});
