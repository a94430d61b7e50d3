import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { BenchRecord } from '../../src/record/record.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const skip = process.platform !== 'linux' && 'needs Linux /proc';

function runFixture(mode: string): string {
  const child = spawnSync(
    process.execPath,
    ['--import', 'tsx', 'test/fixtures/telemetry-first-call.ts', mode],
    { cwd: root, encoding: 'utf8', timeout: 60_000 },
  );
  assert.equal(child.status, 0, child.stderr);
  return child.stdout;
}

// Epoch ms of a record timestamp, to the microsecond.
function epochMs(timestamp: string): number {
  const [, head, micros, tail] = /^(.*\.\d{3})(\d{3})(.*)$/.exec(timestamp)!;
  return Date.parse(`${head}${tail}`) + Number(micros) / 1000;
}

test('the sampler worker starts when a bench with telemetry is made, before any call', {
  skip,
}, () => {
  const { before, after } = JSON.parse(runFixture('idle')) as { before: number; after: number };
  assert.ok(after > before, `threads before ${before}, after ${after}: no sampler thread appeared`);
});

test("a process's first call: the initial sample is stamped when the call starts, before user code; a wait for the worker is not timed, and stated", {
  skip,
}, () => {
  const { record, userStartEpochMs } = JSON.parse(runFixture('call')) as {
    record: BenchRecord;
    userStartEpochMs: number;
  };
  const samples = record.telemetry as { timestamp: string }[];
  const first = epochMs(samples[0]!.timestamp);
  const start = epochMs(record.start_time);
  assert.ok(first >= start, 'not before start_time');
  assert.ok(
    first <= userStartEpochMs,
    `initial sample ${first - userStartEpochMs} ms after user code started`,
  );
  // start_time … finish_time spans the call, not a wait for the worker before it.
  const spanMs = epochMs(record.finish_time) - start;
  const durationMs = record.run_durations[0]! * 1000;
  const waitMs = record.telemetry_sampler?.startup_wait_ms ?? 0;
  assert.ok(spanMs >= durationMs);
  if (waitMs > 0)
    assert.ok(
      spanMs - durationMs < waitMs,
      `span ${spanMs}, duration ${durationMs}, wait ${waitMs}`,
    );
});
