// The one line microbench prints on stderr when a run ends: the figures of `microbench summary`
// (successful iterations only, failures per iteration with their codes) and where the record
// went; stdout stays the command's; --quiet turns it off.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { formatSeconds } from '../../src/report/_units.js';
import { makeTempDir, parseRecords, runCli } from '../helpers/cli.js';

describe('the end-of-run summary line', { concurrency: 2 }, () => {
  const tmp = makeTempDir();
  after(() => tmp.dispose());

  test('one success and three instant failures: n=1, the success alone in the mean, 3 failed with their code', async () => {
    const outfile = join(tmp.path, 'mixed.jsonl');
    const marker = join(tmp.path, 'ran-once');
    const script = `if [ -e ${marker} ]; then exit 5; fi; touch ${marker}; sleep 0.3`;
    const result = await runCli(['-o', outfile, '--no-mixin', '-n', '4', '--', 'sh', '-c', script]);
    assert.equal(result.code, 5, result.stderr);
    const lines = result.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 1, result.stderr);
    const line = lines[0]!;
    assert.match(
      line,
      /^microbench: sh: .* \(n=1\); 3 failed \(exit 5 ×3\); record → .*mixed\.jsonl$/,
    );

    // The same figures as `microbench summary`.
    const summary = await runCli(['summary', '--format', 'json', outfile]);
    assert.equal(summary.code, 0, summary.stderr);
    const [row] = JSON.parse(summary.stdout) as { n: number; failed: number; mean: number }[];
    assert.equal(row!.n, 1);
    assert.equal(row!.failed, 3);
    assert.ok(row!.mean >= 0.3, `mean ${row!.mean}`);
    assert.ok(line.includes(`: ${formatSeconds(row!.mean)} (n=1)`), line);
  });

  test('several successes: mean ± σ and the range; stdout holds only the record', async () => {
    const result = await runCli(['--no-mixin', '-n', '3', '--', 'sleep', '0.05']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(
      result.stderr,
      /^microbench: sleep: \S+ m?s ± \S+ [mµ]?s \(min \S+ m?s … max \S+ m?s\), n=3; record → stdout\n$/,
    );
    assert.equal(parseRecords(result.stdout).length, 1);
    assert.equal(result.stdout.trim().split('\n').length, 1, 'nothing else on stdout');
  });

  test('a timeout and an interruption are counted apart', async () => {
    const result = await runCli(['--no-mixin', '--timeout', '0.2', '--', 'sleep', '5']);
    assert.equal(result.code, 143);
    assert.match(
      result.stderr,
      /no successful iteration; 1 timed out \(signal 15\); record → stdout/,
    );
  });

  test('--quiet: nothing on stderr', async () => {
    const result = await runCli(['--no-mixin', '--quiet', '--', 'true']);
    assert.equal(result.code, 0);
    assert.equal(result.stderr, '');
    const short = await runCli(['--no-mixin', '-q', '--', 'true']);
    assert.equal(short.stderr, '');
  });
});
