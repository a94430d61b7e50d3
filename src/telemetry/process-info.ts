/**
 * `ProcessInfo`: microbench-ts's `psutil.Process` (DESIGN §3.4), the argument every user
 * `telemetry(process)` function receives on the sampler thread.
 *
 *   ProcessInfo ── cpuPercent state, asDict, psutil snake_case aliases
 *       │
 *       └── ProcessSource (one per platform, table-driven in createProcessSource)
 *             ├─ linux:     LinuxProcess (_proc.ts): kept /proc/<pid>/* descriptors, any pid
 *             └─ elsewhere: Node's process.memoryUsage/cpuUsage/resourceUsage, own pid only
 *
 * It is called at every sample, so a call on Linux costs a few microseconds: descriptors stay
 * open and are re-read with one pread into a reused buffer.
 */

import { existsSync, readdirSync } from 'node:fs';
import { basename } from 'node:path';
import { OptionError, TelemetryError } from '../errors.js';
import { AccessDeniedError, LinuxProcess, NoSuchProcessError, toStatusName } from './_proc.js';

export type { ProcessErrorReason } from './_proc.js';
export { AccessDeniedError, NoSuchProcessError };

/** Memory use in bytes, from `/proc/<pid>/statm` on Linux (psutil's `memory_info`). */
export interface MemoryInfo {
  /** Resident set size: physical memory in use, shared pages included. */
  rss: number;
  /** Virtual memory size: every mapped byte, resident or not. */
  vms: number;
}

/** {@link MemoryInfo} plus the costlier per-mapping totals (psutil's `memory_full_info`). */
export interface MemoryFullInfo extends MemoryInfo {
  /** Unique set size: memory that would be freed if the process exited (sum of `Private_*`). */
  uss: number;
  /** Proportional set size: shared pages divided among their sharers (sums well over a tree). */
  pss: number;
  /** Bytes swapped out. */
  swap: number;
}

/** CPU time in seconds (psutil's `cpu_times`); `children_*` count waited-for children only. */
export interface CpuTimes {
  user: number;
  system: number;
  children_user: number;
  children_system: number;
}

/** I/O counters from `/proc/<pid>/io`, with psutil's names. */
export interface IoCounters {
  /** Read system calls (`syscr`). */
  read_count: number;
  /** Write system calls (`syscw`). */
  write_count: number;
  /** Bytes fetched from storage (`read_bytes`). */
  read_bytes: number;
  /** Bytes sent to storage (`write_bytes`). */
  write_bytes: number;
  /** Bytes passed to read-like calls, page cache hits included (`rchar`). */
  read_chars: number;
  /** Bytes passed to write-like calls (`wchar`). */
  write_chars: number;
}

/** Context switches (psutil's `num_ctx_switches`). */
export interface CtxSwitches {
  voluntary: number;
  involuntary: number;
}

/** psutil's process status names. */
export type ProcessStatus =
  | 'running'
  | 'sleeping'
  | 'disk-sleep'
  | 'stopped'
  | 'tracing-stop'
  | 'zombie'
  | 'dead'
  | 'wake-kill'
  | 'waking'
  | 'parked'
  | 'idle'
  | 'unknown';

/** Attribute names {@link ProcessInfo.asDict} accepts: psutil's, plus `memory_peak`. */
export type ProcessAttr =
  | 'pid'
  | 'name'
  | 'ppid'
  | 'status'
  | 'cpu_percent'
  | 'cpu_times'
  | 'memory_info'
  | 'memory_full_info'
  | 'memory_peak'
  | 'num_threads'
  | 'num_fds'
  | 'io_counters'
  | 'num_ctx_switches';

/** The keyword form of `as_dict`, for code ported from `process.as_dict(attrs=[...])`. */
export interface AsDictOptions {
  /** Attributes to read; all cheap ones (everything except `memory_full_info`) when left out. */
  attrs?: Iterable<string> | undefined;
  /** Value stored for an attribute the kernel denies access to (psutil's `ad_value`). @default null */
  ad_value?: unknown;
}

// Every attribute asDict knows, in output order; the first is the costly one left out by default.
const ALL_ATTRS: readonly ProcessAttr[] = [
  'memory_full_info',
  'pid',
  'name',
  'ppid',
  'status',
  'cpu_percent',
  'cpu_times',
  'memory_info',
  'memory_peak',
  'num_threads',
  'num_fds',
  'io_counters',
  'num_ctx_switches',
];

// ---------------------------------------------------------------------------------------------
// Platform sources (internal)

// What ProcessInfo needs from a platform; values only, no cpu_percent state.
interface ProcessSource {
  cpuSeconds(): number;
  cpuTimes(): CpuTimes;
  memoryInfo(): MemoryInfo;
  memoryFullInfo(): MemoryFullInfo;
  memoryPeak(): number;
  numThreads(): number;
  numFds(): number;
  ioCounters(): IoCounters;
  numCtxSwitches(): CtxSwitches;
  startTime(): number;
  isRunning(): boolean;
  ppid(): number;
  name(): string;
  status(): ProcessStatus;
  batch<T>(read: () => T): T;
  close(): void;
}

// Linux: any pid through /proc. The own process's user and system time come from
// process.cpuUsage() (microseconds) instead of stat's 10 ms ticks, for steadier cpuPercent.
function createLinuxSource(pid: number): ProcessSource {
  const proc = new LinuxProcess(pid);
  const own = pid === process.pid;
  const cpuTimes = (): CpuTimes => {
    const times = proc.cpuTimes();
    if (!own) return times;
    const usage = process.cpuUsage();
    return { ...times, user: usage.user / 1e6, system: usage.system / 1e6 };
  };
  return {
    cpuSeconds: () => {
      if (!own) {
        const times = proc.cpuTimes();
        return times.user + times.system;
      }
      const usage = process.cpuUsage();
      return (usage.user + usage.system) / 1e6;
    },
    cpuTimes,
    memoryInfo: () => proc.memoryInfo(),
    memoryFullInfo: () => proc.memoryFullInfo(),
    memoryPeak: () => proc.memoryPeak(),
    numThreads: () => proc.stat().numThreads,
    numFds: () => proc.numFds(),
    ioCounters: () => proc.ioCounters(),
    numCtxSwitches: () => proc.numCtxSwitches(),
    startTime: () => proc.startTicks,
    isRunning: () => proc.isRunning(),
    ppid: () => proc.stat().ppid,
    name: () => proc.stat().name,
    status: () => toStatusName(proc.stat().state),
    batch: (read) => proc.batch(read),
    close: () => proc.close(),
  };
}

// An error for a value this platform cannot provide.
function unavailableError(what: string): TelemetryError {
  return new TelemetryError(
    `ProcessInfo cannot read \`${what}\` on ${process.platform}: Node has no API for it and ` +
      'there is no /proc; leave it out of your telemetry (ProcessInfo.unavailable lists what is missing)',
  );
}

// Returns `available` plus non-enumerable getters that throw for the fields this platform lacks,
// so `mem.rss` works, `mem.vms` explains itself, and JSON/asDict show only real values.
function withUnavailable<T extends object>(
  method: string,
  available: object,
  missing: string[],
): T {
  const result = { ...available };
  for (const field of missing) {
    Object.defineProperty(result, field, {
      enumerable: false,
      get() {
        throw unavailableError(`${method}().${field}`);
      },
    });
  }
  return result as T;
}

// Elsewhere (macOS, Windows, BSD): the own process only, through Node's process APIs.
function createNodeSource(pid: number): ProcessSource {
  if (pid !== process.pid) {
    throw new TelemetryError(
      `ProcessInfo can read other processes only on Linux (/proc); on ${process.platform} it ` +
        `supports only the current process (pid ${process.pid}), got pid ${pid}; ` +
        'omit the pid to sample the current process',
    );
  }
  const unavailable = (what: string) => (): never => {
    throw unavailableError(what);
  };
  const cpuSeconds = (): number => {
    const usage = process.cpuUsage();
    return (usage.user + usage.system) / 1e6;
  };
  return {
    cpuSeconds,
    cpuTimes: () => {
      const usage = process.cpuUsage();
      const available = { user: usage.user / 1e6, system: usage.system / 1e6 };
      return withUnavailable('cpuTimes', available, ['children_user', 'children_system']);
    },
    memoryInfo: () => withUnavailable('memoryInfo', { rss: process.memoryUsage.rss() }, ['vms']),
    memoryFullInfo: () =>
      withUnavailable('memoryFullInfo', { rss: process.memoryUsage.rss() }, [
        'vms',
        'uss',
        'pss',
        'swap',
      ]),
    // libuv reports maxRSS in KiB on every platform.
    memoryPeak: () => process.resourceUsage().maxRSS * 1024,
    numThreads: unavailable('numThreads()'),
    numFds: () => {
      if (!HAS_DEV_FD) throw unavailableError('numFds()');
      return readdirSync('/dev/fd').length;
    },
    ioCounters: unavailable('ioCounters()'),
    numCtxSwitches: () => {
      if (process.platform === 'win32') throw unavailableError('numCtxSwitches()');
      const usage = process.resourceUsage();
      return {
        voluntary: usage.voluntaryContextSwitches,
        involuntary: usage.involuntaryContextSwitches,
      };
    },
    startTime: unavailable('startTime()'),
    isRunning: () => true,
    ppid: () => process.ppid,
    name: () => basename(process.execPath),
    status: () => 'running',
    batch: (read) => read(),
    close: () => {},
  };
}

const IS_LINUX = process.platform === 'linux';
const HAS_DEV_FD = !IS_LINUX && existsSync('/dev/fd');

// The factory for this platform.
function createProcessSource(pid: number): ProcessSource {
  return IS_LINUX ? createLinuxSource(pid) : createNodeSource(pid);
}

// Which attributes and fields this platform cannot provide, in psutil's names.
function detectUnavailable(): readonly string[] {
  if (IS_LINUX) return Object.freeze(existsSync('/proc/self/io') ? [] : ['io_counters']);
  const missing = [
    'memory_info.vms',
    'memory_full_info.vms',
    'memory_full_info.uss',
    'memory_full_info.pss',
    'memory_full_info.swap',
    'cpu_times.children_user',
    'cpu_times.children_system',
    'num_threads',
    'io_counters',
    'start_time',
  ];
  if (!HAS_DEV_FD) missing.push('num_fds');
  if (process.platform === 'win32') missing.push('num_ctx_switches');
  return Object.freeze(missing);
}

// Closes the descriptors of a ProcessInfo that was dropped without close().
const closeOnCollect = new FinalizationRegistry<ProcessSource>((source) => source.close());

// Blocks the calling thread for a number of seconds (cpuPercent's psutil `interval`).
function sleepSync(seconds: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, seconds * 1000);
}

// ---------------------------------------------------------------------------------------------
// ProcessInfo

/**
 * One process, read the way `psutil.Process` reads it. On Linux any pid (via `/proc`); on other
 * platforms only the current process, with the fields in {@link ProcessInfo.unavailable} missing.
 *
 * Methods throw {@link NoSuchProcessError} ("process <pid> is gone") once the process has exited
 * or its pid was reused, and {@link AccessDeniedError} for another user's private files.
 * Both camelCase and psutil's snake_case names work, so psutil code ports line by line:
 *
 * ```ts
 * static telemetry(process: ProcessInfo) {
 *   const mem = process.memory_full_info();
 *   return { rss: mem.rss, ...process.as_dict({ attrs: ['cpu_percent', 'num_threads'] }) };
 * }
 * ```
 */
export class ProcessInfo {
  /**
   * Attributes (`num_threads`) and fields (`memory_info.vms`) this platform cannot provide, in
   * psutil's names. Empty on Linux. Reading one throws a clear error; `asDict()` without `attrs`
   * leaves such attributes out. Off Linux, other pids are not supported at all.
   */
  static readonly unavailable: readonly string[] = detectUnavailable();

  /** The process id. */
  readonly pid: number;
  readonly #source: ProcessSource;
  #lastCpu: { wallMs: number; cpuS: number } | undefined;

  /**
   * @param pid The process to read. @default process.pid
   * @throws OptionError when `pid` is not a positive integer.
   * @throws NoSuchProcessError when no such process exists.
   */
  constructor(pid: number = process.pid) {
    if (!Number.isSafeInteger(pid) || pid <= 0) {
      throw new OptionError(
        `Expected \`pid\` to be a positive integer process id, got \`${String(pid)}\` ` +
          `(${typeof pid}); pass a pid such as child.pid, or nothing for the current process`,
      );
    }
    this.pid = pid;
    this.#source = createProcessSource(pid);
    closeOnCollect.register(this, this.#source, this);
  }

  /**
   * Forget the previous {@link cpuPercent} reading, so the next call returns 0.0 again (psutil's
   * first-call rule). The sampler uses it to reuse one object, and its open files, per session.
   */
  resetCpuPercent(): void {
    this.#lastCpu = undefined;
  }

  /**
   * CPU use in percent since the previous call on this object (psutil's rule): the change in
   * user + system CPU time over the change in wall time × 100, rounded to one decimal. The first
   * call returns 0.0. It exceeds 100 when several threads run at once.
   *
   * @param intervalS When positive, block this many seconds and measure over them (psutil's
   *   `interval`). Avoid it inside `telemetry()`: the sampler thread is blocked meanwhile.
   */
  cpuPercent(intervalS?: number | null): number {
    if (intervalS !== undefined && intervalS !== null) {
      if (!Number.isFinite(intervalS) || intervalS < 0) {
        throw new OptionError(
          `Expected \`interval\` of cpuPercent() to be a number of seconds >= 0, got ` +
            `\`${String(intervalS)}\`; leave it out to measure since the previous call`,
        );
      }
      if (intervalS > 0) {
        this.#lastCpu = { wallMs: performance.now(), cpuS: this.#source.cpuSeconds() };
        sleepSync(intervalS);
      }
    }
    const wallMs = performance.now();
    const cpuS = this.#source.cpuSeconds();
    const last = this.#lastCpu;
    this.#lastCpu = { wallMs, cpuS };
    if (last === undefined || wallMs <= last.wallMs) return 0;
    const percent = ((cpuS - last.cpuS) / ((wallMs - last.wallMs) / 1000)) * 100;
    return Math.max(0, Math.round(percent * 10) / 10);
  }

  /** User, system and waited-for children's CPU time in seconds. */
  cpuTimes(): CpuTimes {
    return this.#source.cpuTimes();
  }

  /** Resident and virtual memory in bytes (`/proc/<pid>/statm`, like psutil). */
  memoryInfo(): MemoryInfo {
    return this.#source.memoryInfo();
  }

  /**
   * {@link memoryInfo} plus uss, pss and swap in bytes, from `/proc/<pid>/smaps_rollup` (full
   * `smaps` on kernels before 4.14). Costlier: the kernel walks every mapping, 0.5–5 ms for a
   * Node process.
   */
  memoryFullInfo(): MemoryFullInfo {
    return this.#source.memoryFullInfo();
  }

  /** Peak resident set size in bytes (`VmHWM`); 0 for a zombie. Not in psutil. */
  memoryPeak(): number {
    return this.#source.memoryPeak();
  }

  /** Number of threads. */
  numThreads(): number {
    return this.#source.numThreads();
  }

  /** Number of open file descriptors (ProcessInfo's own kept descriptors included, as in psutil). */
  numFds(): number {
    return this.#source.numFds();
  }

  /** I/O counters (`/proc/<pid>/io`). */
  ioCounters(): IoCounters {
    return this.#source.ioCounters();
  }

  /** Voluntary and involuntary context switches. */
  numCtxSwitches(): CtxSwitches {
    return this.#source.numCtxSwitches();
  }

  /**
   * Start time in clock ticks since boot (stat field 22), read once at construction. Two reads
   * of the same pid with different start times are different processes.
   */
  startTime(): number {
    return this.#source.startTime();
  }

  /** Parent process id. */
  ppid(): number {
    return this.#source.ppid();
  }

  /** The command name (`comm`, at most 15 characters on Linux). */
  name(): string {
    return this.#source.name();
  }

  /** Scheduler state in psutil's words (`'running'`, `'sleeping'`, `'zombie'`, ...). */
  status(): ProcessStatus {
    return this.#source.status();
  }

  /**
   * Whether the process still exists and is the same one (its pid was not reused). A zombie
   * (exited, not yet waited for) still counts as running, as in psutil.
   */
  isRunning(): boolean {
    return this.#source.isRunning();
  }

  /**
   * Several attributes at once as a plain object keyed by psutil's names, nested values as plain
   * objects. Without `attrs`: every cheap attribute this platform has (not `memory_full_info`).
   * An attribute the kernel denies access to gets `adValue`; an unknown name throws.
   *
   * @param attrs Names from {@link ProcessAttr}.
   * @param adValue Stored for an attribute the kernel denies (psutil's `ad_value`). @default null
   */
  asDict(attrs?: Iterable<string> | null, adValue: unknown = null): Record<string, unknown> {
    const names = attrs === undefined || attrs === null ? defaultAttrs() : validateAttrs(attrs);
    const result: Record<string, unknown> = {};
    this.#source.batch(() => {
      for (const name of names) {
        try {
          result[name] = this.#readAttr(name);
        } catch (error) {
          if (!(error instanceof AccessDeniedError)) throw error;
          result[name] = adValue;
        }
      }
    });
    return result;
  }

  /**
   * Run `read` with each `/proc` file read at most once, however many attributes it asks for
   * (psutil's `oneshot()`): a consistent snapshot in fewer reads, e.g. `cpuTimes()` and
   * `numThreads()` from one read of `stat`. Returns what `read` returns.
   */
  oneshot<T>(read: () => T): T {
    return this.#source.batch(read);
  }

  /** Releases the kept `/proc` descriptors. The object stays usable: later calls reopen them. */
  close(): void {
    this.#source.close();
  }

  // psutil's snake_case names -----------------------------------------------------------------

  /** psutil name of {@link memoryInfo}. */
  memory_info(): MemoryInfo {
    return this.memoryInfo();
  }

  /** psutil name of {@link memoryFullInfo}. */
  memory_full_info(): MemoryFullInfo {
    return this.memoryFullInfo();
  }

  /**
   * psutil name of {@link cpuPercent}; also takes psutil's keyword form `cpu_percent({ interval })`.
   */
  cpu_percent(interval?: number | null | { interval?: number | null }): number {
    const seconds =
      typeof interval === 'object' && interval !== null ? interval.interval : interval;
    return this.cpuPercent(seconds);
  }

  /** psutil name of {@link cpuTimes}. */
  cpu_times(): CpuTimes {
    return this.cpuTimes();
  }

  /** psutil name of {@link numThreads}. */
  num_threads(): number {
    return this.numThreads();
  }

  /** psutil name of {@link numFds}. */
  num_fds(): number {
    return this.numFds();
  }

  /** psutil name of {@link ioCounters}. */
  io_counters(): IoCounters {
    return this.ioCounters();
  }

  /** psutil name of {@link numCtxSwitches}. */
  num_ctx_switches(): CtxSwitches {
    return this.numCtxSwitches();
  }

  /** psutil name of {@link isRunning}. */
  is_running(): boolean {
    return this.isRunning();
  }

  /**
   * psutil name of {@link asDict}. Takes `as_dict(['a', 'b'])` and psutil's keyword form
   * `as_dict({ attrs: ['a', 'b'], ad_value: null })`.
   */
  as_dict(
    attrsOrOptions?: Iterable<string> | AsDictOptions | null,
    ad_value: unknown = null,
  ): Record<string, unknown> {
    if (isAsDictOptions(attrsOrOptions)) {
      return this.asDict(
        attrsOrOptions.attrs,
        'ad_value' in attrsOrOptions ? attrsOrOptions.ad_value : ad_value,
      );
    }
    return this.asDict(attrsOrOptions, ad_value);
  }

  // Reads one attribute by its psutil name.
  #readAttr(name: ProcessAttr): unknown {
    switch (name) {
      case 'pid':
        return this.pid;
      case 'name':
        return this.name();
      case 'ppid':
        return this.ppid();
      case 'status':
        return this.status();
      case 'cpu_percent':
        return this.cpuPercent();
      case 'cpu_times':
        return this.cpuTimes();
      case 'memory_info':
        return this.memoryInfo();
      case 'memory_full_info':
        return this.memoryFullInfo();
      case 'memory_peak':
        return this.memoryPeak();
      case 'num_threads':
        return this.numThreads();
      case 'num_fds':
        return this.numFds();
      case 'io_counters':
        return this.ioCounters();
      case 'num_ctx_switches':
        return this.numCtxSwitches();
    }
  }
}

// ---------------------------------------------------------------------------------------------
// asDict arguments (internal)

// The attributes asDict reads when given none: all cheap ones this platform has.
function defaultAttrs(): ProcessAttr[] {
  return ALL_ATTRS.filter(
    (name) => name !== 'memory_full_info' && !ProcessInfo.unavailable.includes(name),
  );
}

// Whether an as_dict argument is psutil's keyword form rather than a list of names.
function isAsDictOptions(value: unknown): value is AsDictOptions {
  return (
    typeof value === 'object' &&
    value !== null &&
    !(Symbol.iterator in value) &&
    ('attrs' in value || 'ad_value' in value || Object.keys(value).length === 0)
  );
}

// Checks asDict's attrs: an iterable of known names (a lone string is a common slip).
function validateAttrs(attrs: unknown): ProcessAttr[] {
  const valid = (): string => `one of ${ALL_ATTRS.map((name) => `'${name}'`).join(', ')}`;
  if (typeof attrs !== 'object' || attrs === null || !(Symbol.iterator in attrs)) {
    const shown = typeof attrs === 'string' ? `'${attrs}'` : String(attrs);
    throw new OptionError(
      `Expected \`attrs\` of asDict() to be an array of attribute names (${valid()}), got ` +
        `\`${shown}\` (${typeof attrs}); wrap a single name in an array: ['cpu_percent']`,
    );
  }
  const names: ProcessAttr[] = [];
  for (const name of attrs as Iterable<unknown>) {
    if (typeof name !== 'string' || !(ALL_ATTRS as readonly string[]).includes(name)) {
      throw new OptionError(
        `Expected every entry of \`attrs\` in asDict() to be ${valid()}; got ` +
          `\`${String(name)}\` (${typeof name}); fix or remove that name`,
      );
    }
    names.push(name as ProcessAttr);
  }
  return names;
}
