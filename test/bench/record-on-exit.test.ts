import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { BenchRecord, TelemetrySample } from '../../src/record/record.js';
import { fixturePath, runTsChild, warningLines } from '../helpers/node-child.js';
import { watchWarnings } from '../helpers/warnings.js';

watchWarnings();

const FIXTURE = fixturePath('record-on-exit.ts');
const dir = mkdtempSync(join(tmpdir(), 'mb-on-exit-'));
after(() => rmSync(dir, { recursive: true, force: true }));

// Run the fixture in `mode`; returns how it ended and the records it wrote.
let runs = 0;
async function runMode(mode: string) {
  const outfile = join(dir, `${mode}-${++runs}.jsonl`);
  const result = await runTsChild(FIXTURE, [mode, outfile]);
  const records = existsSync(outfile)
    ? readFileSync(outfile, 'utf8')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as BenchRecord)
    : [];
  assert.deepEqual(warningLines(result.stderr), [], 'no process warnings in the child');
  return { ...result, records, outfile };
}

// Files left in the journal folder next to `outfile` (there should be none after a clean exit).
function leftoverJournals(outfile: string): string[] {
  const journalDir = join(dir, '.microbench-journal', `${outfile.split('/').pop()}`);
  return existsSync(journalDir) ? readdirSync(journalDir) : [];
}

// Start the fixture, SIGTERM it once it prints "ready"; how it ended.
async function killWhenReady(args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  // Generous: a loaded machine starts a dozen tsx children at once here.
  const killer = setTimeout(() => child.kill('SIGKILL'), 90_000);
  const closed = new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    child.on('close', (c, s) => resolve([c, s])),
  );
  const ready = await Promise.race([
    new Promise<true>((resolve) => {
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        if (chunk.includes('ready')) resolve(true);
      });
    }),
    closed.then(() => false as const),
  ]);
  assert.ok(ready, `the child ended before it was ready: ${stderr}`);
  child.kill('SIGTERM');
  const [code, signal] = await closed;
  clearTimeout(killer);
  return { code, signal, stderr };
}

describe('bench.recordOnExit(name?) in a child process', { concurrency: true }, () => {
  test('a normal exit writes one record, with fields, mixins and sub-timings', async () => {
    const { code, records } = await runMode('normal');
    assert.equal(code, 0);
    assert.equal(records.length, 1);
    const [record] = records;
    assert.equal(record?.function_name, 'sim');
    assert.equal(record?.mode, 'normal');
    assert.equal(record?.node_version, process.versions.node);
    assert.equal(record?.run_durations.length, 1);
    assert.ok(record!.run_durations[0]! >= 0.04, 'spans the process lifetime (20 + 30 ms)');
    assert.deepEqual(
      record?.timings?.map((t) => t.name),
      ['setup'],
      'time() outside a call goes to the exit record',
    );
    assert.equal('exception' in (record ?? {}), false);
  });

  test("the default name is '<process>'", async () => {
    const { code, records } = await runMode('default-name');
    assert.equal(code, 0);
    assert.deepEqual(
      records.map((r) => r.function_name),
      ['<process>'],
    );
  });

  test('an uncaught error is recorded as exception; the process still fails', async () => {
    const { code, records, stderr } = await runMode('throw');
    assert.equal(code, 1);
    assert.match(stderr, /uncaught in a timer/);
    assert.equal(records.length, 1);
    assert.deepEqual(records[0]?.exception, {
      type: 'TypeError',
      message: 'uncaught in a timer',
    });
  });

  test('process.exit() writes the record and keeps the exit code', async () => {
    const { code, records } = await runMode('exit');
    assert.equal(code, 3);
    assert.deepEqual(
      records.map((r) => r.function_name),
      ['exiting'],
    );
  });

  test('registering again replaces the first registration: only the second is recorded', async () => {
    const { code, records, stdout } = await runMode('reregister');
    assert.equal(code, 0);
    assert.deepEqual(
      records.map((r) => r.function_name),
      ['second'],
    );
    const { secondAt } = JSON.parse(stdout) as { secondAt: number };
    assert.ok(Date.parse(records[0]!.start_time) >= secondAt, 'timed from the second registration');
  });

  test('telemetry spans the lifetime: >= 2 samples at 0.05 s over 0.25 s', async () => {
    const { code, records, outfile } = await runMode('telemetry');
    assert.equal(code, 0);
    assert.equal(records.length, 1);
    const [record] = records;
    const samples = record?.telemetry as TelemetrySample[];
    assert.ok(samples.length >= 2, `${samples.length} samples`);
    for (const sample of samples) {
      assert.equal(typeof sample.rss, 'number');
      assert.match(sample.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$/);
    }
    assert.ok(record!.run_durations[0]! >= 0.2);
    assert.deepEqual(leftoverJournals(outfile), [], 'the journal is removed');
  });

  test('re-registration with telemetry: the second record only has its own samples', async () => {
    const { code, records, stdout } = await runMode('retelemetry');
    assert.equal(code, 0);
    assert.deepEqual(
      records.map((r) => r.function_name),
      ['second'],
    );
    const { secondAt } = JSON.parse(stdout) as { secondAt: number };
    const samples = records[0]?.telemetry as TelemetrySample[];
    assert.ok(samples.length >= 1);
    for (const sample of samples) assert.ok(Date.parse(sample.timestamp) >= secondAt);
  });

  test('re-registration with telemetry stops the first sampler (no journal left behind)', async () => {
    const { records, outfile } = await runMode('retelemetry');
    assert.equal(records.length, 1);
    assert.deepEqual(leftoverJournals(outfile), []);
  });

  test('handleSignals: SIGTERM writes the record with exit_signal and re-raises the signal', async () => {
    const outfile = join(dir, 'sigterm.jsonl');
    const { code, signal, stderr } = await killWhenReady(['sigterm', outfile]);
    assert.equal(signal, 'SIGTERM', `ended by the signal (code ${code}, stderr: ${stderr})`);
    const records = readFileSync(outfile, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as BenchRecord);
    assert.equal(records.length, 1);
    assert.equal(records[0]?.function_name, 'terminated');
    assert.equal(records[0]?.exit_signal, 'SIGTERM');
  });

  test('by default SIGTERM writes the record (exit_signal) and ends the process as SIGTERM does (128+15)', async () => {
    const outfile = join(dir, 'sigterm-default.jsonl');
    const { code, signal, stderr } = await killWhenReady(['sigterm-default', outfile]);
    assert.equal(signal, 'SIGTERM', `ended by the signal (code ${code}, stderr: ${stderr})`);
    const records = readFileSync(outfile, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as BenchRecord);
    assert.deepEqual(
      records.map((r) => [r.function_name, r.exit_signal, r.interrupted]),
      [['terminated', 'SIGTERM', 'SIGTERM']],
    );
    // What a shell (and SLURM) reports for the process: 128 + 15. The shell kills it once it
    // has said "ready" (its record hook is in place), and prints the status `wait` gives.
    const script =
      '"$0" --import tsx "$1" sigterm-default "$2" > "$3" & pid=$!; ' +
      'until grep -q ready "$3"; do sleep 0.05; done; kill -TERM $pid; wait $pid; echo "status $?"';
    const shellOutfile = join(dir, 'sigterm-shell.jsonl');
    const shell = spawn(
      'sh',
      ['-c', script, process.execPath, FIXTURE, shellOutfile, join(dir, 'sigterm-shell.out')],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    shell.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
    });
    await new Promise((resolve) => shell.on('close', resolve));
    assert.equal(readFileSync(shellOutfile, 'utf8').trim().split('\n').length, 1);
    assert.match(out, /status 143/);
  });

  test('handleSigterm: false leaves SIGTERM to Node: the process dies at once, no record', async () => {
    const outfile = join(dir, 'sigterm-off.jsonl');
    const { signal } = await killWhenReady(['sigterm-off', outfile]);
    assert.equal(signal, 'SIGTERM');
    assert.equal(existsSync(outfile), false);
  });

  test("a program's own SIGTERM listener keeps the say: the record is written, the signal not re-raised", async () => {
    const outfile = join(dir, 'sigterm-own.jsonl');
    const { code, signal, stderr } = await killWhenReady(['sigterm-own', outfile]);
    assert.deepEqual([code, signal], [7, null], stderr);
    const lines = readFileSync(outfile, 'utf8').trim().split('\n');
    assert.equal(lines.length, 1, 'one record, not a second one at exit');
    assert.equal((JSON.parse(lines[0]!) as BenchRecord).exit_signal, 'SIGTERM');
  });

  test('twelve benches with recordOnExit: every record written, no listener-leak warning', async () => {
    // runMode asserts that the child printed no process warning (MaxListenersExceededWarning).
    const { code, records } = await runMode('many');
    assert.equal(code, 0);
    assert.deepEqual(
      records.map((r) => r.function_name).sort(),
      Array.from({ length: 12 }, (_, i) => `bench-${i}`).sort(),
    );
  });

  test('handleSignals on two benches: the signal waits for both flushes, then is re-raised once', async () => {
    const outfile = join(dir, 'sigterm-slow.jsonl');
    const { signal, stderr } = await killWhenReady(['sigterm-slow', outfile]);
    assert.equal(signal, 'SIGTERM', `ended by the signal (stderr: ${stderr})`);
    const records = readFileSync(outfile, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as BenchRecord);
    assert.deepEqual(records.map((r) => r.function_name).sort(), ['fast', 'slow']);
    for (const record of records) assert.equal(record.exit_signal, 'SIGTERM');
  });
});
