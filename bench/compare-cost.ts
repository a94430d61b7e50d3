// `microbench compare` of two 100,000-iteration results files: wall time of the CLI, and the
// time and peak memory of reading and comparing in a fresh process (the library's readSamples +
// compareSamples + renderComparison), for one big record, many small ones and ten times more.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInChild } from './_child.js';
import { CLI_PATH, loadLibrary } from './_lib.js';
import type { BenchArgs, Check, Section } from './_report.js';
import { formatBytes, formatCount, formatMs, median } from './_stats.js';

/** What {@link probeCompare} measured in its fresh process. */
export interface CompareProbeResult {
  readonly ms: number;
  readonly rssBeforeBytes: number;
  readonly maxRssBytes: number;
  /** Heap and array buffers still held after a full GC, with the samples referenced, minus before. */
  readonly retainedBytes: number;
  readonly verdict: string;
}

// Heap in use plus array buffers (where the durations live), after full collections; a pause
// between them lets the freed read buffers' memory be returned and counted (on a loaded machine
// the threads that free it run late).
async function heldBytes(): Promise<number> {
  for (let i = 0; i < 4; i++) {
    (globalThis as { gc?: () => void }).gc?.();
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

/** Read and compare two files in this (fresh) process; the time and the peak RSS. */
export async function probeCompare(args: { a: string; b: string }): Promise<CompareProbeResult> {
  const lib = await loadLibrary();
  const heldBefore = await heldBytes();
  const rssBeforeBytes = process.memoryUsage().rss;
  const start = performance.now();
  const base = await lib.readSamples([args.a]);
  const candidate = await lib.readSamples([args.b]);
  const comparison = lib.compareSamples(base.benchmarks, candidate.benchmarks);
  lib.renderComparison(comparison, 'json');
  const ms = performance.now() - start;
  const maxRssBytes = process.resourceUsage().maxRSS * 1024;
  const retainedBytes = (await heldBytes()) - heldBefore;
  // Keep the samples alive through the measurement above.
  if (base.benchmarks.length + candidate.benchmarks.length < 0) throw new Error('unreachable');
  return {
    ms,
    rssBeforeBytes,
    maxRssBytes,
    retainedBytes,
    verdict: comparison.benchmarks[0]?.verdict ?? 'none',
  };
}

// A seeded lognormal sample (10 ms median, σ = 5 %), scaled: the durations a file holds.
function lognormalDurations(count: number, scale: number, seed: number): number[] {
  let state = seed >>> 0;
  const uniform = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return (state + 0.5) / 4294967296;
  };
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    const z = Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
    out.push(0.01 * scale * Math.exp(0.05 * z));
  }
  return out;
}

// Write `iterations` durations as records of `perRecord` durations each.
function writeResults(path: string, iterations: number, perRecord: number, scale: number): void {
  const all = lognormalDurations(iterations, scale, scale === 1 ? 1 : 2);
  const lines: string[] = [];
  for (let i = 0; i < iterations; i += perRecord) {
    lines.push(
      JSON.stringify({ function_name: 'parse', run_durations: all.slice(i, i + perRecord) }),
    );
  }
  writeFileSync(path, `${lines.join('\n')}\n`);
}

// Median wall time of `node dist/cli/bin.cjs ...args` (and of `node -e 0`, for the start-up).
function cliWallMs(args: readonly string[], rounds: number): number {
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const start = performance.now();
    const child = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit'] });
    times.push(performance.now() - start);
    if (child.status !== 0) throw new Error(`${args.join(' ')} exited ${child.status}`);
  }
  return median(times);
}

/** The compare group of `npm run bench`. */
export async function measure(args: BenchArgs): Promise<Section> {
  const dir = mkdtempSync(join(tmpdir(), 'microbench-compare-bench-'));
  try {
    const rounds = args.quick ? 3 : 7;
    const cases = [
      { label: '100,000 iterations in 1 record', iterations: 100_000, perRecord: 100_000 },
      { label: '100,000 iterations in 1,000 records', iterations: 100_000, perRecord: 100 },
      { label: '1,000,000 iterations in 10 records', iterations: 1_000_000, perRecord: 100_000 },
    ];
    const nodeMs = cliWallMs(['-e', '0'], rounds);
    const rows: string[][] = [];
    const checks: Check[] = [];
    for (const c of cases) {
      const a = join(dir, `a-${c.perRecord}-${c.iterations}.jsonl`);
      const b = join(dir, `b-${c.perRecord}-${c.iterations}.jsonl`);
      writeResults(a, c.iterations, c.perRecord, 1);
      writeResults(b, c.iterations, c.perRecord, 1.1);
      const probes: CompareProbeResult[] = [];
      for (let i = 0; i < rounds; i++) {
        probes.push(runInChild<CompareProbeResult>(import.meta.url, 'probeCompare', { a, b }));
      }
      const wall = cliWallMs([CLI_PATH, 'compare', a, b, '--format', 'json'], rounds);
      const inProcess = median(probes.map((p) => p.ms));
      const growth = median(probes.map((p) => p.maxRssBytes - p.rssBeforeBytes));
      const retained = median(probes.map((p) => p.retainedBytes));
      const durationBytes = c.iterations * 2 * 8;
      const fileBytes = statSync(a).size + statSync(b).size;
      rows.push([
        c.label,
        formatBytes(fileBytes),
        formatMs(inProcess),
        formatMs(wall),
        formatMs(wall - nodeMs),
        formatBytes(growth),
        formatBytes(retained),
        formatBytes(durationBytes),
        probes[0]!.verdict,
      ]);
      if (c.iterations === 100_000 && c.perRecord === 100_000) {
        checks.push({
          target: 'compare of two 100,000-iteration files well under a second (CLI wall time)',
          measured: formatMs(wall),
          pass: wall < 1000,
          missNote: `the in-process share is ${formatMs(inProcess)}; Node's start-up here is ${formatMs(nodeMs)}`,
        });
      }
      if (c.iterations === 1_000_000) {
        // A growing Float64Array holds up to twice its values; 8 MiB for the rest: the reader's
        // 1 MiB chunks and the longest line (2 MiB here) whose memory is returned late on a
        // loaded machine, which depend on the line length, not on the file's size.
        checks.push({
          target:
            'compare holds durations, not records: memory kept ≤ 2 × 8 B per iteration + 8 MiB',
          measured: `${formatBytes(retained)} for ${formatCount(c.iterations * 2)} iterations`,
          pass: retained <= 2 * durationBytes + 8 * 1024 * 1024,
        });
      }
    }
    return {
      title: 'Compare',
      method: `Two generated results files per case (lognormal, the candidate 10 % slower), compared ${rounds} times each: in a fresh process through the library (readSamples, compareSamples, renderComparison json: the time, and the growth of peak RSS from before reading), and as \`microbench compare A B --format json\` (median wall time; \`node -e 0\` takes ${formatMs(nodeMs)} here).`,
      tables: [
        {
          head: [
            'files',
            'size (both)',
            'read + compare',
            'CLI wall',
            'CLI − node start',
            'peak RSS growth',
            'kept after GC',
            'durations (8 B each)',
            'verdict',
          ],
          rows,
        },
      ],
      checks,
      notes: [
        `Iterations compared: ${formatCount(100_000)} and ${formatCount(1_000_000)} per side; the bootstrap draws 10,000 resample medians per side in constant time each, so its cost does not grow with n.`,
      ],
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
