// internal: three reference timings of the host itself, stated with the machine, so that runs on
// different hosts (or one VM moved to other hardware) can be told apart from a change in the code.
// They are the primitives the wrapper's paths are made of: a clock reading, a JSON encode and one
// appending `write(2)`.
import { closeSync, constants, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatUs, median } from './_stats.js';

/** Median cost of each primitive over several rounds (µs per operation). */
export interface HostSpeed {
  readonly clockReadUs: number;
  readonly jsonEncodeUs: number;
  readonly appendWriteUs: number;
}

// A record-sized object (about 400 bytes of JSON), built once.
const SAMPLE_RECORD = {
  mb_run_id: '6d1c3c3e-2d9b-4d0a-9b1e-2f1f0f6a9c41',
  mb_version: '0.1.0',
  function_name: 'reference',
  start_time: '2026-11-29T03:54:24.123456+00:00',
  finish_time: '2026-11-29T03:54:24.123789+00:00',
  run_durations: [0.000333],
  node_version: '20.20.2',
  hostname: 'bench-host',
  pid: 12345,
  fields: { experiment: 'baseline', size: 1000, ratio: 0.25, ok: true },
  telemetry: [{ timestamp: '2026-11-29T03:54:24.123500+00:00', rss: 114958336, vms: 56269746176 }],
};

function perOperationUs(rounds: number, count: number, operation: () => void): number {
  const results: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const start = performance.now();
    for (let i = 0; i < count; i++) operation();
    results.push(((performance.now() - start) * 1000) / count);
  }
  return median(results);
}

/** Time the three primitives (about half a second in all). */
export function measureHostSpeed(): HostSpeed {
  let sink = 0;
  const clockReadUs = perOperationUs(7, 200_000, () => {
    sink += performance.now();
  });
  const jsonEncodeUs = perOperationUs(7, 20_000, () => {
    sink += JSON.stringify(SAMPLE_RECORD).length;
  });
  const dir = mkdtempSync(join(tmpdir(), 'microbench-bench-host-'));
  const fd = openSync(
    join(dir, 'lines.jsonl'),
    constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT,
  );
  const line = Buffer.from(`${JSON.stringify(SAMPLE_RECORD)}\n`);
  let appendWriteUs: number;
  try {
    appendWriteUs = perOperationUs(7, 5_000, () => {
      sink += writeSync(fd, line);
    });
  } finally {
    closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  }
  if (sink === -1) throw new Error('unreachable');
  return { clockReadUs, jsonEncodeUs, appendWriteUs };
}

/** One line for the machine description. */
export function renderHostSpeed(speed: HostSpeed): string {
  return (
    `Host speed (median per operation): \`performance.now()\` ${formatUs(speed.clockReadUs)}, ` +
    `\`JSON.stringify\` of a ${Buffer.byteLength(JSON.stringify(SAMPLE_RECORD))} B record ${formatUs(speed.jsonEncodeUs)}, ` +
    `one O_APPEND \`write(2)\` of it to the temp folder ${formatUs(speed.appendWriteUs)}`
  );
}
