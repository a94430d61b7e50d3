// What CLI telemetry does to the measured time of a short command: `microbench -n 5
// --telemetry-interval 0.1 -- true` against the same without telemetry, from the records'
// run_durations. The initial sample is taken on the CLI's main thread just after the command
// starts, and that thread must also see the command exit: a costly sample lengthens the time.
import { spawnSync } from 'node:child_process';
import { CLI_PATH } from './_lib.js';
import type { BenchArgs, Check, Section } from './_report.js';
import { formatMs, median, percentile } from './_stats.js';

/** Our target: a command's measured time with telemetry within this many ms of it without. */
const ADDED_TARGET_MS = 2;

// The run_durations (ms) of one CLI run of `true`, first iteration apart from the others.
function runOnce(telemetry: boolean, iterations: number): { first: number; rest: number[] } {
  const args = [CLI_PATH, '--no-mixin', '-n', String(iterations)];
  if (telemetry) args.push('--telemetry-interval', '0.1');
  const child = spawnSync(process.execPath, [...args, '--', 'true'], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  if (child.status !== 0) {
    throw new Error(`microbench exited with ${child.status ?? child.signal}: ${child.stderr}`);
  }
  const record = JSON.parse(child.stdout) as { run_durations: number[] };
  const ms = record.run_durations.map((s) => s * 1000);
  return { first: ms[0]!, rest: ms.slice(1) };
}

/** A short command's measured time with and without CLI telemetry. */
export async function measure(args: BenchArgs): Promise<Section> {
  const title = 'CLI telemetry and a short command’s measured time';
  if (process.platform !== 'linux') {
    return { title, method: 'Needs Linux /proc.', tables: [], checks: [], notes: [] };
  }
  const rounds = args.quick ? 5 : 20;
  const iterations = 5;
  const times = {
    off: { first: [] as number[], rest: [] as number[] },
    on: { first: [] as number[], rest: [] as number[] },
  };
  for (let round = -1; round < rounds; round++) {
    for (const key of round % 2 === 0 ? (['off', 'on'] as const) : (['on', 'off'] as const)) {
      const { first, rest } = runOnce(key === 'on', iterations);
      if (round < 0) continue;
      times[key].first.push(first);
      times[key].rest.push(...rest);
    }
  }
  const addedFirst = median(times.on.first) - median(times.off.first);
  const addedRest = median(times.on.rest) - median(times.off.rest);
  const row = (label: string, values: number[]) => [
    label,
    formatMs(median(values)),
    formatMs(percentile(values, 90)),
  ];
  const checks: Check[] = [
    {
      target: `CLI telemetry adds ≤ ${ADDED_TARGET_MS} ms to a short command's measured time (\`true\`, first iteration, medians)`,
      measured: `${formatMs(addedFirst)} (later iterations: ${formatMs(addedRest)})`,
      pass: addedFirst <= ADDED_TARGET_MS,
      missNote:
        'The first iteration’s initial sample runs code the CLI has not run before; `warmChildTelemetry` (src/cli/_child-telemetry.ts) runs a session on the CLI’s own process first so that it does not, and a miss here means that warm-up no longer covers what the first sample runs.',
    },
  ];
  return {
    title,
    method: `\`microbench --no-mixin -n ${iterations} [--telemetry-interval 0.1] -- true\`, ${rounds} runs of each (after one warm-up run each), interleaved; the times are the records' \`run_durations\`, the first iteration apart from the other ${iterations - 1}.`,
    tables: [
      {
        head: ['run_durations of `true`', 'median', 'p90'],
        rows: [
          row('first iteration, no telemetry', times.off.first),
          row('first iteration, telemetry at 100 ms', times.on.first),
          row('later iterations, no telemetry', times.off.rest),
          row('later iterations, telemetry at 100 ms', times.on.rest),
        ],
      },
    ],
    checks,
    notes: [],
  };
}
