// Reading results at any size (DESIGN §10): time and peak RSS of `microbench summary`,
// `compare` and `report` on 100,000 records and on a ~600 MB file of long telemetry runs,
// each in a fresh CLI process. The targets: the file's size does not set the memory (≤ 400 MiB
// for both), and the report of 100,000 records stays a light page (≤ 5 MB).
import { spawnSync } from 'node:child_process';
import {
  closeSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLI_PATH } from './_lib.js';
import type { BenchArgs, Check, Section } from './_report.js';
import { formatMs } from './_stats.js';

const MAX_RSS_PRELOAD = fileURLToPath(new URL('./_max-rss.cjs', import.meta.url));
const MIB = 1024 * 1024;

// A small seeded generator, so every run writes the same files.
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return (state + 0.5) / 4294967296;
  };
}

// Write `records` v1 records of four benchmarks, each with `samples` telemetry samples, as a
// JSON Lines file, in 4 MiB writes (the generator never holds the file).
function writeResults(path: string, records: number, samples: number, slower: number): number {
  const random = seeded(records * 31 + samples + (slower > 1 ? 7 : 0));
  const fd = openSync(path, 'w');
  let chunk: string[] = [];
  let chunkLength = 0;
  const start = Date.UTC(2026, 11, 1) / 1000;
  for (let i = 0; i < records; i++) {
    const bench = i % 4;
    const t0 = start + i * 2;
    const duration = (0.01 + bench * 0.005) * slower * (1 + 0.05 * (random() - 0.5));
    const telemetry: { timestamp: string; cpu_percent: number; rss_bytes: number }[] = [];
    for (let s = 0; s < samples; s++) {
      telemetry.push({
        timestamp: new Date((t0 + (s * duration) / samples) * 1000).toISOString(),
        cpu_percent: Math.round(900 + random() * 100) / 10,
        rss_bytes: 50_000_000 + Math.floor(random() * 5_000_000),
      });
    }
    const line = JSON.stringify({
      mb_run_id: `run-${Math.floor(i / 1000)}`,
      mb_version: '0.4.0',
      start_time: new Date(t0 * 1000).toISOString(),
      finish_time: new Date((t0 + duration) * 1000).toISOString(),
      function_name: `bench_${bench}`,
      run_durations: [duration],
      call_returned: [true],
      telemetry,
      telemetry_samples_total: samples,
      telemetry_samples_missed: 0,
    });
    chunk.push(line);
    chunkLength += line.length + 1;
    if (chunkLength >= 4 * MIB || i === records - 1) {
      writeSync(fd, `${chunk.join('\n')}\n`);
      chunk = [];
      chunkLength = 0;
    }
  }
  closeSync(fd);
  return statSync(path).size;
}

interface CliRun {
  readonly ms: number;
  readonly maxRssBytes: number;
}

// One fresh `microbench ...args` process: its wall time and peak RSS (read by the preload).
function runCli(args: readonly string[], dir: string): CliRun {
  const rssFile = join(dir, 'max-rss');
  const start = performance.now();
  const child = spawnSync(process.execPath, ['--require', MAX_RSS_PRELOAD, CLI_PATH, ...args], {
    cwd: dir,
    env: { ...process.env, MB_BENCH_MAX_RSS_FILE: rssFile },
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8',
    maxBuffer: 16 * MIB,
  });
  const ms = performance.now() - start;
  if (child.status !== 0) {
    throw new Error(`microbench ${args.join(' ')} exited ${child.status}: ${child.stderr}`);
  }
  return { ms, maxRssBytes: Number(readFileSync(rssFile, 'utf8')) };
}

const mib = (bytes: number) => `${(bytes / MIB).toFixed(1)} MiB`;

/** The scale group of `npm run bench`. */
export async function measure(args: BenchArgs): Promise<Section> {
  const dir = mkdtempSync(join(tmpdir(), 'microbench-scale-bench-'));
  try {
    const cases = args.quick
      ? [
          { label: '10,000 records × 10 samples', records: 10_000, samples: 10, many: true },
          { label: '2,000 records × 250 samples', records: 2_000, samples: 250, many: false },
        ]
      : [
          { label: '100,000 records × 10 samples', records: 100_000, samples: 10, many: true },
          { label: '30,000 records × 250 samples', records: 30_000, samples: 250, many: false },
        ];
    const rows: string[][] = [];
    const checks: Check[] = [];
    for (const c of cases) {
      const a = join(dir, `a-${c.records}.jsonl`);
      const b = join(dir, `b-${c.records}.jsonl`);
      const size = writeResults(a, c.records, c.samples, 1);
      writeResults(b, c.records, c.samples, 1.1);
      const html = join(dir, `report-${c.records}.html`);
      const runs = {
        summary: runCli(['summary', a, '--format', 'json'], dir),
        compare: runCli(['compare', a, b, '--format', 'json'], dir),
        report: runCli(['report', a, '-o', html, '--force'], dir),
      };
      const htmlBytes = statSync(html).size;
      for (const [command, run] of Object.entries(runs)) {
        rows.push([
          c.label,
          mib(size),
          command,
          formatMs(run.ms),
          mib(run.maxRssBytes),
          command === 'report' ? mib(htmlBytes) : '',
        ]);
      }
      const worst = Math.max(...Object.values(runs).map((r) => r.maxRssBytes));
      checks.push({
        target: `summary, compare and report of ${c.label} (${mib(size)}) peak ≤ 400 MiB RSS`,
        measured: `${mib(worst)} at most`,
        pass: worst <= 400 * MIB,
      });
      if (c.many) {
        checks.push({
          target: `report of ${c.label} ≤ 5 MB`,
          measured: `${(htmlBytes / 1e6).toFixed(2)} MB`,
          pass: htmlBytes <= 5e6,
        });
      }
    }
    return {
      title: 'Results at any size',
      method:
        "Generated v1 results files (four benchmarks, one iteration and N telemetry samples per record; the compared file 10 % slower), each command once in a fresh `node dist/cli/bin.cjs` process: wall time, and peak RSS (the process's own maxRSS at exit, written by a preloaded bench/_max-rss.cjs).",
      tables: [
        {
          head: ['file', 'size', 'command', 'wall time', 'peak RSS', 'HTML'],
          rows,
        },
      ],
      checks,
      notes: [
        'The readers stream the file line by line and keep running aggregates (durations as 8-byte numbers, decimated telemetry), so the peak follows the number of iterations kept, not the file size.',
      ],
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
