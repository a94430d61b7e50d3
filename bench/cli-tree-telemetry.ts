// CPU the CLI spends on tree telemetry (DESIGN §7: ≤ 1 % of one core at 100 ms, 10-process tree
// included): `microbench --telemetry-interval 0.1 -- sh -c '<9 sleeps> & wait'` against the same
// run without telemetry, microbench's own CPU read from /proc/<pid>/stat (its children excluded).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { CLI_PATH } from './_lib.js';
import type { BenchArgs, Check, Section } from './_report.js';
import { formatPercent, sleep } from './_stats.js';

// User + system CPU milliseconds of a process so far (fields 14 and 15, 10 ms ticks).
function cpuMs(pid: number): number {
  const text = readFileSync(`/proc/${pid}/stat`, 'latin1');
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

// microbench's share of a core while it wraps the tree for `windowS` (after 1 s to settle).
async function measureOnce(telemetry: boolean, windowS: number): Promise<number> {
  const script = `${Array.from({ length: 9 }, () => `sleep ${windowS + 2} &`).join(' ')} wait`;
  const args = [CLI_PATH, '--no-mixin', ...(telemetry ? ['--telemetry-interval', '0.1'] : [])];
  const child = spawn(process.execPath, [...args, '--', 'sh', '-c', script], { stdio: 'ignore' });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  await sleep(1000);
  const before = cpuMs(child.pid!);
  const start = performance.now();
  await sleep(windowS * 1000);
  const used = cpuMs(child.pid!) - before;
  const wallMs = performance.now() - start;
  child.kill('SIGTERM');
  await exited;
  return (used / wallMs) * 100;
}

/** Tree telemetry's CPU cost in the CLI. */
export async function measure(args: BenchArgs): Promise<Section> {
  if (process.platform !== 'linux') {
    return {
      title: 'CLI tree telemetry CPU',
      method: 'Needs Linux /proc.',
      tables: [],
      checks: [],
      notes: [],
    };
  }
  const windowS = args.quick ? 2 : 5;
  const rounds = args.quick ? 1 : 3;
  const off: number[] = [];
  const on: number[] = [];
  for (let i = 0; i < rounds; i++) {
    off.push(await measureOnce(false, windowS));
    on.push(await measureOnce(true, windowS));
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const cost = mean(on) - mean(off);
  const checks: Check[] = [
    {
      target: 'CLI tree telemetry at 100 ms, 10-process tree ≤ 1 % of one core',
      measured: formatPercent(cost),
      pass: cost <= 1,
      missNote:
        'Per sample the sampler walks the tree (one children file per single-threaded process, through a kept descriptor) and reads the stat of each process as bytes (CPU, RSS and thread count from one read) and its VmHWM once a second; PSS reads are held to 0.1 % of a core, the processes in turn (src/telemetry/process-tree.ts pssBudget).',
    },
  ];
  return {
    title: 'CLI tree telemetry CPU',
    method: `\`microbench --telemetry-interval 0.1 -- sh -c '<9 sleeps> & wait'\` (10 processes) against the same run without telemetry, ${rounds} round(s) of ${windowS} s each after 1 s to settle; microbench's own user + system CPU from /proc/<pid>/stat (children excluded, 10 ms ticks).`,
    tables: [
      {
        head: ['run', 'microbench CPU (share of one core)'],
        rows: [
          ['no telemetry', formatPercent(mean(off))],
          ['tree telemetry every 100 ms', formatPercent(mean(on))],
        ],
      },
    ],
    checks,
    notes: [],
  };
}
