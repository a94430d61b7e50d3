// By default the CLI's telemetry describes the command's whole process tree: a wrapper shell
// (`sh -c`, `bash run.sh`, `make`) no longer hides the work of the program it runs.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { makeTempDir, readOnlyRecord, runCli } from '../helpers/cli.js';

const MIB = 1024 * 1024;

// Python: hold 85 MiB (written, so resident), burn CPU for 1.5 s, then print the share of a
// core it got (under load it may get less than all of one).
const BURN = [
  'import time',
  'block = b"x" * (85 * 1024 * 1024)',
  'start = time.time(); cpu = time.process_time()',
  'while time.time() < start + 1.5: pass',
  'print("share", (time.process_time() - cpu) / (time.time() - start))',
].join('\n');

describe('CLI telemetry samples the process tree by default', {
  skip: process.platform !== 'linux' && 'needs Linux /proc',
}, () => {
  const tmp = makeTempDir();
  after(() => tmp.dispose());

  test("sh -c 'python3 ...; true' shows the python's CPU and memory", async () => {
    const outfile = join(tmp.path, 'tree.jsonl');
    const command = ['sh', '-c', `python3 -c '${BURN}'; true`];
    const args = ['-o', outfile, '--mixin', 'resource-usage', '--telemetry-interval', '0.1'];
    const result = await runCli([...args, '--', ...command]);
    assert.equal(result.code, 0, result.stderr);
    const record = readOnlyRecord(outfile);
    assert.equal(record.telemetry_scope, 'tree');
    const samples: Record<string, number>[] = record.telemetry[0];
    assert.ok(samples.length >= 5, `${samples.length} samples`);
    const cpu = Math.max(...samples.map((s) => s.cpu_percent!));
    const rss = Math.max(...samples.map((s) => s.rss_bytes!));
    const pss = Math.max(...samples.map((s) => s.pss_bytes!));
    // At least 50 % of a core, or most of what the machine gave python when it is loaded.
    const share = Number(/share ([\d.]+)/.exec(result.stdout)?.[1]) * 100;
    assert.ok(share > 0, result.stdout);
    const expected = Math.min(50, 0.7 * share);
    assert.ok(cpu >= expected, `cpu_percent peaked at ${cpu}; python got ${share.toFixed(0)} %`);
    assert.ok(rss >= 80 * MIB, `rss_bytes peaked at ${(rss / MIB).toFixed(1)} MiB`);
    assert.ok(
      pss >= 80 * MIB,
      `pss_bytes peaked at ${(pss / MIB).toFixed(1)} MiB: ${JSON.stringify(samples)}`,
    );
    assert.ok(
      samples.some((s) => s.num_processes === 2),
      'the shell and python counted',
    );
    // The peak is the tree's too: python's, not the idle shell's 1-2 MiB.
    const maxrss = record.resource_usage[0].maxrss;
    assert.ok(maxrss >= 80 * MIB, `maxrss ${(maxrss / MIB).toFixed(1)} MiB`);
  });

  test("maxrss holds a grandchild's peak that no sample saw (its VmHWM)", async () => {
    const outfile = join(tmp.path, 'spike.jsonl');
    // 120 MiB for a moment (freed at once: RSS falls back), then 1.5 s of nothing.
    const spike = 'import time\nblock = b"x" * (120 * 1024 * 1024)\ndel block\ntime.sleep(1.5)';
    const command = ['sh', '-c', `python3 -c '${spike}'; true`];
    const args = ['-o', outfile, '--mixin', 'resource-usage', '--telemetry-interval', '0.1'];
    const result = await runCli([...args, '--', ...command]);
    assert.equal(result.code, 0, result.stderr);
    const record = readOnlyRecord(outfile);
    const samples: Record<string, number>[] = record.telemetry[0];
    const last = samples.at(-2) ?? samples[0]!;
    assert.ok(last.rss_bytes! < 60 * MIB, `the spike was freed: ${JSON.stringify(last)}`);
    const maxrss = record.resource_usage[0].maxrss;
    assert.ok(maxrss >= 115 * MIB, `maxrss ${(maxrss / MIB).toFixed(1)} MiB`);
  });

  test('--telemetry-children is still accepted and means the tree', async () => {
    const outfile = join(tmp.path, 'children.jsonl');
    const args = ['-o', outfile, '--no-mixin', '--telemetry-interval', '0.1'];
    const result = await runCli([...args, '--telemetry-children', '--', 'true']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(readOnlyRecord(outfile).telemetry_scope, 'tree');
  });

  test('--telemetry-children with --telemetry-scope direct is a usage error', async () => {
    const args = ['--telemetry-interval', '0.1', '--telemetry-children'];
    const result = await runCli([...args, '--telemetry-scope', 'direct', '--', 'true']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /--telemetry-children and --telemetry-scope direct disagree/);
  });

  test('--telemetry-scope with an unknown value names the choices', async () => {
    const result = await runCli([
      '--telemetry-interval',
      '1',
      '--telemetry-scope',
      'all',
      '--',
      'true',
    ]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /--telemetry-scope: expected 'tree' .* or 'direct' .*, got 'all'/);
  });
});
