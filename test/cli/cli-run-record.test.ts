// The record `microbench -- COMMAND` writes: core fields, captured output, fields, mixins, and a
// record even when the command cannot be started.
import assert from 'node:assert/strict';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { makeTempDir, parseRecords, ROOT, readOnlyRecord, runCli } from '../helpers/cli.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const PACKAGE_VERSION = (
  JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }
).version;
const TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$/;

describe('microbench -- COMMAND record', { concurrency: 2 }, () => {
  const tmp = makeTempDir();
  after(() => tmp.dispose());

  test('prints one record on stdout with the CLI fields and the default mixins', async () => {
    const result = await runCli(['--', 'sh', '-c', 'exit 0'], { cwd: tmp.path });
    assert.equal(result.code, 0, result.stderr);
    // Only the end-of-run summary line.
    assert.match(result.stderr, /^microbench: sh: [^\n]*; record → stdout\n$/);
    const records = parseRecords(result.stdout);
    assert.equal(records.length, 1);
    const record = records[0]!;
    assert.match(record.mb_run_id, UUID);
    // The bundled CLI finds microbench-ts's own package.json two levels up.
    assert.equal(record.mb_version, PACKAGE_VERSION);
    assert.equal(record.timestamp_tz, 'UTC');
    assert.equal(record.duration_counter, 'performance.now');
    assert.equal(record.function_name, 'sh');
    assert.equal(record.invocation, 'CLI');
    assert.deepEqual(record.command, ['sh', '-c', 'exit 0']);
    assert.deepEqual(record.returncode, [0]);
    assert.equal(record.run_durations.length, 1);
    assert.ok(record.run_durations[0] > 0);
    assert.match(record.start_time, TIMESTAMP);
    assert.match(record.finish_time, TIMESTAMP);
    assert.ok(record.finish_time >= record.start_time);
    // Default mixins (microbench's CLI set, node-runtime for python-info).
    assert.equal(typeof record.node_version, 'string');
    assert.equal(typeof record.hostname, 'string');
    assert.deepEqual(record.slurm, {});
    assert.equal(record.working_dir, tmp.path);
    assert.equal(record.resource_usage.length, 1);
    // microbench v2.1's nine fields (src/cli/_resource-usage.ts says where each comes from).
    assert.deepEqual(Object.keys(record.resource_usage[0]).sort(), [
      'inblock',
      'majflt',
      'maxrss',
      'minflt',
      'nivcsw',
      'nvcsw',
      'oublock',
      'stime',
      'utime',
    ]);
    for (const absent of [
      'timed_out',
      'stdout',
      'stderr',
      'telemetry',
      'exception',
      'interrupted',
    ]) {
      assert.equal(absent in record, false, `${absent} should be absent`);
    }
  });

  test('--outfile appends there; --field adds string fields first in the record', async () => {
    const outfile = join(tmp.path, 'fields.jsonl');
    const args = ['-o', outfile, '-f', 'url=a=b=c', '--field', 'count=42', '--no-mixin', '--'];
    const result = await runCli([...args, 'true']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, '');
    const record = readOnlyRecord(outfile);
    assert.equal(record.url, 'a=b=c');
    assert.equal(record.count, '42');
    assert.deepEqual(Object.keys(record).slice(0, 2), ['url', 'count']);
    // --no-mixin: no mixin fields, and no resource_usage (it belongs to a mixin).
    assert.equal('hostname' in record, false);
    assert.equal('resource_usage' in record, false);
  });

  test('--stdout records and shows output, =suppress records without showing', async () => {
    const outfile = join(tmp.path, 'capture.jsonl');
    const script = 'echo hello; echo oops >&2';
    const shown = await runCli([
      '-o',
      outfile,
      '-q',
      '--stdout',
      '--stderr',
      '--',
      'sh',
      '-c',
      script,
    ]);
    assert.equal(shown.code, 0, shown.stderr);
    assert.equal(shown.stdout, 'hello\n');
    assert.equal(shown.stderr, 'oops\n');
    const hidden = await runCli([
      '-o',
      outfile,
      '-q',
      '--stdout=suppress',
      '--',
      'sh',
      '-c',
      script,
    ]);
    assert.equal(hidden.stdout, '');
    assert.equal(hidden.stderr, 'oops\n');
    const [first, second] = parseRecords((await import('node:fs')).readFileSync(outfile, 'utf8'));
    assert.deepEqual(first!.stdout, ['hello\n']);
    assert.deepEqual(first!.stderr, ['oops\n']);
    assert.deepEqual(second!.stdout, ['hello\n']);
    assert.equal('stderr' in second!, false);
  });

  test('--capture-limit keeps the start and end of a long output, and says what it left out', async () => {
    const outfile = join(tmp.path, 'limit.jsonl');
    // 20,000 numbered lines (108,894 bytes) on stdout, one short line on stderr.
    const script = 'seq 1 20000; echo short >&2';
    const result = await runCli([
      '-o',
      outfile,
      '--no-mixin',
      '--stdout=suppress',
      '--stderr=suppress',
      '--capture-limit',
      '1K',
      '--',
      'sh',
      '-c',
      script,
    ]);
    assert.equal(result.code, 0, result.stderr);
    const record = readOnlyRecord(outfile);
    const [text] = record.stdout as string[];
    assert.ok(text!.startsWith('1\n2\n3\n'), text!.slice(0, 20));
    assert.ok(text!.endsWith('19999\n20000\n'), text!.slice(-20));
    assert.deepEqual(record.stdout_dropped_bytes, [108_894 - 1024]);
    assert.match(
      text!,
      /\[microbench: 107870 bytes of stdout left out here \(--capture-limit 1024/,
    );
    assert.deepEqual(record.stderr, ['short\n']);
    assert.equal('stderr_dropped_bytes' in record, false, 'nothing was left out of stderr');
  });

  test('warmup runs are not recorded; each timed iteration has its output', async () => {
    const outfile = join(tmp.path, 'iterations.jsonl');
    const counter = join(tmp.path, 'counter');
    const script = `n=$(cat ${counter} 2>/dev/null || echo 0); n=$((n+1)); echo $n > ${counter}; echo run$n`;
    const result = await runCli([
      '-o',
      outfile,
      '-n',
      '3',
      '-w',
      '1',
      '--stdout=suppress',
      '--',
      'sh',
      '-c',
      script,
    ]);
    assert.equal(result.code, 0, result.stderr);
    assert.doesNotMatch(
      result.stderr,
      /(warmup|iteration) \d/,
      'no progress line when stderr is a pipe',
    );
    assert.equal(result.stderr.split('\n').length, 2, `the summary line alone: ${result.stderr}`);
    const record = readOnlyRecord(outfile);
    assert.deepEqual(record.stdout, ['run2\n', 'run3\n', 'run4\n']);
    assert.equal(record.run_durations.length, 3);
    assert.deepEqual(record.returncode, [0, 0, 0]);
    assert.equal(record.resource_usage.length, 3);
  });

  test('a process left behind holding the captured pipe does not hold up the record', async () => {
    const outfile = join(tmp.path, 'leftover.jsonl');
    // The background sleep keeps the stdout pipe open long after the command itself exited.
    const script = 'echo hi; sleep 10 2>/dev/null & exit 0';
    const started = performance.now();
    const result = await runCli([
      '-o',
      outfile,
      '--no-mixin',
      '--stdout=suppress',
      '--',
      'sh',
      '-c',
      script,
    ]);
    assert.equal(result.code, 0, result.stderr);
    assert.ok(performance.now() - started < 8000, 'finished without waiting for the leftover');
    assert.deepEqual(readOnlyRecord(outfile).stdout, ['hi\n']);
  });

  test('a command that is not found still gets a record, and exit status 127', async () => {
    const outfile = join(tmp.path, 'missing.jsonl');
    const args = ['-o', outfile, '--telemetry-interval', '0.1'];
    const result = await runCli([...args, '--', 'no-such-command-mb-test', 'x']);
    assert.equal(result.code, 127);
    assert.match(
      result.stderr,
      /^microbench: error: cannot run 'no-such-command-mb-test': command not found/,
    );
    assert.equal(result.stderr.trim().split('\n').length, 1);
    const record = readOnlyRecord(outfile);
    // Parallel per-iteration lists: the one started iteration has a duration and a code.
    assert.deepEqual(record.returncode, [127]);
    assert.equal(record.run_durations.length, 1);
    // The same shape as a run that started: its lists hold an entry that says nothing ran.
    assert.deepEqual(record.telemetry, [[]]);
    assert.deepEqual(record.telemetry_samples_due, [0]);
    if (process.platform === 'linux') assert.deepEqual(record.resource_usage, [null]);
    assert.equal(record.exception.type, 'ENOENT');
    assert.match(record.exception.message, /command not found/);
    assert.equal(record.function_name, 'no-such-command-mb-test');
  });

  test('a file that is not executable: exit status 126 and a record saying so', async () => {
    const script = join(tmp.path, 'not-executable.sh');
    writeFileSync(script, 'echo hi\n');
    chmodSync(script, 0o644);
    const result = await runCli(['--no-mixin', '--', script]);
    assert.equal(result.code, 126);
    assert.match(result.stderr, /permission denied/);
    const [record] = parseRecords(result.stdout);
    assert.equal(record!.exception.type, 'EACCES');
    assert.deepEqual(record!.returncode, [126]);
  });

  describe('a command named like a subcommand', () => {
    const bin = makeTempDir();
    before(() => {
      writeFileSync(join(bin.path, 'summary'), '#!/bin/sh\necho "wrapped $1"\n');
      chmodSync(join(bin.path, 'summary'), 0o755);
    });
    after(() => bin.dispose());

    test('runs when written after --', async () => {
      const env = { ...process.env, PATH: `${bin.path}:${process.env.PATH}` };
      const result = await runCli(['--no-mixin', '--', 'summary', 'x'], { env });
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /^wrapped x\n/);
      const [record] = parseRecords(result.stdout);
      assert.deepEqual(record!.command, ['summary', 'x']);
    });
  });
});
