// A stopping signal reaches the command once, however it comes: a terminal's Ctrl-C (SIGINT to
// the whole foreground group), `kill -INT <microbench pid>`, or a scheduler's SIGTERM. So a
// program's own cleanup on SIGINT runs to its end, and the record is written.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import {
  CLI_PATH,
  ensureBuilt,
  fixture,
  makeTempDir,
  readOnlyRecord,
  startCli,
} from '../helpers/cli.js';

const CLEANUP = ['python3', fixture('interrupt-cleanup.py')];

// Run `args` of microbench on a fresh pseudo-terminal, typing `input` once `ready` is shown.
function onTerminal(input: string, args: readonly string[]): { shown: string; status: string } {
  ensureBuilt();
  const driver = spawnSync(
    'python3',
    [fixture('pty-drive.py'), 'ready', input, '--', process.execPath, CLI_PATH, ...args],
    { encoding: 'utf8', timeout: 40_000 },
  );
  assert.equal(driver.status, 0, driver.stderr);
  const lines = driver.stdout.trimEnd().split('\n');
  return { shown: lines.slice(0, -1).join('\n'), status: lines.at(-1)! };
}

describe('a stopping signal reaches the command once', {
  concurrency: 2,
  skip: process.platform !== 'linux' && 'needs Linux /proc and process groups',
}, () => {
  const tmp = makeTempDir();
  after(() => tmp.dispose());

  test('SIGINT to the process group of microbench (as a terminal sends): the cleanup finishes, every time', async () => {
    for (let round = 1; round <= 3; round++) {
      const outfile = join(tmp.path, `group-${round}.jsonl`);
      const cli = startCli(['-o', outfile, '--no-mixin', '--', ...CLEANUP], { detached: true });
      await cli.waitForStdout('ready');
      // The CLI leads its own group: signal every process in it, as Ctrl-C does.
      process.kill(-cli.child.pid!, 'SIGINT');
      const result = await cli.result;
      assert.match(result.stdout, /cleanup done/, `round ${round}: ${result.stderr}`);
      assert.equal(result.code, 3, `round ${round}: the command's own exit status`);
      const record = readOnlyRecord(outfile);
      assert.equal(record.interrupted, 'SIGINT');
      assert.deepEqual(record.returncode, [3]);
    }
  });

  test('kill -TERM of microbench alone: passed on once, the record says so', async () => {
    const outfile = join(tmp.path, 'term.jsonl');
    const script = 'trap "echo got TERM; exit 4" TERM; echo ready; sleep 30 & wait';
    const cli = startCli(['-o', outfile, '--no-mixin', '--', 'bash', '-c', script]);
    await cli.waitForStdout('ready');
    cli.child.kill('SIGTERM');
    const result = await cli.result;
    assert.equal(result.stdout.match(/got TERM/g)?.length, 1, result.stdout);
    assert.equal(result.code, 4, result.stderr);
    assert.equal(readOnlyRecord(outfile).interrupted, 'SIGTERM');
  });

  test('a command that catches the signal and exits 0: microbench still ends as interrupted (128+N)', async () => {
    const outfile = join(tmp.path, 'caught.jsonl');
    const command = [process.execPath, fixture('cli-signals.mjs'), '0'];
    const cli = startCli(['-o', outfile, '--no-mixin', '-n', '3', '--', ...command]);
    await cli.waitForStdout('ready');
    cli.child.kill('SIGINT');
    const result = await cli.result;
    // Dying of SIGINT is what a shell reports as 130 (128 + 2).
    assert.equal(result.signal, 'SIGINT', `code ${result.code}: ${result.stderr}`);
    const record = readOnlyRecord(outfile);
    assert.deepEqual(record.returncode, [0], 'no further iteration');
    assert.equal(record.interrupted, 'SIGINT');
  });

  test('Ctrl-C on a real terminal: the command gets SIGINT once and finishes its cleanup, every time', () => {
    // A second SIGINT lands in the cleanup about every other time when it is sent: three rounds.
    for (let round = 1; round <= 3; round++) {
      const outfile = join(tmp.path, `pty-ctrl-c-${round}.jsonl`);
      const args = ['-o', outfile, '--no-mixin', '--', ...CLEANUP];
      const { shown, status } = onTerminal('\\x03', args);
      assert.match(shown, /cleanup done/, `round ${round}: ${shown}`);
      assert.equal(status, 'exit: 3', shown);
      assert.equal(readOnlyRecord(outfile).interrupted, 'SIGINT');
    }
  });

  test('on a terminal, a command that reads it keeps working (no SIGTTIN)', () => {
    const outfile = join(tmp.path, 'pty-read.jsonl');
    const script = 'echo ready; read line; echo "read: $line"';
    const { shown, status } = onTerminal('hello\\n', [
      '-o',
      outfile,
      '--no-mixin',
      '--',
      'sh',
      '-c',
      script,
    ]);
    assert.match(shown, /read: hello/, shown);
    assert.equal(status, 'exit: 0', shown);
    assert.deepEqual(readOnlyRecord(outfile).returncode, [0]);
  });
});
