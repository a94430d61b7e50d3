/**
 * Process-tree sampling for the CLI's `--telemetry-interval` and `--telemetry-children`: the
 * CPU and memory of a command and, on request, of everything it started.
 *
 *   sample() ── listDescendants(root) ── /proc/<pid>/task/<tid>/children (or a /proc scan)
 *       │
 *       └── per pid: a kept ProcessInfo + its CPU seconds at the previous sample
 *              Δcpu summed over the tree / Δwall × 100  →  cpu_percent
 *              Σ rss (statm), Σ pss (smaps_rollup)      →  rss_bytes, pss_bytes
 *
 * Per-pid CPU baselines live across samples, so a child is not stuck at 0 % the way a fresh
 * psutil.Process would be (psrecord #47): only the tree's first sample is 0.0.
 */

import { OptionError, TelemetryError } from '../errors.js';
import { hasChildrenFiles, readChildPids, scanParentPids } from './_proc.js';
import { AccessDeniedError, NoSuchProcessError, ProcessInfo } from './process-info.js';

/**
 * Every descendant of `pid` (children, grandchildren, ...), parents before their children; `pid`
 * itself is not included. Reads `/proc/<pid>/task/<tid>/children` for every thread, or scans the
 * ppid of every process in `/proc` on kernels without those files. A process whose parent exited
 * was re-parented (to init or a subreaper) and is no longer found. Linux only.
 *
 * @throws NoSuchProcessError when `pid` does not exist.
 */
export function listDescendants(pid: number): number[] {
  validateTreePid(pid, 'listDescendants');
  if (!hasChildrenFiles()) return listDescendantsByScan(pid);
  const found: number[] = [];
  const seen = new Set<number>([pid]);
  const rootChildren = readChildPids(pid);
  if (rootChildren === undefined) throw new NoSuchProcessError(pid);
  let queue = rootChildren;
  while (queue.length > 0) {
    const next: number[] = [];
    for (const child of queue) {
      if (seen.has(child)) continue;
      seen.add(child);
      found.push(child);
      next.push(...(readChildPids(child) ?? []));
    }
    queue = next;
  }
  return found;
}

/**
 * {@link listDescendants} through a scan of every `/proc/<pid>/stat` (the fallback for kernels
 * built without `CONFIG_PROC_CHILDREN`; about 1 ms per 100 processes).
 *
 * @throws NoSuchProcessError when `pid` does not exist.
 */
export function listDescendantsByScan(pid: number): number[] {
  validateTreePid(pid, 'listDescendantsByScan');
  const parents = scanParentPids();
  if (!parents.has(pid)) throw new NoSuchProcessError(pid);
  const childrenOf = new Map<number, number[]>();
  for (const [child, parent] of parents) {
    const siblings = childrenOf.get(parent);
    if (siblings === undefined) childrenOf.set(parent, [child]);
    else siblings.push(child);
  }
  const found: number[] = [];
  let queue = childrenOf.get(pid) ?? [];
  while (queue.length > 0) {
    const next: number[] = [];
    for (const child of queue) {
      found.push(child);
      next.push(...(childrenOf.get(child) ?? []));
    }
    queue = next;
  }
  return found;
}

/** Options of {@link ProcessTreeSampler}. */
export interface ProcessTreeSamplerOptions {
  /** Include every descendant of the root, not just the root (`--telemetry-children`). @default false */
  children?: boolean;
  /**
   * Also sum PSS (`pss_bytes`), which, unlike RSS, does not count shared pages twice. Costs about
   * 0.5–5 ms per Node process per sample. @default the value of `children`
   */
  pss?: boolean;
}

/** One sample of a process tree; keys are the record's field names. */
export interface ProcessTreeSample {
  /** CPU use of all sampled processes together since the previous sample (0.0 the first time). */
  cpu_percent: number;
  /** Sum of resident set sizes in bytes (shared pages counted once per process). */
  rss_bytes: number;
  /**
   * Sum of proportional set sizes in bytes; present when `pss` is on, `null` when the kernel
   * denied it for some process (another user's).
   */
  pss_bytes?: number | null;
  /** How many processes were sampled (the root included). */
  num_processes: number;
}

// A pid being followed: its reader and its CPU seconds at the previous sample.
interface TrackedProcess {
  readonly info: ProcessInfo;
  cpuS: number;
}

/**
 * Samples the CPU and memory of a process, or of its whole tree, at each call of
 * {@link ProcessTreeSampler.sample}. CPU is computed psutil's way (Δ(user+system) / Δwall × 100,
 * one decimal) from per-pid baselines kept across samples: a process that appears between two
 * samples contributes all its CPU time; one that vanished is skipped. Call `close()` when done.
 *
 * ```ts
 * const sampler = new ProcessTreeSampler(child.pid, { children: true });
 * sampler.sample(); // { cpu_percent: 0, rss_bytes: 5246976, pss_bytes: 1702912, num_processes: 3 }
 * ```
 */
export class ProcessTreeSampler {
  /** The root process id. */
  readonly rootPid: number;
  /** Whether descendants are sampled too. */
  readonly children: boolean;
  /** Whether `pss_bytes` is summed. */
  readonly pss: boolean;
  readonly #tracked = new Map<number, TrackedProcess>();
  #lastWallMs: number | undefined;

  /**
   * @throws OptionError when `rootPid` is not a positive integer.
   * @throws NoSuchProcessError when the root process does not exist.
   * @throws TelemetryError for `children: true` off Linux.
   */
  constructor(rootPid: number, options: ProcessTreeSamplerOptions = {}) {
    this.children = options.children ?? false;
    this.pss = options.pss ?? this.children;
    if (this.children) validateTreePid(rootPid, 'ProcessTreeSampler');
    const root = new ProcessInfo(rootPid);
    this.rootPid = rootPid;
    this.#tracked.set(rootPid, { info: root, cpuS: Number.NaN });
  }

  /**
   * Reads every process of the tree once and returns the totals.
   *
   * @throws NoSuchProcessError when the root process is gone (a zombie root still samples).
   */
  sample(): ProcessTreeSample {
    const wallMs = performance.now();
    const lastWallMs = this.#lastWallMs;
    const pids = this.children ? [this.rootPid, ...listDescendants(this.rootPid)] : [this.rootPid];
    let cpuDeltaS = 0;
    let rssBytes = 0;
    let pssBytes: number | null = 0;
    let count = 0;
    const current = new Set<number>();
    for (const pid of pids) {
      const tracked = this.#track(pid, lastWallMs === undefined);
      if (tracked === undefined) continue;
      try {
        const times = tracked.info.cpuTimes();
        const cpuS = times.user + times.system;
        if (this.pss) {
          const memory = this.#readFullMemory(tracked.info);
          rssBytes += memory.rss;
          if (pssBytes !== null) pssBytes = memory.pss === null ? null : pssBytes + memory.pss;
        } else {
          rssBytes += tracked.info.memoryInfo().rss;
        }
        if (!Number.isNaN(tracked.cpuS)) cpuDeltaS += Math.max(0, cpuS - tracked.cpuS);
        tracked.cpuS = cpuS;
        current.add(pid);
        count += 1;
      } catch (error) {
        if (!(error instanceof NoSuchProcessError) || pid === this.rootPid) throw error;
        // A descendant exited between listing and reading: skip it.
      }
    }
    this.#forgetExcept(current);
    this.#lastWallMs = wallMs;
    let cpuPercent = 0;
    if (lastWallMs !== undefined && wallMs > lastWallMs) {
      cpuPercent = Math.round((cpuDeltaS / ((wallMs - lastWallMs) / 1000)) * 100 * 10) / 10;
    }
    if (!this.pss) return { cpu_percent: cpuPercent, rss_bytes: rssBytes, num_processes: count };
    return {
      cpu_percent: cpuPercent,
      rss_bytes: rssBytes,
      pss_bytes: pssBytes,
      num_processes: count,
    };
  }

  /** Releases the `/proc` descriptors kept for every followed process. */
  close(): void {
    for (const tracked of this.#tracked.values()) tracked.info.close();
    this.#tracked.clear();
    this.#lastWallMs = undefined;
  }

  // The tracked entry for a pid, created on first sight; undefined if it vanished meanwhile.
  #track(pid: number, firstSample: boolean): TrackedProcess | undefined {
    const known = this.#tracked.get(pid);
    if (known !== undefined) return known;
    let info: ProcessInfo;
    try {
      info = new ProcessInfo(pid);
    } catch (error) {
      if (error instanceof NoSuchProcessError && pid !== this.rootPid) return undefined;
      throw error;
    }
    // On the first sample every baseline is "now" (NaN: no delta yet). A process that appears
    // later was born since the previous sample, so all its CPU time falls inside this interval.
    const tracked: TrackedProcess = { info, cpuS: firstSample ? Number.NaN : 0 };
    this.#tracked.set(pid, tracked);
    return tracked;
  }

  // rss plus pss, with pss null when the kernel denies smaps_rollup for this process.
  #readFullMemory(info: ProcessInfo): { rss: number; pss: number | null } {
    try {
      const full = info.memoryFullInfo();
      return { rss: full.rss, pss: full.pss };
    } catch (error) {
      if (!(error instanceof AccessDeniedError)) throw error;
      return { rss: info.memoryInfo().rss, pss: null };
    }
  }

  // Drops (and closes) every tracked process not seen in this sample.
  #forgetExcept(current: Set<number>): void {
    for (const [pid, tracked] of this.#tracked) {
      if (current.has(pid) || pid === this.rootPid) continue;
      tracked.info.close();
      this.#tracked.delete(pid);
    }
  }
}

// Tree walking needs a sane pid and Linux /proc.
function validateTreePid(pid: number, caller: string): void {
  if (!Number.isSafeInteger(pid) || pid <= 0) {
    throw new OptionError(
      `Expected \`pid\` of ${caller}() to be a positive integer process id, got ` +
        `\`${String(pid)}\` (${typeof pid}); pass a pid such as child.pid`,
    );
  }
  if (process.platform !== 'linux') {
    throw new TelemetryError(
      `${caller}() needs Linux /proc to find child processes; on ${process.platform} sample the ` +
        'root process alone (children: false, current process only)',
    );
  }
}
