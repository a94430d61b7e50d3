/**
 * Process-tree sampling for the CLI's `--telemetry-interval` and `--telemetry-children`: the
 * CPU and memory of a command and, on request, of everything it started.
 *
 *   sample() ── walk from the root ── /proc/<pid>/task/<tid>/children (or a /proc scan)
 *       │
 *       └── per pid: a kept LinuxProcess + its CPU ticks at the previous sample
 *              Δcpu summed over the tree / Δwall × 100  →  cpu_percent
 *              Σ rss (stat, parsed as bytes)            →  rss_bytes
 *              Σ pss (smaps_rollup: new processes, then in turn within pssBudget of one
 *              core; the others' latest reading moved by their RSS change since) →  pss_bytes
 *              max over processes of VmHWM (status, at first sight and then once a second)
 *              and of each sample's RSS                 →  peakRssBytes
 *
 * Per-pid CPU baselines live across samples, so a child is not stuck at 0 % the way a fresh
 * psutil.Process would be (psrecord #47): only the tree's first sample is 0.0.
 */

import { closeSync, openSync, readSync } from 'node:fs';
import { OptionError, TelemetryError } from '../errors.js';
import {
  AccessDeniedError,
  getProcConstants,
  hasChildrenFiles,
  LinuxProcess,
  NoSuchProcessError,
  newStatCounters,
  readChildPids,
  scanParentPids,
} from './_proc.js';

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
   * The share of one core PSS reads may take, over the sampler's life. A process seen for the
   * first time is always read; then each sample reads afresh, taking the processes in turn, as
   * many as stay within the budget, and sums for the others their latest reading moved by the
   * change of their RSS since. 1 reads every process every sample. @default 0.001 (0.1 %)
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

// A pid being followed: its reader and its CPU ticks at the previous sample.
interface TrackedProcess {
  readonly proc: LinuxProcess;
  /** user + system clock ticks at the previous sample (NaN: no baseline yet). */
  cpuTicks: number;
  /** Its RSS at the latest sample, in bytes. */
  rss: number;
  /** The sample (ProcessTreeSampler's generation count) that last saw it. */
  seenIn: number;
  /** Its latest PSS reading (undefined before the first; null when denied). */
  pss?: number | null;
  /** Its RSS when PSS was last read. */
  rssAtPss?: number;
  /** The sample that last read its PSS. */
  pssReadIn?: number;
  /** A kept descriptor of its main thread's children file (re-read in place each sample). */
  childrenFd?: number | undefined;
  /** When its VmHWM was last read (performance.now() ms); undefined before the first. */
  peakReadMs?: number;
}

// How often each process's VmHWM (its own peak RSS, from the costly status file) is read again
// after the first sight; samples' RSS fill in between.
const PEAK_REFRESH_MS = 1000;

// The state letter of a zombie in stat.
const ZOMBIE = 'Z'.charCodeAt(0);

/**
 * Samples the CPU and memory of a process, or of its whole tree, at each call of
 * {@link ProcessTreeSampler.sample}. CPU is computed psutil's way (Δ(user+system) / Δwall × 100,
 * one decimal) from per-pid baselines kept across samples: a process that appears between two
 * samples contributes all its CPU time; one that vanished is skipped. Linux only (it reads
 * `/proc`). Call `close()` when done.
 *
 * Each sample reads one `stat` per process through a kept descriptor, parsed as bytes, and (for a
 * tree) one `children` file per single-threaded process; it allocates little, because the CLI
 * takes one every 100 ms for the whole run.
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
  // Reused from sample to sample: the pids to read (grown by the walk), those already listed,
  // the processes read, and the numbers of one stat line.
  readonly #pids: number[] = [];
  readonly #listed = new Set<number>();
  readonly #sampled: TrackedProcess[] = [];
  readonly #counters = newStatCounters();
  #generation = 0;
  // Where the next round of fresh PSS reads starts in the sampled list (round robin).
  #pssCursor = 0;
  #lastWallMs: number | undefined;
  #firstWallMs: number | undefined;
  // Milliseconds spent reading PSS so far.
  #pssSpentMs = 0;
  #peakRssBytes: number | null = null;
  #rootExited = false;

  /**
   * @throws OptionError when `rootPid` is not a positive integer.
   * @throws TelemetryError off Linux (no `/proc`).
   * @throws NoSuchProcessError when the root process does not exist.
   */
  constructor(rootPid: number, options: ProcessTreeSamplerOptions = {}) {
    this.children = options.children ?? false;
    this.pss = options.pss ?? this.children;
    this.#pssBudget = options.pssBudget ?? 0.001;
    validateTreePid(rootPid, 'ProcessTreeSampler');
    this.rootPid = rootPid;
    this.#tracked.set(rootPid, {
      proc: new LinuxProcess(rootPid),
      cpuTicks: Number.NaN,
      rss: 0,
      seenIn: 0,
    });
  }

  /**
   * The highest RSS of any one sampled process so far, in bytes (what `getrusage`'s
   * `ru_maxrss` is for waited-for children): each process's `VmHWM`, read when it is first seen
   * and then about once a second, and the RSS of every sample. null before the first sample.
   */
  get peakRssBytes(): number | null {
    return this.#peakRssBytes;
  }

  /**
   * Whether the root had exited at the latest sample: a zombie (not yet reaped), or exiting,
   * its memory already let go.
   */
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
    const generation = ++this.#generation;
    const { pageSizeBytes, clockTicksPerSecond } = getProcConstants();
    // Walk the tree while reading it: each process's stat says how many threads it has, and a
    // single-threaded one (most are) has one children file, so no task/ listing is needed.
    const walk = this.children && hasChildrenFiles();
    const pids = this.#pids;
    const listed = this.#listed;
    const sampled = this.#sampled;
    const counters = this.#counters;
    pids.length = 0;
    sampled.length = 0;
    listed.clear();
    pids.push(this.rootPid);
    if (this.children && !walk) pids.push(...listDescendantsByScan(this.rootPid));
    for (const pid of pids) listed.add(pid);
    let cpuDeltaTicks = 0;
    let rssBytes = 0;
    this.#firstWallMs ??= wallMs;
    for (let i = 0; i < pids.length; i++) {
      const pid = pids[i]!;
      const tracked = this.#track(pid, lastWallMs === undefined);
      if (tracked === undefined) continue;
      try {
        tracked.proc.readStatCounters(counters);
        // No memory left (vsize 0): a zombie, or a process exiting that has let go of its
        // memory but is not a zombie yet.
        const exiting = counters.state === ZOMBIE || counters.vsizeBytes === 0;
        let rss = counters.rssPages * pageSizeBytes;
        // A live process's counter reads 0 while its pages are still in the kernel's per-CPU
        // counters (just exec'd): they are counted from its page tables instead.
        if (rss === 0 && !exiting) rss = countedRss(tracked.proc);
        this.#notePeak(tracked, rss, wallMs);
        if (pid === this.rootPid) this.#rootExited = exiting;
        const cpuTicks = counters.utimeTicks + counters.stimeTicks;
        if (!Number.isNaN(tracked.cpuTicks)) {
          cpuDeltaTicks += Math.max(0, cpuTicks - tracked.cpuTicks);
        }
        tracked.cpuTicks = cpuTicks;
        tracked.rss = rss;
        tracked.seenIn = generation;
        rssBytes += rss;
        sampled.push(tracked);
        // An exited root has freed its memory (and, once a zombie, handed its children on):
        // nothing else to read (the reads a zombie refuses, smaps_rollup among them, took ~3 ms
        // of error handling).
        if (pid === this.rootPid && this.#rootExited) break;
        if (walk) {
          if (counters.numThreads === 1) readMainThreadChildren(tracked, pid, pids, listed);
          else for (const child of readChildPids(pid) ?? []) addChild(child, pids, listed);
        }
      } catch (error) {
        if (!(error instanceof NoSuchProcessError) || pid === this.rootPid) throw error;
        // A descendant exited between listing and reading: skip it.
      }
    }
    this.#forgetUnseen(generation);
    this.#lastWallMs = wallMs;
    let cpuPercent = 0;
    if (lastWallMs !== undefined && wallMs > lastWallMs) {
      const cpuS = cpuDeltaTicks / clockTicksPerSecond;
      cpuPercent = Math.round((cpuS / ((wallMs - lastWallMs) / 1000)) * 100 * 10) / 10;
    }
    const count = sampled.length;
    if (!this.pss) return { cpu_percent: cpuPercent, rss_bytes: rssBytes, num_processes: count };
    return {
      cpu_percent: cpuPercent,
      rss_bytes: rssBytes,
      pss_bytes: this.#rootExited ? 0 : this.#sumPss(wallMs),
      num_processes: count,
    };
  }

  /** Releases the `/proc` descriptors kept for every followed process ({@link peakRssBytes} stays). */
  close(): void {
    for (const tracked of this.#tracked.values()) {
      tracked.proc.close();
      closeChildrenFd(tracked);
    }
    this.#tracked.clear();
    this.#sampled.length = 0;
    this.#lastWallMs = undefined;
    this.#firstWallMs = undefined;
    this.#pssSpentMs = 0;
    this.#rootExited = false;
  }

  // The tracked entry for a pid, created on first sight; undefined if it vanished meanwhile.
  #track(pid: number, firstSample: boolean): TrackedProcess | undefined {
    const known = this.#tracked.get(pid);
    if (known !== undefined) return known;
    let proc: LinuxProcess;
    try {
      proc = new LinuxProcess(pid);
    } catch (error) {
      if (error instanceof NoSuchProcessError && pid !== this.rootPid) return undefined;
      throw error;
    }
    // On the first sample every baseline is "now" (NaN: no delta yet). A process that appears
    // later was born since the previous sample, so all its CPU time falls inside this interval.
    const tracked: TrackedProcess = {
      proc,
      cpuTicks: firstSample ? Number.NaN : 0,
      rss: 0,
      seenIn: 0,
    };
    this.#tracked.set(pid, tracked);
    return tracked;
  }

  // Raise the peak by this process's RSS now, and by its VmHWM when that is due a read.
  #notePeak(tracked: TrackedProcess, rss: number, wallMs: number): void {
    let peak = rss;
    if (tracked.peakReadMs === undefined || wallMs - tracked.peakReadMs >= PEAK_REFRESH_MS) {
      tracked.peakReadMs = wallMs;
      try {
        peak = Math.max(peak, tracked.proc.memoryPeak());
      } catch (error) {
        // Another user's process may hide its status; its RSS still counts.
        if (!(error instanceof AccessDeniedError)) throw error;
      }
    }
    this.#peakRssBytes = Math.max(this.#peakRssBytes ?? 0, peak);
  }

  // The PSS of the processes just sampled: a process seen for the first time is read; then,
  // round robin, as many others are read afresh as keep all PSS reads within the budget; the
  // rest count their latest reading moved by what their RSS did since (pages a process gains or
  // loses are mostly its own, which count fully in both). null when any was denied.
  #sumPss(wallMs: number): number | null {
    const sampled = this.#sampled;
    const count = sampled.length;
    for (const tracked of sampled) {
      if (tracked.pss === undefined) this.#readPss(tracked);
    }
    const start = this.#pssCursor % Math.max(1, count);
    // A budget of 1 or more reads every process every sample, however long the reads take
    // (back-to-back samples on a loaded machine can spend more than the wall time between them).
    const unlimited = this.#pssBudget >= 1;
    for (let k = 0; k < count; k++) {
      if (!unlimited && this.#pssSpentMs > this.#pssBudget * (wallMs - this.#firstWallMs!)) break;
      const index = (start + k) % count;
      this.#pssCursor = index + 1;
      // A process first read just now is not read twice.
      if (sampled[index]!.pssReadIn !== this.#generation) this.#readPss(sampled[index]!);
    }
    let sum: number | null = 0;
    for (const tracked of sampled) {
      if (tracked.pss === null || tracked.pss === undefined) return null;
      sum += Math.max(0, tracked.pss + tracked.rss - (tracked.rssAtPss ?? tracked.rss));
    }
    return sum;
  }

  // Read one process's PSS (null when the kernel denies smaps_rollup), its cost counted. A
  // process gone since its stat was read keeps its previous reading.
  #readPss(tracked: TrackedProcess): void {
    const startMs = performance.now();
    tracked.pssReadIn = this.#generation;
    try {
      tracked.pss = tracked.proc.memoryPss();
      tracked.rssAtPss = tracked.rss;
    } catch (error) {
      if (error instanceof AccessDeniedError) tracked.pss = null;
      else if (!(error instanceof NoSuchProcessError)) throw error;
      else tracked.pss ??= 0;
    } finally {
      this.#pssSpentMs += performance.now() - startMs;
    }
  }

  // Drops (and closes) every tracked process the latest sample did not see.
  #forgetUnseen(generation: number): void {
    for (const [pid, tracked] of this.#tracked) {
      if (tracked.seenIn === generation || pid === this.rootPid) continue;
      tracked.proc.close();
      closeChildrenFd(tracked);
      this.#tracked.delete(pid);
    }
  }
}

// A process's RSS counted from its page tables; 0 when it is gone or hides them.
function countedRss(proc: LinuxProcess): number {
  try {
    return proc.memoryRssCounted();
  } catch (error) {
    if (error instanceof NoSuchProcessError || error instanceof AccessDeniedError) return 0;
    throw error;
  }
}

const childrenBuffer = Buffer.allocUnsafe(4096);

// Adds the children of a single-threaded process that are not listed yet to `pids`: its one
// thread's children file, read through a descriptor kept from one sample to the next (a pread
// at 0 regenerates it) and parsed as bytes. A process gone meanwhile has none.
function readMainThreadChildren(
  tracked: TrackedProcess,
  pid: number,
  pids: number[],
  listed: Set<number>,
): void {
  let length: number;
  try {
    tracked.childrenFd ??= openSync(`/proc/${pid}/task/${pid}/children`, 'r');
    length = readSync(tracked.childrenFd, childrenBuffer, 0, childrenBuffer.length, 0);
  } catch {
    closeChildrenFd(tracked);
    return;
  }
  // A full buffer may be cut short: read the whole file the slow way.
  if (length >= childrenBuffer.length) {
    for (const child of readChildPids(pid) ?? []) addChild(child, pids, listed);
    return;
  }
  let child = 0;
  for (let i = 0; i <= length; i++) {
    const c = i < length ? childrenBuffer[i]! : 0x20;
    if (c >= 0x30 && c <= 0x39) child = child * 10 + (c - 0x30);
    else {
      if (child > 0) addChild(child, pids, listed);
      child = 0;
    }
  }
}

// Queue a child pid once.
function addChild(child: number, pids: number[], listed: Set<number>): void {
  if (listed.has(child)) return;
  listed.add(child);
  pids.push(child);
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
