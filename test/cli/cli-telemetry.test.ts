// `--telemetry-interval` samples the command's process tree (cpu_percent, rss_bytes, pss_bytes,
// num_processes), one list per timed iteration; `--telemetry-scope direct` its own process alone.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fixture, makeTempDir, readOnlyRecord, runCli, startCli } from '../helpers/cli.js';

const MIB = 1024 * 1024;
const TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$/;

describe('microbench --telemetry-interval', {
  concurrency: 2,
  skip: process.platform !== 'linux' && 'needs Linux /proc',
}, () => {
  const tmp = makeTempDir();
  after(() => tmp.dispose());

  test('sees the rss of a memory-growing command rise across samples', async () => {
    const outfile = join(tmp.path, 'grow.jsonl');
    // 8 steps of 8 MiB, 40 ms apart: 64 MiB over about 0.4 s, sampled every 50 ms.
    const command = [process.execPath, fixture('cli-grow.mjs'), '8', '40', '8'];
    const result = await runCli(['-o', outfile, '--telemetry-interval', '0.05', '--', ...command]);
    assert.equal(result.code, 0, result.stderr);
    const record = readOnlyRecord(outfile);
    assert.equal(record.telemetry.length, 1, 'one list per iteration');
    const samples: { timestamp: string; cpu_percent: number; rss_bytes: number }[] =
      record.telemetry[0];
    assert.ok(samples.length >= 3, `expected several samples, got ${samples.length}`);
    for (const sample of samples) {
      assert.deepEqual(Object.keys(sample).sort(), [
        'cpu_percent',
        'num_processes',
        'pss_bytes',
        'rss_bytes',
        'timestamp',
      ]);
      assert.match(sample.timestamp, TIMESTAMP);
      assert.ok(sample.cpu_percent >= 0);
      assert.ok(sample.rss_bytes > 0);
    }
    const first = samples[0]!.rss_bytes;
    const peak = Math.max(...samples.map((s) => s.rss_bytes));
    assert.ok(peak - first >= 32 * MIB, `rss rose by only ${(peak - first) / MIB} MiB`);
    assert.ok(samples.at(-1)!.rss_bytes > first, 'the last sample is above the first');
    // The peak RSS of the command (VmHWM) lands in resource_usage.
    assert.ok(
      record.resource_usage[0].maxrss >= 64 * MIB,
      `maxrss ${record.resource_usage[0].maxrss}`,
    );
  });

  test('gives one list per timed iteration (warmup not sampled)', async () => {
    const outfile = join(tmp.path, 'iterations.jsonl');
    const args = ['-o', outfile, '--no-mixin', '-n', '2', '-w', '1', '--monitor-interval', '0.05'];
    const result = await runCli([...args, '--', 'sleep', '0.2']);
    assert.equal(result.code, 0, result.stderr);
    const record = readOnlyRecord(outfile);
    assert.equal(record.telemetry.length, 2);
    for (const samples of record.telemetry) assert.ok(samples.length >= 1);
  });

  test('--telemetry-scope direct: the command alone, cpu_percent and rss_bytes only', async () => {
    const outfile = join(tmp.path, 'direct.jsonl');
    const grower = `${process.execPath} ${fixture('cli-grow.mjs')} 8 40 6`;
    const args = ['-o', outfile, '--no-mixin', '--telemetry-interval', '0.05'];
    const result = await runCli([
      ...args,
      '--telemetry-scope',
      'direct',
      '--',
      'sh',
      '-c',
      `${grower}; true`,
    ]);
    assert.equal(result.code, 0, result.stderr);
    const record = readOnlyRecord(outfile);
    assert.equal(record.telemetry_scope, 'direct');
    const samples: Record<string, number>[] = record.telemetry[0];
    assert.ok(samples.length >= 3, `${samples.length} samples`);
    for (const sample of samples) {
      assert.deepEqual(Object.keys(sample).sort(), ['cpu_percent', 'rss_bytes', 'timestamp']);
    }
    // The idle shell alone: far below the grower's 48 MiB.
    const peak = Math.max(...samples.map((s) => s.rss_bytes!));
    assert.ok(peak < 32 * MIB, `the shell alone peaked at ${peak / MIB} MiB`);
  });

  test('no telemetry field without the flag', async () => {
    const outfile = join(tmp.path, 'off.jsonl');
    const result = await runCli(['-o', outfile, '--no-mixin', '--', 'true']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal('telemetry' in readOnlyRecord(outfile), false);
  });

  test('--telemetry-children sums the process tree', async () => {
    const outfile = join(tmp.path, 'tree.jsonl');
    const grower = `${process.execPath} ${fixture('cli-grow.mjs')} 8 40 6`;
    // sh waits for the grower, so the memory is in a child of the command.
    const command = ['sh', '-c', `${grower}; true`];
    const args = [
      '-o',
      outfile,
      '--no-mixin',
      '--telemetry-interval',
      '0.05',
      '--telemetry-children',
    ];
    const result = await runCli([...args, '--', ...command]);
    assert.equal(result.code, 0, result.stderr);
    const samples: Record<string, number>[] = readOnlyRecord(outfile).telemetry[0];
    assert.ok(samples.length >= 3);
    assert.ok(
      samples.some((s) => s.num_processes! >= 2),
      'the grower was counted',
    );
    const peak = Math.max(...samples.map((s) => s.rss_bytes!));
    assert.ok(peak >= 48 * MIB, `tree rss peaked at ${peak / MIB} MiB`);
    for (const s of samples) assert.ok('pss_bytes' in s);
    assert.equal(readOnlyRecord(outfile).telemetry_scope, 'tree');
  });

  test('each iteration says how many samples were due, taken and missed, and how late they came', async () => {
    const outfile = join(tmp.path, 'account.jsonl');
    const args = ['-o', outfile, '--no-mixin', '--telemetry-interval', '0.1', '-n', '2'];
    const result = await runCli([...args, '--', 'sleep', '0.45']);
    assert.equal(result.code, 0, result.stderr);
    const record = readOnlyRecord(outfile);
    for (let i = 0; i < 2; i++) {
      const due = record.telemetry_samples_due[i];
      // 0.45 s at 0.1 s: the initial sample and 4 more, give or take the start-up of `sleep`.
      assert.ok(due >= 4 && due <= Math.ceil(record.run_durations[i] / 0.1) + 1, `due ${due}`);
      assert.equal(record.telemetry_samples_taken[i], record.telemetry[i].length);
      assert.equal(record.telemetry_samples_missed[i], due - record.telemetry[i].length);
      assert.equal(typeof record.telemetry_lateness_p95_ms[i], 'number');
      assert.ok(record.telemetry_lateness_max_ms[i] >= record.telemetry_lateness_p95_ms[i]);
    }
  });

  test('a command that exits before its first sample: counted missed, and the warning says why (not an overloaded machine)', async () => {
    const outfile = join(tmp.path, 'brief.jsonl');
    const args = ['-o', outfile, '--no-mixin', '--telemetry-interval', '0.1', '-n', '3'];
    const result = await runCli([...args, '--', 'true']);
    assert.equal(result.code, 0, result.stderr);
    const record = readOnlyRecord(outfile);
    // `true` is usually gone before the first read; whichever iteration it was not, has its sample.
    const unsampled = record.telemetry_samples_taken.filter((n: number) => n === 0).length;
    for (let i = 0; i < 3; i++) {
      assert.equal(record.telemetry_samples_due[i], 1);
      assert.equal(record.telemetry_samples_missed[i], 1 - record.telemetry_samples_taken[i]);
    }
    if (unsampled === 0) {
      assert.doesNotMatch(result.stderr, /warning/);
    } else {
      const which = unsampled === 3 ? 'in all 3 iterations ' : `in ${unsampled} of 3 iterations `;
      assert.match(
        result.stderr,
        new RegExp(
          `warning: ${which}the command exited before telemetry's first sample could be read`,
        ),
      );
    }
    assert.doesNotMatch(result.stderr, /could not keep up|overloaded/);
  });

  test('samples microbench could not take (stopped with SIGSTOP for 1 s) are counted missed, with a warning', async () => {
    const outfile = join(tmp.path, 'starved.jsonl');
    const args = ['-o', outfile, '--no-mixin', '--telemetry-interval', '0.1'];
    const cli = startCli([...args, '--', 'sh', '-c', 'echo ready; sleep 2']);
    await cli.waitForStdout('ready');
    // The command's output comes straight from it: give microbench time to start sampling.
    await sleep(300);
    cli.child.kill('SIGSTOP');
    await sleep(1000);
    cli.child.kill('SIGCONT');
    const result = await cli.result;
    assert.equal(result.code, 0, result.stderr);
    const record = readOnlyRecord(outfile);
    // About 10 slots passed while microbench was stopped: the sampler skips them (no burst).
    assert.ok(
      record.telemetry_samples_missed[0] >= 5,
      JSON.stringify(record.telemetry_samples_missed),
    );
    assert.equal(
      record.telemetry_samples_taken[0] + record.telemetry_samples_missed[0],
      record.telemetry_samples_due[0],
    );
    assert.match(result.stderr, /warning: telemetry took \d+ of the \d+ samples due/);
  });
});
