// Sampler fidelity while the main thread is blocked in synchronous CPU-bound code: samples taken
// vs expected, |interval − set| (median, p95, max) and drift (DESIGN §7: 41 of 41 for 2 s at
// 50 ms, p95 ≤ 1 ms, no drift), for an arithmetic and an allocating call, alone and with one
// busy process beside it; and what the record itself says (samples taken / due, p95 and max
// lateness, the sampler thread's priority).
import { type ChildProcess, spawn } from 'node:child_process';
import type { BenchRecord, TelemetrySample } from '../src/index.js';
import { runInChild } from './_child.js';
import { loadLibrary } from './_lib.js';
import { idlePercent, readCpuCounters } from './_machine.js';
import type { BenchArgs, Check, Section } from './_report.js';
import {
  formatMs,
  formatNumber,
  formatPercent,
  maximum,
  median,
  minimum,
  percentile,
  theilSenSlope,
} from './_stats.js';

/** What the benchmarked call does: arithmetic only, or allocating an object per step. */
export type Workload = 'arithmetic' | 'allocating';

/** One fidelity run: sample every `intervalS` while the main thread burns `durationS`. */
export interface FidelityProbe {
  readonly intervalS: number;
  readonly durationS: number;
  /** Length of the warm-up call before the measured one. */
  readonly warmupMs: number;
  /** @default 'arithmetic' */
  readonly workload?: Workload;
  /** One CPU-bound process runs beside the benchmark. */
  readonly busyNeighbour?: boolean;
  /** The bench's `telemetryPriority`. @default 'raised' (the library's default) */
  readonly priority?: 'raised' | 'realtime';
}

/** What a fidelity run saw. */
export interface FidelityResult extends FidelityProbe {
  /** Sample times, epoch milliseconds. */
  readonly sampleEpochMs: number[];
  /** The record's start_time, epoch milliseconds. */
  readonly startEpochMs: number;
  /** The measured call's duration, seconds. */
  readonly callDurationS: number;
  /** The record's finish_time, epoch milliseconds. */
  readonly finishEpochMs: number;
  /** What the record says of its samples. */
  readonly recordDue: number | null;
  readonly recordTaken: number | null;
  readonly recordP95Ms: number | null;
  readonly recordMaxMs: number | null;
  readonly samplerPriority: string | null;
}

// A realistic telemetry function (runs on the sampler thread).
function telemetry(process: { memoryInfo(): { rss: number } }) {
  return { rss: process.memoryInfo().rss };
}

// CPU-bound synchronous work for `ms` milliseconds (arithmetic, checking the clock now and then).
function burn(ms: number): number {
  const end = performance.now() + ms;
  let x = 0;
  while (performance.now() < end) {
    for (let i = 0; i < 10_000; i++) x = (x * 31 + i) % 1_000_003;
  }
  return x;
}

// Allocating work for `ms` milliseconds: an object per step, kept (`a.push({x})`) so V8's
// concurrent GC threads have garbage to mark, dropped now and then to bound memory.
function allocate(ms: number): number {
  const end = performance.now() + ms;
  let kept: { x: number }[] = [];
  let x = 0;
  while (performance.now() < end) {
    for (let i = 0; i < 10_000; i++) kept.push({ x: x++ });
    if (kept.length > 2_000_000) kept = [];
  }
  return kept.length;
}

/** Epoch milliseconds of an ISO 8601 timestamp with microseconds (`...:30.123456+00:00`). */
export function parseTimestampMs(timestamp: string): number {
  const match = /^(.*\.\d{3})(\d{3})(.*)$/.exec(timestamp);
  if (!match) return Date.parse(timestamp);
  return Date.parse(`${match[1]}${match[3]}`) + Number(match[2]) / 1000;
}

/** Child process: one warm-up call, then the measured call; returns the sample times. */
export async function probeFidelity(probe: FidelityProbe): Promise<FidelityResult> {
  const { MicroBench } = await loadLibrary();
  const bench = new MicroBench({
    telemetry,
    telemetryInterval: probe.intervalS,
    telemetryPriority: probe.priority ?? 'raised',
    defaultMixins: false,
  });
  const wrapped = bench.wrap(probe.workload === 'allocating' ? allocate : burn);
  wrapped(probe.warmupMs);
  wrapped(probe.durationS * 1000);
  const records = await bench.getResults();
  const record = records[records.length - 1]! as BenchRecord;
  return {
    recordDue: record.telemetry_samples_due ?? null,
    recordTaken: record.telemetry_samples_taken ?? null,
    recordP95Ms: record.telemetry_lateness_p95_ms ?? null,
    recordMaxMs: record.telemetry_lateness_max_ms ?? null,
    samplerPriority: record.telemetry_sampler
      ? `${record.telemetry_sampler.priority} (nice ${record.telemetry_sampler.nice})`
      : null,
    ...probe,
    sampleEpochMs: ((record.telemetry ?? []) as TelemetrySample[]).map((s) =>
      parseTimestampMs(s.timestamp),
    ),
    startEpochMs: parseTimestampMs(record.start_time),
    callDurationS: record.run_durations[0] ?? Number.NaN,
    finishEpochMs: parseTimestampMs(record.finish_time),
  };
}

// Summary of one run.
function analyse(result: FidelityResult) {
  const intervalMs = result.intervalS * 1000;
  const times = result.sampleEpochMs;
  // Due by the call's end (start_time … finish_time, as the record says), not by its nominal
  // length: a call that runs past it (a GC pause beside a busy process) has one sample more due.
  const expected = Math.floor((result.finishEpochMs - result.startEpochMs) / intervalMs + 1e-9) + 1;
  const errors: number[] = [];
  for (let i = 1; i < times.length; i++)
    errors.push(Math.abs(times[i]! - times[i - 1]! - intervalMs));
  const first = times[0] ?? Number.NaN;
  // Lateness of each periodic sample against the schedule counted from the first sample; drift
  // = the lateness the schedule accumulates over the call: the Theil–Sen slope of lateness
  // against time, times the call's length. A schedule that adds error at every wake-up (a
  // relative timer) climbs steadily; a few late wake-ups do not tilt the median slope.
  const periodic = times.slice(1);
  const lateness = periodic.map((t) => {
    const slot = Math.max(1, Math.round((t - first) / intervalMs));
    return t - first - slot * intervalMs;
  });
  const drift =
    lateness.length >= 2
      ? theilSenSlope(
          periodic.map((t) => t - first),
          lateness,
        ) *
        (result.durationS * 1000)
      : 0;
  return {
    expected,
    taken: times.length,
    medianError: median(errors),
    p95Error: percentile(errors, 95),
    maxError: maximum(errors),
    // Without the first interval, which also carries the initial sample's delay.
    maxPeriodicError: maximum(errors.slice(1)),
    drift,
    initialDelay: first - result.startEpochMs,
  };
}

// The crowded allocating call with the sampler on the opt-in real-time policy.
const CROWDED_REALTIME = {
  intervalS: 0.05,
  durationS: 2,
  workload: 'allocating',
  busyNeighbour: true,
  priority: 'realtime',
} as const;

/**
 * Sampler timing with the main thread blocked: each configuration in a fresh process (a
 * warm-up call of 300 ms, then the measured call).
 */
export async function measure(args: BenchArgs): Promise<Section> {
  const warmupMs = args.quick ? 100 : 300;
  const probes: FidelityProbe[] = (
    args.quick
      ? [
          { intervalS: 0.05, durationS: 2 },
          { intervalS: 0.05, durationS: 2, workload: 'allocating' as const },
          { intervalS: 0.05, durationS: 2, workload: 'allocating' as const, busyNeighbour: true },
          CROWDED_REALTIME,
        ]
      : [
          { intervalS: 0.05, durationS: 2 },
          { intervalS: 0.05, durationS: 2 },
          { intervalS: 0.05, durationS: 2 },
          { intervalS: 0.01, durationS: 1 },
          { intervalS: 1, durationS: 5 },
          { intervalS: 0.05, durationS: 2, workload: 'allocating' as const },
          { intervalS: 0.05, durationS: 2, workload: 'allocating' as const },
          { intervalS: 0.05, durationS: 2, busyNeighbour: true },
          { intervalS: 0.05, durationS: 2, workload: 'allocating' as const, busyNeighbour: true },
          { intervalS: 0.05, durationS: 2, workload: 'allocating' as const, busyNeighbour: true },
          CROWDED_REALTIME,
          CROWDED_REALTIME,
          CROWDED_REALTIME,
        ]
  ).map((p) => ({ ...p, warmupMs }));
  const analysed = probes.map((probe) => {
    const neighbour = probe.busyNeighbour ? startBusyProcess() : undefined;
    try {
      const before = readCpuCounters();
      const result = runInChild<FidelityResult>(import.meta.url, 'probeFidelity', probe, {
        timeoutMs: 60_000,
      });
      return { result, idle: idlePercent(before, readCpuCounters()), ...analyse(result) };
    } finally {
      neighbour?.kill('SIGKILL');
    }
  });
  const rows = analysed.map((a) => [
    `${formatMs(a.result.intervalS * 1000)} for ${formatNumber(a.result.durationS)} s, ${a.result.workload ?? 'arithmetic'}${a.result.busyNeighbour ? ', one busy process beside' : ''}${a.result.priority === 'realtime' ? ", telemetryPriority 'realtime'" : ''}`,
    `${a.taken} / ${a.expected}`,
    a.result.recordTaken === null ? '—' : `${a.result.recordTaken} / ${a.result.recordDue}`,
    a.result.recordP95Ms === null ? '—' : formatMs(a.result.recordP95Ms),
    a.result.recordMaxMs === null ? '—' : formatMs(a.result.recordMaxMs),
    a.result.samplerPriority ?? '—',
    formatMs(a.medianError),
    formatMs(a.p95Error),
    formatMs(a.maxError),
    formatMs(a.drift),
    formatMs(a.initialDelay),
    formatPercent(a.idle),
  ]);
  // The targets' own configuration: an arithmetic call on an otherwise idle machine.
  const at50 = analysed.filter(
    (a) => a.result.intervalS === 0.05 && !a.result.workload && !a.result.busyNeighbour,
  );
  const allocating = analysed.filter((a) => a.result.workload === 'allocating');
  const crowdedAllocating = analysed.filter(
    (a) => a.result.busyNeighbour && a.result.workload === 'allocating',
  );
  // The crowded allocating runs by the priority the sampler thread actually got.
  const got = (a: (typeof analysed)[number], outcome: string) =>
    (a.result.samplerPriority ?? '').startsWith(outcome);
  const realtime = crowdedAllocating.filter((a) => got(a, 'realtime'));
  const raisedOnly = crowdedAllocating.filter((a) => got(a, 'raised'));
  const p95With = (a: (typeof analysed)[number]) =>
    `${formatMs(a.p95Error)} (${a.result.samplerPriority})`;
  const worstCount = at50.reduce((w, a) => (a.taken - a.expected < w.taken - w.expected ? a : w));
  const worstP95 = maximum(at50.map((a) => a.p95Error));
  const worstDrift = maximum(analysed.map((a) => Math.abs(a.drift)));
  const checks: Check[] = [
    {
      target: 'sampler, CPU-bound main thread, 2 s at 50 ms: every expected sample (41 of 41)',
      measured: `${worstCount.taken} of ${worstCount.expected}${at50.length > 1 ? ` (worst of ${at50.length} runs)` : ''}`,
      pass: at50.every((a) => a.taken === a.expected),
      missNote:
        "Every sample due by a call's end belongs to its record (the last one, due as the 2 s call ends, is waited for: src/telemetry/protocol.ts), so a sample is missing only when the sampler thread woke more than half an interval late and skipped the slot it missed (src/telemetry/worker.ts `takeSample`). With the main thread burning one of the two cores, that means other processes held the other core for 25 ms or more: see the machine-idle column.",
    },
    {
      target: 'sampler, 50 ms: p95 of |interval − set| ≤ 1 ms',
      measured: formatMs(worstP95),
      pass: worstP95 <= 1,
      missNote: `The late intervals are late wake-ups of the sampler thread (1–3 ms) while the second core was mostly free (the machine was ${formatPercent(minimum(at50.map((a) => a.idle)))} idle in the worst 50 ms run, the burning main thread being the other ~50 %): the thread was due but not yet running. With 40 intervals per run, the p95 is the second-worst interval, so two such wake-ups in one run miss the target. Waking earlier and spinning does not help a thread that is not scheduled; the sampler thread raises its own priority where allowed (the sampler-priority column says what it got).`,
    },
    {
      target:
        'sampler, allocating call at 50 ms (alone and with one busy process beside it): every expected sample, and the record says so',
      measured: allocating
        .map(
          (a) =>
            `${a.taken} / ${a.expected} (record: ${a.result.recordTaken} / ${a.result.recordDue})`,
        )
        .join(', '),
      pass: allocating.every(
        (a) => a.taken === a.expected && a.result.recordTaken === a.result.recordDue,
      ),
    },
    {
      target:
        'sampler, allocating call with one busy process beside it: p95 |interval − set| ≤ 1 ms where a higher sampler priority is allowed',
      measured: [
        ...(realtime.length > 0
          ? [`opt-in realtime: ${realtime.map((a) => p95With(a)).join(', ')}`]
          : []),
        `default raised: ${crowdedAllocating
          .filter((a) => a.result.priority !== 'realtime')
          .map((a) => p95With(a))
          .join(', ')}`,
      ].join('; '),
      // Judged on the highest priority the process obtained: the opt-in real-time policy where
      // the kernel granted it, else the default raised nice value (a normal priority, where
      // nothing is permitted, is outside this target).
      pass: (realtime.length > 0 ? realtime : raisedOnly).every((a) => a.p95Error <= 1),
      missNote:
        'The record of each run gives the sampler thread priority it got (raised = nice −20 for the last 10 ms before each due sample): a late sample with a raised priority means the kernel still ran something else first; see docs/telemetry.md, "Sampler priority".',
    },
    {
      target:
        'sampler: no drift (lateness accumulated over the call, Theil–Sen slope, within 1 ms)',
      measured: `${formatMs(worstDrift)} (worst configuration)`,
      pass: worstDrift <= 1,
    },
  ];
  return {
    title: 'Sampler fidelity under a blocked main thread',
    method: [
      "The main thread runs a CPU-bound synchronous loop (no event loop turns) inside a wrapped call with telemetry (`memoryInfo().rss`); the record's sample timestamps give the intervals.",
      `Each configuration runs in a fresh process: a warm-up call (${warmupMs} ms), then the measured one. The allocating call pushes an object per step (\`a.push({x})\`), which keeps V8's concurrent GC threads busy; "one busy process beside" runs \`node -e 'for(;;){}'\` during the run. The record columns are what the record itself says (telemetry_samples_taken / _due, telemetry_lateness_p95_ms / _max_ms against the schedule start + k·interval, telemetry_sampler).`,
      "Expected = the call's length (the record's finish_time − start_time) / interval, rounded down, + 1 (the initial sample). Drift = the lateness (against the schedule counted from the first sample) that accumulates over the call: the Theil–Sen slope of lateness against time (the median of the slopes between every pair of samples) times the call's length. A schedule that adds error at every wake-up climbs steadily and shows up there; a few late wake-ups do not tilt it. Initial delay = first sample − the record's `start_time` (which is stamped just before the session starts, so it is never negative).",
    ].join(' '),
    tables: [
      {
        head: [
          'interval, call length, workload',
          'samples / expected',
          'record: taken / due',
          'record: p95 lateness',
          'record: max lateness',
          'sampler priority',
          'median |Δ − set|',
          'p95 |Δ − set|',
          'max |Δ − set|',
          'drift',
          'initial delay',
          'machine idle',
        ],
        rows,
      },
    ],
    checks,
    notes: [
      `The worst interval after the first, per 50 ms run: ${at50.map((a) => formatMs(a.maxPeriodicError)).join(', ')}. The first interval also carries the initial sample's delay (the initial-delay column: the start message's trip to the sampler thread), which is mostly what the max column shows. It is a few tenths of a millisecond once a process is warm, and 2–5 ms in some of a process's first calls: V8's background threads, compiling the hot code, hold the second core while the burning main thread holds the first, and the sampler thread waits for a CPU. Under \`node --single-threaded\` (no V8 background threads) none of 16 processes had it, against 5 of 16 by default.`,
    ],
  };
}

// One CPU-bound process beside the benchmark (a plain busy loop), until killed.
function startBusyProcess(): ChildProcess {
  const child = spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' });
  child.unref();
  process.once('exit', () => child.kill('SIGKILL'));
  return child;
}
