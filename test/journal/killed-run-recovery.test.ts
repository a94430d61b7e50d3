// A child runs a 30 s synchronous benchmarked loop sampling every 100 ms; it is killed (SIGTERM,
// SIGKILL) after ~1.5 s. It must die promptly, and `recoverJournals` must turn its journal into
// one interrupted record holding the samples, once, and only after the process is gone.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { JOURNAL_DIR_NAME } from '../../src/journal/journal.js';
import { recoverJournals } from '../../src/journal/recover.js';
import {
  type JsonRecord,
  journalFiles,
  makeTempDir,
  readRecords,
  sleep,
  startCrashBench,
  waitForJournalSamples,
} from './_crash-child.js';

const tmp = makeTempDir();
after(() => tmp.dispose());

// What every recovered record of the fixture must hold.
function assertRecoveredRecord(record: JsonRecord | undefined): void {
  assert.ok(record, 'a recovered record');
  assert.equal(record.interrupted, true);
  assert.equal(record.function_name, 'busyLoop');
  // What the record knew when the call started: fields, capture methods, mixins, run id.
  assert.equal(record.experiment, 'crash-safety');
  assert.equal(record.run, 7);
  assert.equal(record.marker, 'captured-before-the-call');
  assert.equal(typeof record.node_version, 'string');
  assert.match(record.mb_run_id, /^[0-9a-f-]{36}$/);
  assert.equal(record.timestamp_tz, 'UTC');
  const samples = record.telemetry as { timestamp: string; rss: number }[];
  assert.ok(samples.length >= 10, `${samples.length} samples recovered`);
  for (const sample of samples) assert.ok(sample.rss > 0);
  assert.equal(record.finish_time, samples.at(-1)!.timestamp, 'finish_time = the last sample');
  assert.ok(Date.parse(record.start_time) <= Date.parse(samples[0]!.timestamp));
  assert.match(record.finish_time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$/);
  // The samples' account up to the last sample, as a live record has it.
  assert.equal(record.telemetry_samples_taken, samples.length);
  assert.equal(
    record.telemetry_samples_due,
    record.telemetry_samples_taken + record.telemetry_samples_missed,
  );
  const spanMs = Date.parse(record.finish_time) - Date.parse(record.start_time);
  assert.ok(
    record.telemetry_samples_due <= Math.floor(spanMs / 100) + 2,
    `due ${record.telemetry_samples_due}`,
  );
  assert.ok(record.telemetry_lateness_max_ms >= record.telemetry_lateness_p95_ms);
  assert.ok(record.telemetry_lateness_max_ms < 100, 'lateness within an interval');
}

for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
  test(`${signal} stops a synchronous call at once and recover turns its journal into one record`, async (t) => {
    const outfile = join(tmp.path, `${signal.toLowerCase()}.jsonl`);
    const child = startCrashBench([outfile, 'sync', '30', '0.1']);
    await child.waitForStdout('running');
    await sleep(1500);
    await waitForJournalSamples(outfile, 11);

    // While it runs, its journal is left alone.
    const whileRunning = recoverJournals({ outfiles: [outfile] });
    assert.equal(whileRunning.recovered.length, 0);
    assert.equal(whileRunning.live.length, 1);
    assert.match(whileRunning.live[0]!.reason, /still running/);
    assert.equal(journalFiles(outfile).length, 1);
    assert.equal(existsSync(outfile), false);

    const exit = await child.killAndTime(signal);
    t.diagnostic(`${signal} -> exit in ${exit.exitMs.toFixed(0)} ms`);
    assert.equal(exit.signal, signal, `died of ${signal} (code ${exit.code}): ${exit.stderr}`);
    // Well under a second on an idle machine; loose here for a busy 2-core one.
    assert.ok(exit.exitMs < 3000, `exited ${exit.exitMs.toFixed(0)} ms after ${signal}`);
    assert.equal(existsSync(outfile), false, 'no record written by the killed process');
    assert.equal(journalFiles(outfile).length, 1, 'the journal survives the kill');

    const first = recoverJournals({ outfiles: [outfile] });
    assert.equal(first.errors.length, 0, JSON.stringify(first.errors));
    assert.equal(first.recovered.length, 1);
    assert.equal(first.recovered[0]!.outfile, outfile);
    assert.equal(first.recovered[0]!.functionName, 'busyLoop');
    const records = readRecords(outfile);
    assert.equal(records.length, 1);
    assertRecoveredRecord(records[0]);
    assert.equal(first.recovered[0]!.samples, records[0]!.telemetry.length);
    t.diagnostic(`${records[0]!.telemetry.length} samples recovered`);
    assert.equal(existsSync(join(tmp.path, JOURNAL_DIR_NAME)), false, 'journal folders removed');

    // Idempotent: a second run adds nothing.
    const second = recoverJournals({ outfiles: [outfile] });
    assert.deepEqual(second, { recovered: [], live: [], discarded: [], errors: [], skipped: [] });
    assert.equal(readRecords(outfile).length, 1);
  });
}

test('killed during a loop of synchronous calls: every finished call is written, the running one recovered', async () => {
  // The loop never yields to the event loop. A call's samples are in when it ends, so its
  // record is written then; the running call lives only in its journal.
  const outfile = join(tmp.path, 'loop.jsonl');
  const child = startCrashBench([outfile, 'loop', '30', '0.1']);
  await child.waitForStdout('call 3\n');
  const exit = await child.killAndTime('SIGKILL');
  assert.equal(exit.signal, 'SIGKILL');
  const started = exit.stdout.match(/^call \d+$/gm)!.length;
  const written = readRecords(outfile);
  assert.equal(written.length, started - 1, `${started} calls started`);
  for (const [i, record] of written.entries()) {
    assert.equal(record.function_name, 'step');
    assert.equal(record.interrupted, undefined);
    assert.equal(record.run_durations.length, 1);
    assert.ok(record.run_durations[0] >= 0.29, `duration ${record.run_durations[0]}`);
    assert.equal(record.experiment, 'crash-safety');
    assert.ok(record.telemetry.length >= 3, `call ${i}: ${record.telemetry.length} samples`);
  }

  const result = recoverJournals({ outfiles: [outfile] });
  assert.equal(result.errors.length, 0, JSON.stringify(result.errors));
  // The running call (unless the kill came within its first 50 ms, before its journal).
  assert.ok(result.recovered.length <= 1);
  const records = readRecords(outfile);
  assert.equal(records.length, written.length + result.recovered.length);
  if (result.recovered.length === 1) {
    assert.equal(result.recovered[0]!.finished, false);
    assert.equal(records.at(-1)!.interrupted, true);
  }
  assert.equal(recoverJournals({ outfiles: [outfile] }).recovered.length, 0);
});

test('killed during a loop of tiny synchronous calls: no finished record is lost', async () => {
  // Calls far shorter than the sampler's reaction time end before their initial sample
  // arrives: their records wait for it, journaled meanwhile.
  const outfile = join(tmp.path, 'tiny.jsonl');
  const child = startCrashBench([outfile, 'tiny-loop', '30', '0.1']);
  await child.waitForStdout('calls 2000\n');
  const exit = await child.killAndTime('SIGKILL');
  assert.equal(exit.signal, 'SIGKILL');
  const finished = Math.max(...exit.stdout.match(/^calls \d+$/gm)!.map((l) => Number(l.slice(6))));
  // Written at the latest when the next call started: complete, with their initial sample.
  const written = readRecords(outfile);
  for (const record of written) assert.ok(record.telemetry.length >= 1);
  const result = recoverJournals({ outfiles: [outfile] });
  assert.equal(result.errors.length, 0, JSON.stringify(result.errors));
  const records = readRecords(outfile).filter((r) => r.interrupted === undefined);
  const calls = new Set(records.map((r) => r.return_value));
  for (let i = 0; i < finished; i++) assert.ok(calls.has(i), `call ${i} of ${finished} lost`);
  assert.equal(records.length, calls.size, 'no record twice');
  // The pending journal's records: complete but for the sample that was still on its way.
  assert.equal(records.length - written.length, result.recovered.length);
  assert.ok(result.recovered.every((r) => r.finished));
});
