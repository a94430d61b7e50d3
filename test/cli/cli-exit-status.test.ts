// The exit status of `microbench -- COMMAND`: the command's first non-zero timed return code,
// 128+N for signal N, warmup failures ignored.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { makeTempDir, readOnlyRecord, runCli } from '../helpers/cli.js';

describe('microbench exit status', { concurrency: 2 }, () => {
  const tmp = makeTempDir();
  after(() => tmp.dispose());

  // A shell script that exits with codes[k] on its k-th run (counting in a file).
  function exitCodesScript(name: string, codes: readonly number[]): string {
    const counter = join(tmp.path, `${name}.count`);
    const cases = codes.map((code, i) => `${i + 1}) exit ${code};;`).join(' ');
    return `n=$(cat ${counter} 2>/dev/null || echo 0); n=$((n+1)); echo $n > ${counter}; case $n in ${cases} esac`;
  }

  test('is the first non-zero return code: [0, 2, 1] → 2', async () => {
    const outfile = join(tmp.path, 'first.jsonl');
    const script = exitCodesScript('first', [0, 2, 1]);
    const result = await runCli(['-o', outfile, '--no-mixin', '-n', '3', '--', 'sh', '-c', script]);
    assert.equal(result.code, 2, result.stderr);
    assert.deepEqual(readOnlyRecord(outfile).returncode, [0, 2, 1]);
  });

  test('ignores a failing warmup run', async () => {
    const outfile = join(tmp.path, 'warmup.jsonl');
    const script = exitCodesScript('warmup', [5, 0, 0]);
    const result = await runCli([
      '-o',
      outfile,
      '--no-mixin',
      '-w',
      '1',
      '-n',
      '2',
      '--',
      'sh',
      '-c',
      script,
    ]);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(readOnlyRecord(outfile).returncode, [0, 0]);
  });

  test('is 128+N when signal N killed the command, recorded as -N', async () => {
    const outfile = join(tmp.path, 'signal.jsonl');
    const result = await runCli(['-o', outfile, '--no-mixin', '--', 'sh', '-c', 'kill -TERM $$']);
    assert.equal(result.code, 143, result.stderr);
    assert.equal(result.signal, null);
    assert.deepEqual(readOnlyRecord(outfile).returncode, [-15]);
  });

  test('passes a plain exit code through', async () => {
    const result = await runCli(['--no-mixin', '--', 'sh', '-c', 'exit 7']);
    assert.equal(result.code, 7);
    assert.match(result.stdout, /"returncode":\[7\]/);
  });
});
