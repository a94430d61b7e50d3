import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { MicroBench } from '../../src/bench/micro-bench.js';
import { captureWarnings, settle } from '../helpers/capture-warnings.js';

const dir = mkdtempSync(join(tmpdir(), 'mb-back-pressure-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const codes = (warnings: Error[]) => warnings.map((w) => (w as NodeJS.ErrnoException).code);

test('a tight loop of short calls with telemetry and an outfile never throws when the sampler falls behind: records are written, marked', async () => {
  const outfile = join(dir, 'loop.jsonl');
  const warnings = captureWarnings();
  const bench = new MicroBench({
    outfile,
    // 1 s per sample. The calls that start while one is taken share the next (protocol.ts),
    // so a merely slow function keeps up; this one is slower than the whole loop, which starts
    // more calls meanwhile than there are session slots: their slots are handed on before the
    // sampler reaches them.
    telemetry: () => {
      const end = performance.now() + 1000;
      while (performance.now() < end);
      return { x: 1 };
    },
    telemetryInterval: 60,
    telemetryTimeout: 5,
    defaultMixins: false,
  });
  const call = bench.wrap(function short() {
    return 1;
  });
  const calls = 6000;
  for (let i = 0; i < calls; i++) call();
  await bench.close();
  await settle();
  const records = readFileSync(outfile, 'utf8')
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, number | string>);
  assert.equal(records.length, calls, 'every call wrote its record');
  for (const record of records) {
    assert.equal(record.telemetry_samples_due, 1);
    assert.equal(
      (record.telemetry_samples_taken as number) + (record.telemetry_samples_missed as number),
      1,
    );
  }
  const marked = records.filter((r) => r.telemetry_samples_missed === 1);
  assert.ok(marked.length > 0, 'the sampler fell behind (the test did not load it enough)');
  // Behind, as a rule. On a machine loaded from outside, a call may also find its slot's
  // previous call still being sampled past the claim wait (the sampler thread was preempted
  // mid-sample), and that record says so instead: both are true causes, never a silent gap.
  const causes = marked.map((r) => r.telemetry_missed_cause);
  const behind = causes.filter((cause) => cause === 'sampler behind').length;
  const busySlot = causes.filter((cause) => cause === 'too many concurrent calls').length;
  assert.equal(behind + busySlot, marked.length, `causes: ${[...new Set(causes)]}`);
  assert.ok(behind > busySlot, `${behind} behind, ${busySlot} found a busy slot`);
  const seen = codes(warnings.stop());
  assert.equal(seen.filter((c) => c === 'MB_TELEMETRY_MISSED').length, 1);
  assert.equal(seen.includes('MB_TELEMETRY_TIMEOUT'), false, 'a sampler behind is not hung');
});

test('more calls with telemetry running at once than there are session slots: the extra ones run unsampled and say so', async () => {
  const warnings = captureWarnings();
  const bench = new MicroBench({ telemetry: () => ({ x: 1 }), telemetryInterval: 60 });
  let open!: () => void;
  const gate = new Promise<void>((resolve) => {
    open = resolve;
  });
  const call = bench.wrap(async () => gate);
  const running = Array.from({ length: 4100 }, () => call());
  open();
  await Promise.all(running);
  const records = await bench.getResults();
  await settle();
  assert.equal(records.length, 4100);
  const unsampled = records.filter((r) => r.telemetry_missed_cause === 'too many concurrent calls');
  assert.equal(
    unsampled.length,
    4,
    `the 4 calls beyond 4096 slots: ${JSON.stringify(
      records
        .map((r) => `${r.telemetry_missed_cause} ${r.telemetry_samples_taken}`)
        .reduce((m: Record<string, number>, k) => {
          m[k] = (m[k] ?? 0) + 1;
          return m;
        }, {}),
    )}`,
  );
  for (const record of unsampled) {
    assert.deepEqual(record.telemetry, []);
    assert.equal(record.telemetry_samples_missed, 1);
  }
  const ours = warnings.stop().filter((w) => /too many concurrent calls/.test(w.message));
  assert.equal(ours.length, 1);
  assert.match(ours[0]!.message, /await some calls/);
});
