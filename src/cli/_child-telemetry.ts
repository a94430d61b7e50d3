// internal: the CLI's `--telemetry-interval` sampling of the wrapped command, one run per timed
// iteration.
//
//   spawn ──► sample now ──► sample at t0 + k·interval (absolute targets, no drift) ──► stop()
//                 │                      │
//                 └──── ProcessTreeSampler: cpu_percent, rss_bytes, pss_bytes, num_processes
//                       summed over the tree (the default scope), or cpu_percent and rss_bytes
//                       of the command alone (--telemetry-scope direct); the highest VmHWM
//                       or RSS of any one process of that scope → peak RSS (resource_usage maxrss)
//
// This runs on the CLI's main thread: while the command runs, that thread has nothing else to
// do, so no worker is needed (the library's sampler needs one because its main thread is busy
// running the benchmarked code).
import type { TelemetrySample } from '../record/record.js';
import { formatTimestamp, nowEpochMs, type Timezone } from '../record/timestamp.js';
import { NoSuchProcessError } from '../telemetry/process-info.js';
import { ProcessTreeSampler } from '../telemetry/process-tree.js';
import { accountSamples, type SampleAccount } from '../telemetry/sample-account.js';

/** Options of {@link startChildTelemetry}. */
export interface ChildTelemetryOptions {
  /** Seconds between samples (fractions allowed). */
  readonly intervalS: number;
  /** `tree`: sum the command and every descendant; `direct`: the command's own process. */
  readonly scope: 'tree' | 'direct';
  /** Timezone of the sample timestamps. */
  readonly timezone: Timezone;
  /** Called with each sample as it is taken (its fields without `timestamp`), e.g. to journal it. */
  readonly onSample?: (epochMs: number, fields: Record<string, unknown>) => void;
}

/** What one iteration's sampling gave. */
export interface ChildTelemetryResult {
  /** `{timestamp, cpu_percent, rss_bytes, ...}`, oldest first; possibly empty. */
  readonly samples: TelemetrySample[];
  /** Highest RSS of any one sampled process (its `VmHWM`), in bytes; null when never read. */
  readonly peakRssBytes: number | null;
  /** Samples due from the start until sampling ended (stop, or the command gone), taken, missed. */
  readonly account: SampleAccount;
  /**
   * Whether the command had exited before its initial sample could be read (a command of a
   * few milliseconds): its due sample is missed for that reason, not for lack of CPU.
   */
  readonly exitedBeforeFirstSample: boolean;
}

/** A running sampling session; `stop()` ends it and returns what was sampled. */
export interface ChildTelemetryRun {
  stop(): ChildTelemetryResult;
}

/**
 * Start sampling process `pid`: one sample at once, then one every `intervalS`, scheduled
 * against absolute targets so the cadence does not drift; targets missed (a stalled event loop)
 * are skipped, never taken in a burst. Sampling stops by itself when the process is gone.
 */
export function startChildTelemetry(
  pid: number,
  options: ChildTelemetryOptions,
): ChildTelemetryRun {
  const samples: TelemetrySample[] = [];
  // When each sample was taken (epoch ms), for the account of due and missed samples.
  const takenAtMs: number[] = [];
  const anchorEpochMs = nowEpochMs();
  let endEpochMs: number | undefined;
  const intervalMs = options.intervalS * 1000;
  const children = options.scope === 'tree';
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let sampler: ProcessTreeSampler | undefined;
  try {
    sampler = new ProcessTreeSampler(pid, { children });
  } catch (error) {
    stopped = true;
    endEpochMs = anchorEpochMs;
    sampler?.close();
    if (!(error instanceof NoSuchProcessError)) {
      samples.push({
        timestamp: formatTimestamp(anchorEpochMs, options.timezone),
        error: describe(error),
      });
      takenAtMs.push(anchorEpochMs);
    }
  }

  const close = () => {
    if (!stopped) endEpochMs = nowEpochMs();
    stopped = true;
    if (timer !== undefined) clearTimeout(timer);
    sampler?.close();
  };

  // Take one sample; a vanished process ends sampling quietly, any other failure is recorded once.
  const takeSample = () => {
    if (stopped || sampler === undefined) return;
    const epochMs = nowEpochMs();
    const timestamp = formatTimestamp(epochMs, options.timezone);
    try {
      const { num_processes, ...sample } = sampler.sample();
      // The command has exited (a zombie not yet reaped): nothing left to sample.
      if (sampler.rootExited) return close();
      // The process count says something only for a tree; alone it is always 1.
      const fields = children ? { ...sample, num_processes } : sample;
      samples.push({ timestamp, ...fields });
      takenAtMs.push(epochMs);
      options.onSample?.(epochMs, fields);
    } catch (error) {
      if (!(error instanceof NoSuchProcessError)) {
        samples.push({ timestamp, error: describe(error) });
        takenAtMs.push(epochMs);
      }
      close();
    }
  };

  const startMs = performance.now();
  let k = 0;
  // Arm the timer for the next target after now.
  const schedule = () => {
    if (stopped) return;
    const now = performance.now();
    k = Math.max(k + 1, Math.floor((now - startMs) / intervalMs) + 1);
    timer = setTimeout(tick, Math.max(0, startMs + k * intervalMs - now));
    timer.unref();
  };
  const tick = () => {
    takeSample();
    schedule();
  };

  takeSample();
  schedule();
  return {
    stop() {
      // Sampling that ended by itself with nothing taken (a failure is a sample of its own):
      // the command was gone before its initial sample.
      const exitedBeforeFirstSample = stopped && samples.length === 0;
      close();
      const account = accountSamples(takenAtMs, anchorEpochMs, intervalMs, endEpochMs!);
      return {
        samples,
        peakRssBytes: sampler?.peakRssBytes ?? null,
        account,
        exitedBeforeFirstSample,
      };
    },
  };
}

/**
 * Run a throw-away session on this process, before the first timed iteration. Functions are
 * compiled on their first call: a first session run cold took ~5 ms of the CLI's main thread
 * against ~1 ms warm, and a short command's exit, which that thread has to see, was seen that
 * much later (`true` measured 11.7 ms with telemetry against 6.0 ms without). Failures are
 * ignored: the command's own session reports them.
 */
export function warmChildTelemetry(scope: 'tree' | 'direct', timezone: Timezone): void {
  try {
    startChildTelemetry(process.pid, { intervalS: 3600, scope, timezone }).stop();
  } catch {
    // Reported, if it happens again, by the command's own session.
  }
}

// `Type: message` of a failure, for the record.
function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
