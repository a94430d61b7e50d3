/**
 * Process-tree sampling for the CLI's `--telemetry-interval` and `--telemetry-children`: the
 * CPU and memory of a command and, on request, of everything it started.
 *
 *   sample() ── walk from the root ── /proc/<pid>/task/<tid>/children (or a /proc scan)
 *       │
 *       └── per pid: a kept ProcessInfo + its CPU seconds at the previous sample
 *              Δcpu summed over the tree / Δwall × 100  →  cpu_percent
 *              Σ rss (stat), Σ pss (smaps_rollup)       →  rss_bytes, pss_bytes
 *              (PSS read afresh while its reads stay within pssBudget of one core, else
 *              each process's latest reading moved by its RSS change since)
 *              max over processes of VmHWM (status, at first sight and then once a second)
 *              and of each sample's RSS                 →  peakRssBytes
 *
 * Per-pid CPU baselines live across samples, so a child is not stuck at 0 % the way a fresh
 * psutil.Process would be (psrecord #47): only the tree's first sample is 0.0.
 */

import { closeSync, openSync, readSync } from 'node:fs';
import { OptionError, TelemetryError } from '../errors.js';
import { hasChildrenFiles, readChildPids, readProcText, scanParentPids } from './_proc.js';
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
   * 0.1–1.5 ms per process per read (the kernel walks every mapping). @default the value of `children`
   */
  pss?: boolean;
  /**
   * The share of one core PSS reads may take, over the sampler's life: when a sample would go
   * past it, each process's latest PSS reading, moved by the change of its RSS since, is summed
   * instead of a fresh one (a process seen for the first time is always read). 1 reads every
   * sample. @default 0.003 (0.3 %)
   */
  pssBudget?: number;
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
  /** Its latest PSS reading (undefined before the first; null when denied). */
  pss?: number | null;
  /** Its RSS when PSS was last read. */
  rssAtPss?: number;
  /** A kept descriptor of its main thread's children file (re-read in place each sample). */
  childrenFd?: number | undefined;
  /** When its VmHWM was last read (performance.now() ms); undefined before the first. */
  peakReadMs?: number;
}

// How often each process's VmHWM (its own peak RSS, from the costly status file) is read again
// after the first sight; samples' RSS fill in between.
const PEAK_REFRESH_MS = 1000;

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
  readonly #pssBudget: number;
  #lastWallMs: number | undefined;
  #firstWallMs: number | undefined;
  // Milliseconds spent reading PSS so far.
  #pssSpentMs = 0;
  #peakRssBytes: number | null = null;
  #rootExited = false;

  /**
   * @throws OptionError when `rootPid` is not a positive integer.
   * @throws NoSuchProcessError when the root process does not exist.
   * @throws TelemetryError for `children: true` off Linux.
   */
  constructor(rootPid: number, options: ProcessTreeSamplerOptions = {}) {
    this.children = options.children ?? false;
    this.pss = options.pss ?? this.children;
    this.#pssBudget = options.pssBudget ?? 0.003;
    if (this.children) validateTreePid(rootPid, 'ProcessTreeSampler');
    const root = new ProcessInfo(rootPid);
    this.rootPid = rootPid;
    this.#tracked.set(rootPid, { info: root, cpuS: Number.NaN });
  }

  /**
   * The highest RSS of any one sampled process so far, in bytes (what `getrusage`'s
   * `ru_maxrss` is for waited-for children): each process's `VmHWM`, read when it is first seen
   * and then about once a second, and the RSS of every sample. null before the first sample.
   */
  get peakRssBytes(): number | null {
    return this.#peakRssBytes;
  }

  /** Whether the root was a zombie (exited, not yet reaped) at the latest sample. */
  get rootExited(): boolean {
    return this.#rootExited;
  }

  /**
   * Reads every process of the tree once and returns the totals.
   *
   * @throws NoSuchProcessError when the root process is gone (a zombie root still samples).
   */
  sample(): ProcessTreeSample {
    const wallMs = performance.now();
    const lastWallMs = this.#lastWallMs;
    // Walk the tree while reading it: each process's stat says how many threads it has, and a
    // single-threaded one (most are) has one children file, so no task/ listing is needed.
    const walk = this.children && hasChildrenFiles();
    const pids = walk
      ? [this.rootPid]
      : this.children
        ? [this.rootPid, ...listDescendantsByScan(this.rootPid)]
        : [this.rootPid];
    const listed = new Set(pids);
    let cpuDeltaS = 0;
    let rssBytes = 0;
    let pssBytes: number | null = 0;
    let count = 0;
    const current = new Set<number>();
    this.#firstWallMs ??= wallMs;
    const freshPss = this.#pssSpentMs <= this.#pssBudget * (wallMs - this.#firstWallMs);
    for (let i = 0; i < pids.length; i++) {
      const pid = pids[i]!;
      const tracked = this.#track(pid, lastWallMs === undefined);
      if (tracked === undefined) continue;
      try {
        // One read of each /proc file per process per sample: stat gives both the CPU times
        // and the thread count, statm the RSS for this and for the PSS reading.
        tracked.info.oneshot(() => {
          const times = tracked.info.cpuTimes();
          const cpuS = times.user + times.system;
          const rss = tracked.info.memoryInfo().rss;
          rssBytes += rss;
          this.#notePeak(tracked, rss, wallMs);
          if (pid === this.rootPid) this.#rootExited = tracked.info.status() === 'zombie';
          if (this.pss) {
            if (freshPss || tracked.pss === undefined) {
              tracked.pss = this.#readPss(tracked.info);
              tracked.rssAtPss = rss;
            }
            // Between fresh reads: the last reading moved by what RSS did since (pages a process
            // gains or loses are mostly its own, which count fully in both).
            const pss =
              tracked.pss === null
                ? null
                : Math.max(0, tracked.pss + rss - (tracked.rssAtPss ?? rss));
            if (pssBytes !== null) pssBytes = pss === null ? null : pssBytes + pss;
          }
          if (!Number.isNaN(tracked.cpuS)) cpuDeltaS += Math.max(0, cpuS - tracked.cpuS);
          tracked.cpuS = cpuS;
          current.add(pid);
          count += 1;
          if (walk) {
            const single = tracked.info.numThreads() === 1;
            const children = single ? readMainThreadChildren(tracked, pid) : readChildPids(pid);
            for (const child of children ?? []) {
              if (listed.has(child)) continue;
              listed.add(child);
              pids.push(child);
            }
          }
        });
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

  /** Releases the `/proc` descriptors kept for every followed process ({@link peakRssBytes} stays). */
  close(): void {
    for (const tracked of this.#tracked.values()) {
      tracked.info.close();
      closeChildrenFd(tracked);
    }
    this.#tracked.clear();
    this.#lastWallMs = undefined;
    this.#firstWallMs = undefined;
    this.#pssSpentMs = 0;
    this.#rootExited = false;
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

  // Raise the peak by this process's RSS now, and by its VmHWM when that is due a read.
  #notePeak(tracked: TrackedProcess, rss: number, wallMs: number): void {
    let peak = rss;
    if (tracked.peakReadMs === undefined || wallMs - tracked.peakReadMs >= PEAK_REFRESH_MS) {
      tracked.peakReadMs = wallMs;
      try {
        peak = Math.max(peak, tracked.info.memoryPeak());
      } catch (error) {
        // Another user's process may hide its status; its RSS still counts.
        if (!(error instanceof AccessDeniedError)) throw error;
      }
    }
    this.#peakRssBytes = Math.max(this.#peakRssBytes ?? 0, peak);
  }

  // PSS of one process (null when the kernel denies smaps_rollup), its cost counted.
  #readPss(info: ProcessInfo): number | null {
    const startMs = performance.now();
    try {
      return info.memoryFullInfo().pss;
    } catch (error) {
      if (!(error instanceof AccessDeniedError)) throw error;
      return null;
    } finally {
      this.#pssSpentMs += performance.now() - startMs;
    }
  }

  // Drops (and closes) every tracked process not seen in this sample.
  #forgetExcept(current: Set<number>): void {
    for (const [pid, tracked] of this.#tracked) {
      if (current.has(pid) || pid === this.rootPid) continue;
      tracked.info.close();
      closeChildrenFd(tracked);
      this.#tracked.delete(pid);
    }
  }
}

const childrenBuffer = Buffer.allocUnsafe(4096);

// The children of a single-threaded process: its one thread's children file (none if gone),
// read through a descriptor kept from one sample to the next (a pread at 0 regenerates it).
function readMainThreadChildren(tracked: TrackedProcess, pid: number): number[] {
  let text: string;
  try {
    tracked.childrenFd ??= openSync(`/proc/${pid}/task/${pid}/children`, 'r');
    const length = readSync(tracked.childrenFd, childrenBuffer, 0, childrenBuffer.length, 0);
    // A full buffer may be cut short: read the whole file the slow way.
    text =
      length < childrenBuffer.length
        ? childrenBuffer.toString('latin1', 0, length)
        : readProcText(`/proc/${pid}/task/${pid}/children`);
  } catch {
    closeChildrenFd(tracked);
    return [];
  }
  const children: number[] = [];
  for (const part of text.split(' ')) {
    const child = Number(part);
    if (part !== '' && Number.isSafeInteger(child)) children.push(child);
  }
  return children;
}

// Release the kept children descriptor of a process.
function closeChildrenFd(tracked: TrackedProcess): void {
  if (tracked.childrenFd === undefined) return;
  try {
    closeSync(tracked.childrenFd);
  } catch {
    // Closed behind our back already.
  }
  tracked.childrenFd = undefined;
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
