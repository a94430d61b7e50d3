/**
 * Low-level Linux `/proc` readers behind `ProcessInfo` and the process-tree sampler (internal).
 *
 *   /proc/<pid>/stat ──┐  kept fd, pread at offset 0   ┌── LinuxProcess (parsed values)
 *   /proc/<pid>/statm ─┼─────────────────────────────> │   shared reused Buffer, latin1 text
 *   /proc/<pid>/status ┤  (3.7 µs a read, against      │
 *   /proc/<pid>/io ────┤   about 20 µs for             │
 *   smaps_rollup ──────┘   readFileSync)               └── errors: NoSuchProcessError, AccessDeniedError
 *
 * Every file read on the hot path is a `single_open` seq file: the kernel renders it whole on each
 * read from offset 0, so one `readSync` into a large enough buffer returns the complete, fresh text.
 *
 * Pid reuse: a descriptor opened on `/proc/<pid>/...` is bound to that process, not to the number.
 * Once the process is reaped every read on it fails with ESRCH, even if the number is handed to a
 * new process. So the kept `stat` descriptor doubles as an identity check: a file opened later is
 * trusted only if `stat` still reads, with the start time recorded at construction.
 */

import { closeSync, openSync, readdirSync, readFileSync, readSync } from 'node:fs';
import { endianness } from 'node:os';
import { TelemetryError } from '../errors.js';
import type {
  CpuTimes,
  CtxSwitches,
  IoCounters,
  MemoryFullInfo,
  MemoryInfo,
  ProcessStatus,
} from './process-info.js';

/** Why a process could not be read: it is gone (ESRCH) or belongs to someone else (EACCES). */
export type ProcessErrorReason = 'ESRCH' | 'EACCES';

/**
 * The process no longer exists (psutil's `NoSuchProcess`): it exited, or its pid now belongs to
 * another process. `reason` is always `'ESRCH'`.
 */
export class NoSuchProcessError extends TelemetryError {
  /** The pid that was asked about. */
  readonly pid: number;
  /** Always `'ESRCH'`, the errno a kernel gives for a missing process. */
  readonly reason: ProcessErrorReason = 'ESRCH';

  constructor(pid: number, options?: { cause?: unknown }) {
    super(
      `process ${pid} is gone: it exited (or its pid was reused), so it cannot be sampled; ` +
        'check `isRunning()` first or create a new ProcessInfo for a live pid',
      options,
    );
    this.pid = pid;
  }
}

/**
 * The kernel refused to show this part of another user's process (psutil's `AccessDenied`), e.g.
 * `/proc/<pid>/io` or `fd/` of a process owned by someone else. `reason` is always `'EACCES'`.
 */
export class AccessDeniedError extends TelemetryError {
  /** The pid that was asked about. */
  readonly pid: number;
  /** Always `'EACCES'`. */
  readonly reason: ProcessErrorReason = 'EACCES';

  constructor(pid: number, what: string, options?: { cause?: unknown }) {
    super(
      `access to ${what} of process ${pid} was denied by the kernel (another user's process, or ` +
        'a ptrace restriction such as Yama or a container boundary); run as that user or root, ' +
        'or leave this attribute out',
      options,
    );
    this.pid = pid;
  }
}

// ---------------------------------------------------------------------------------------------
// Kernel constants

/** Page size and clock tick rate, as `getconf PAGESIZE` and `getconf CLK_TCK` report them. */
export interface ProcConstants {
  /** Bytes per memory page (statm counts pages). */
  readonly pageSizeBytes: number;
  /** Clock ticks per second (stat counts CPU time in ticks; `USER_HZ`). */
  readonly clockTicksPerSecond: number;
}

/** The defaults used when the auxiliary vector cannot be read: x86-64 Linux values. */
export const DEFAULT_PROC_CONSTANTS: ProcConstants = {
  pageSizeBytes: 4096,
  clockTicksPerSecond: 100,
};

// The auxv entry types glibc's sysconf(_SC_PAGESIZE) and sysconf(_SC_CLK_TCK) read.
const AT_PAGESZ = 6;
const AT_CLKTCK = 17;

let procConstants: ProcConstants | undefined;

/**
 * Reads the page size and clock tick rate once, from `/proc/self/auxv` (the values the kernel hands
 * every program, where `getconf` finds them too), without spawning `getconf`. Falls back to
 * {@link DEFAULT_PROC_CONSTANTS} when the file cannot be read.
 */
export function getProcConstants(): ProcConstants {
  procConstants ??= readAuxvConstants() ?? DEFAULT_PROC_CONSTANTS;
  return procConstants;
}

// Parses /proc/self/auxv: (type, value) pairs of native machine words.
function readAuxvConstants(): ProcConstants | undefined {
  let bytes: Buffer;
  try {
    bytes = readFileSync('/proc/self/auxv');
  } catch {
    return undefined;
  }
  const wordBytes = process.arch.endsWith('64') ? 8 : 4;
  const little = endianness() === 'LE';
  const word = (offset: number): number => {
    if (wordBytes === 4) return little ? bytes.readUInt32LE(offset) : bytes.readUInt32BE(offset);
    return Number(little ? bytes.readBigUInt64LE(offset) : bytes.readBigUInt64BE(offset));
  };
  let pageSizeBytes = DEFAULT_PROC_CONSTANTS.pageSizeBytes;
  let clockTicksPerSecond = DEFAULT_PROC_CONSTANTS.clockTicksPerSecond;
  for (let offset = 0; offset + 2 * wordBytes <= bytes.length; offset += 2 * wordBytes) {
    const type = word(offset);
    if (type === 0) break;
    const value = word(offset + wordBytes);
    if (type === AT_PAGESZ && value > 0) pageSizeBytes = value;
    if (type === AT_CLKTCK && value > 0) clockTicksPerSecond = value;
  }
  return { pageSizeBytes, clockTicksPerSecond };
}

// ---------------------------------------------------------------------------------------------
// Reading

// One buffer per thread (module instances are per isolate), grown when a file does not fit.
let sharedBuffer = Buffer.allocUnsafe(16 * 1024);

// Reads a whole single_open /proc file through a kept fd with one pread at offset 0 into the
// shared buffer and returns its length. Stops at `limitBytes` (the text is then cut short) so a
// reused descriptor number that now points at a large regular file cannot make the buffer grow
// without bound.
function readFdBytes(fd: number, limitBytes = 1024 * 1024): number {
  for (;;) {
    const length = readSync(fd, sharedBuffer, 0, sharedBuffer.length, 0);
    if (length < sharedBuffer.length || sharedBuffer.length >= limitBytes) return length;
    sharedBuffer = Buffer.allocUnsafe(sharedBuffer.length * 2);
  }
}

// {@link readFdBytes} as latin1 text.
function readFdText(fd: number, limitBytes?: number): string {
  const length = readFdBytes(fd, limitBytes);
  return sharedBuffer.toString('latin1', 0, length);
}

// Reads a small /proc file once without keeping its descriptor (no fstat, no allocation).
export function readProcText(path: string): string {
  const fd = openSync(path, 'r');
  try {
    return readFdText(fd);
  } finally {
    closeSync(fd);
  }
}

// Errors that mean a kept descriptor number no longer refers to our file (closed, or reused
// for a pipe, socket or directory by someone who closed ours).
const STALE_FD_CODES = new Set(['EBADF', 'ESPIPE', 'EISDIR', 'EINVAL']);

// Kept files (stat, statm, status, io, smaps_rollup) are a few KiB at most.
const KEPT_FILE_LIMIT_BYTES = 64 * 1024;

// A /proc file read again and again through one kept descriptor. If the descriptor was closed
// behind our back (a library closing "all fds") it is reopened; because the number may already
// belong to another file, each read is checked to look like this file before it is trusted.
class KeptFile {
  readonly path: string;
  readonly #looksRight: (text: string) => boolean;
  #fd = -1;
  #openedOnLastRead = false;

  constructor(path: string, looksRight: (text: string) => boolean) {
    this.path = path;
    this.#looksRight = looksRight;
  }

  // Whether the last read() had to open the file (so it may now be a different process's).
  get openedOnLastRead(): boolean {
    return this.#openedOnLastRead;
  }

  read(): string {
    let text = '';
    this.#readChecked((length) => {
      text = sharedBuffer.toString('latin1', 0, length);
      return this.#looksRight(text);
    });
    return text;
  }

  // Reads the file into the shared buffer (no text) and returns its length; `looksRight` judges
  // the bytes there, as the constructor's check judges text.
  readBytes(looksRight: (length: number) => boolean): number {
    return this.#readChecked(looksRight);
  }

  #readChecked(looksRight: (length: number) => boolean): number {
    this.#openedOnLastRead = this.#fd < 0;
    if (this.#fd < 0) this.#fd = openSync(this.path, 'r');
    let length: number | undefined;
    try {
      length = readFdBytes(this.#fd, KEPT_FILE_LIMIT_BYTES);
    } catch (error) {
      if (!STALE_FD_CODES.has(errorCode(error) ?? '')) throw error;
    }
    if (length !== undefined && looksRight(length)) return length;
    // Not ours any more: forget the number without closing it (it may be someone else's now).
    this.#fd = -1;
    this.#openedOnLastRead = true;
    this.#fd = openSync(this.path, 'r');
    length = readFdBytes(this.#fd, KEPT_FILE_LIMIT_BYTES);
    if (!looksRight(length)) {
      const start = sharedBuffer.toString('latin1', 0, Math.min(length, 80));
      throw new TelemetryError(`unexpected content in ${this.path}: ${start}`);
    }
    return length;
  }

  close(): void {
    if (this.#fd < 0) return;
    try {
      closeSync(this.#fd);
    } catch {
      // Already closed behind our back: nothing to release.
    }
    this.#fd = -1;
  }
}

// The `code` of a Node system error, if it is one.
export function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  return typeof error.code === 'string' ? error.code : undefined;
}

// ---------------------------------------------------------------------------------------------
// Parsing

/** The fields of `/proc/<pid>/stat` microbench uses (numbered as in proc(5)). */
export interface StatFields {
  /** 2: the command name (`comm`), at most 15 characters, may hold spaces and parentheses. */
  readonly name: string;
  /** 3: one-letter state (R, S, D, Z, T, ...). */
  readonly state: string;
  /** 4: parent pid. */
  readonly ppid: number;
  /** 14-17: user, system, waited-for children user and system CPU time, in clock ticks. */
  readonly utimeTicks: number;
  readonly stimeTicks: number;
  readonly cutimeTicks: number;
  readonly cstimeTicks: number;
  /** 20: number of threads. */
  readonly numThreads: number;
  /** 22: start time, in clock ticks since boot. */
  readonly startTicks: number;
  /** 23: virtual memory size in bytes (statm's first field times the page size). */
  readonly vsizeBytes: number;
  /** 24: resident set size in pages (statm's second field). */
  readonly rssPages: number;
}

/**
 * Parses `/proc/<pid>/stat`. The name sits between the first `(` and the LAST `)`, because a
 * program may call itself `a b) Z 1 (c`; every numbered field is counted after that `)`.
 * Scans the line once for the fields it needs (no split into fifty strings: the CLI's tree
 * sampler parses one stat per process every sample).
 */
export function parseStat(text: string): StatFields {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) throw new TelemetryError(`unexpected /proc stat format: ${text}`);
  // Field 3 (state) starts at close + 2; fields 4..24 are kept as numbers by field number
  // (a field missing from a short line reads NaN, as it did from a split).
  const fields: number[] = [];
  let state = '?';
  let at = close + 2;
  for (let n = 3; n <= 24 && at < text.length; n++) {
    let end = text.indexOf(' ', at);
    if (end < 0) end = text.length;
    if (n === 3) state = text.slice(at, end);
    else fields[n] = Number(text.slice(at, end));
    at = end + 1;
  }
  const field = (n: number): number => fields[n] ?? Number.NaN;
  return {
    name: text.slice(open + 1, close),
    state,
    ppid: field(4),
    utimeTicks: field(14),
    stimeTicks: field(15),
    cutimeTicks: field(16),
    cstimeTicks: field(17),
    numThreads: field(20),
    startTicks: field(22),
    vsizeBytes: field(23),
    rssPages: field(24),
  };
}

/**
 * The stat numbers a process-tree sample needs, filled in place by
 * {@link LinuxProcess.readStatCounters} (numbered as in proc(5)).
 */
export interface StatCounters {
  /** 3: the state letter as a character code (90, `Z`, for a zombie). */
  state: number;
  /** 14, 15: user and system CPU time in clock ticks. */
  utimeTicks: number;
  stimeTicks: number;
  /** 20: number of threads. */
  numThreads: number;
  /** 22: start time in clock ticks since boot. */
  startTicks: number;
  /** 23: virtual memory size in bytes; 0 once an exiting process has let go of its memory. */
  vsizeBytes: number;
  /** 24: resident set size in pages. */
  rssPages: number;
}

/** A {@link StatCounters} to fill. */
export function newStatCounters(): StatCounters {
  return {
    state: 0,
    utimeTicks: 0,
    stimeTicks: 0,
    numThreads: 0,
    startTicks: 0,
    vsizeBytes: 0,
    rssPages: 0,
  };
}

const CLOSE_PAREN = 0x29;
const SPACE = 0x20;
const NEWLINE = 0x0a;
const MINUS = 0x2d;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;

/**
 * Parses the stat line in `bytes[0, length)` into `out` without making any text (the tree
 * sampler reads one stat per process every sample): the fields {@link parseStat} gives, counted
 * after the LAST `)` for the same reason. Returns false for a line that is not a stat line (no
 * `)`, a field that is not a number, or fewer than 24 fields); `out` is then undefined.
 */
export function parseStatCounters(bytes: Uint8Array, length: number, out: StatCounters): boolean {
  let close = length - 1;
  while (close >= 0 && bytes[close] !== CLOSE_PAREN) close--;
  if (close < 0 || close + 2 >= length) return false;
  out.state = bytes[close + 2]!;
  let field = 4;
  let value = 0;
  let negative = false;
  let digits = 0;
  // Fields 4..24 are numbers separated by one space; the line ends with a newline.
  for (let i = close + 4; i <= length; i++) {
    const c = i < length ? bytes[i]! : NEWLINE;
    if (c === SPACE || c === NEWLINE) {
      if (digits === 0) return false;
      const number = negative ? -value : value;
      if (field === 14) out.utimeTicks = number;
      else if (field === 15) out.stimeTicks = number;
      else if (field === 20) out.numThreads = number;
      else if (field === 22) out.startTicks = number;
      else if (field === 23) out.vsizeBytes = number;
      else if (field === 24) {
        out.rssPages = number;
        return true;
      }
      field += 1;
      value = 0;
      negative = false;
      digits = 0;
    } else if (c >= DIGIT_0 && c <= DIGIT_9) {
      value = value * 10 + (c - DIGIT_0);
      digits += 1;
    } else if (c === MINUS && digits === 0 && !negative) {
      negative = true;
    } else {
      return false;
    }
  }
  return false;
}

/** Finds `Key:` at the start of a line of a `Key: value` file and returns its first number. */
export function findKeyNumber(text: string, key: string): number | undefined {
  let at = text.startsWith(`${key}:`) ? 0 : text.indexOf(`\n${key}:`);
  if (at < 0) return undefined;
  if (text.charCodeAt(at) === 10) at += 1;
  const value = Number.parseInt(text.slice(at + key.length + 1, at + key.length + 40).trim(), 10);
  return Number.isNaN(value) ? undefined : value;
}

/**
 * Sums an smaps or smaps_rollup text like psutil: uss = every `Private_*` line, pss = `Pss:`,
 * swap = `Swap:`, and rss = `Rss:` (kB in the file, bytes out). Full smaps has one block per
 * mapping: all are summed.
 */
export function parseSmaps(text: string): { uss: number; pss: number; swap: number; rss: number } {
  let uss = 0;
  let pss = 0;
  let swap = 0;
  let rss = 0;
  for (const line of text.split('\n')) {
    const first = line.charCodeAt(0);
    // Only lines starting with P, R or S matter; mapping headers start with a hex digit.
    if (first !== 80 && first !== 83 && first !== 82) continue;
    const kib = (): number => Number.parseInt(line.slice(line.indexOf(':') + 1), 10) || 0;
    if (line.startsWith('Private_')) uss += kib();
    else if (line.startsWith('Pss:')) pss += kib();
    else if (line.startsWith('Swap:')) swap += kib();
    else if (line.startsWith('Rss:')) rss += kib();
  }
  return { uss: uss * 1024, pss: pss * 1024, swap: swap * 1024, rss: rss * 1024 };
}

// psutil's names for the one-letter states in stat.
const STATUS_NAMES: Record<string, ProcessStatus> = {
  R: 'running',
  S: 'sleeping',
  D: 'disk-sleep',
  T: 'stopped',
  t: 'tracing-stop',
  Z: 'zombie',
  X: 'dead',
  x: 'dead',
  K: 'wake-kill',
  W: 'waking',
  P: 'parked',
  I: 'idle',
};

/** psutil's status name for a one-letter state from stat (`'unknown'` for anything new). */
export function toStatusName(state: string): ProcessStatus {
  return STATUS_NAMES[state] ?? 'unknown';
}

// ---------------------------------------------------------------------------------------------
// One process

type KeptName = 'stat' | 'statm' | 'status' | 'io' | 'smaps_rollup';

// How each kept file starts, to tell it from a file that took over its descriptor number.
const STATM_PATTERN = /^\d+ \d+ \d+ \d+ \d+ \d+ \d+\n$/;
const LOOKS_RIGHT: Record<Exclude<KeptName, 'stat'>, (text: string) => boolean> = {
  statm: (text) => STATM_PATTERN.test(text),
  status: (text) => text.startsWith('Name:'),
  io: (text) => text.startsWith('rchar:'),
  smaps_rollup: (text) => text === '' || text.includes('[rollup]'),
};

// Where identity checks parse a stat line they only compare.
const scratchCounters = newStatCounters();

// Set once a kernel answers ENOENT for smaps_rollup (older than 4.14): go straight to smaps.
let smapsRollupMissing = false;

/**
 * One Linux process read through kept `/proc/<pid>/*` descriptors. Throws
 * {@link NoSuchProcessError} from the constructor when the pid does not exist.
 */
export class LinuxProcess {
  readonly pid: number;
  readonly #dir: string;
  readonly #files = new Map<KeptName, KeptFile>();
  #startTicks: number | undefined;
  // File texts read during batch(), so one asDict() reads stat and status once each, and the
  // stat line parsed once.
  #batchTexts: Map<KeptName, string> | undefined;
  #batchStat: StatFields | undefined;
  // `<pid> (`, how this process's stat line starts, and the check of read bytes against it.
  readonly #statPrefix: Buffer;
  readonly #statLooksRight: (length: number) => boolean;

  constructor(pid: number) {
    this.pid = pid;
    this.#dir = `/proc/${pid}`;
    this.#statPrefix = Buffer.from(`${pid} (`, 'latin1');
    this.#statLooksRight = (length) =>
      length >= this.#statPrefix.length &&
      sharedBuffer.compare(
        this.#statPrefix,
        0,
        this.#statPrefix.length,
        0,
        this.#statPrefix.length,
      ) === 0;
    this.#startTicks = this.stat().startTicks;
  }

  /** Start time in clock ticks since boot, read at construction: the process's identity. */
  get startTicks(): number {
    return this.#startTicks ?? 0;
  }

  /** Runs `read` with each file read at most once (a consistent snapshot, fewer syscalls). */
  batch<T>(read: () => T): T {
    if (this.#batchTexts !== undefined) return read();
    this.#batchTexts = new Map();
    try {
      return read();
    } finally {
      this.#batchTexts = undefined;
      this.#batchStat = undefined;
    }
  }

  /** The parsed stat line; a stat descriptor (re)opened on a different process is refused. */
  stat(): StatFields {
    if (this.#batchStat !== undefined) return this.#batchStat;
    const file = this.#file('stat');
    let text: string;
    let stat: StatFields;
    try {
      text = file.read();
      stat = parseStat(text);
    } catch (error) {
      throw this.#toProcessError(error, 'stat');
    }
    this.#checkReopenedStat(file, stat.startTicks);
    if (this.#batchTexts !== undefined) this.#batchStat = stat;
    return stat;
  }

  /**
   * Fills `out` from the stat line read through the kept descriptor, as bytes (no text, no
   * object): the tree sampler's hot path. Errors as {@link stat}.
   */
  readStatCounters(out: StatCounters): void {
    const file = this.#file('stat');
    try {
      const length = file.readBytes(this.#statLooksRight);
      if (!parseStatCounters(sharedBuffer, length, out)) {
        const text = sharedBuffer.toString('latin1', 0, Math.min(length, 200));
        throw new TelemetryError(`unexpected /proc stat format: ${text}`);
      }
    } catch (error) {
      throw this.#toProcessError(error, 'stat');
    }
    this.#checkReopenedStat(file, out.startTicks);
  }

  // A stat descriptor just (re)opened may be a new process's that took the pid: refused.
  #checkReopenedStat(file: KeptFile, startTicks: number): void {
    if (!file.openedOnLastRead || this.#startTicks === undefined) return;
    if (startTicks === this.#startTicks) return;
    file.close();
    throw new NoSuchProcessError(this.pid);
  }

  /**
   * rss and vms in bytes from statm, the way psutil's memory_info reads them; inside a batch
   * that has read stat already, from stat's fields 23 and 24 (the same two kernel counters).
   */
  memoryInfo(): MemoryInfo {
    const stat = this.#batchStat;
    if (stat !== undefined) {
      return { rss: stat.rssPages * getProcConstants().pageSizeBytes, vms: stat.vsizeBytes };
    }
    const text = this.#readKept('statm');
    const space = text.indexOf(' ');
    const pageSize = getProcConstants().pageSizeBytes;
    const vms = Number(text.slice(0, space)) * pageSize;
    const rss = Number.parseInt(text.slice(space + 1), 10) * pageSize;
    return { rss, vms };
  }

  /** statm plus smaps_rollup; falls back to summing smaps when the rollup is missing. */
  memoryFullInfo(): MemoryFullInfo {
    const { rss, vms } = this.memoryInfo();
    const { uss, pss, swap } = this.#smaps();
    return { rss, vms, uss, pss, swap };
  }

  /** PSS in bytes alone, from smaps_rollup (or smaps), without reading statm. */
  memoryPss(): number {
    return this.#smaps().pss;
  }

  /**
   * RSS in bytes counted from the page tables (smaps_rollup, or smaps), where stat's counter
   * falls short: the kernel keeps RSS in per-CPU counters, and a reader of stat or statm sees
   * only what has been folded into the total (a process just exec'd can read 0). Costlier than
   * stat: the kernel walks every mapping.
   */
  memoryRssCounted(): number {
    return this.#smaps().rss;
  }

  // uss, pss, swap and rss from smaps_rollup, or from the full smaps on kernels without it.
  #smaps(): { uss: number; pss: number; swap: number; rss: number } {
    if (!smapsRollupMissing) {
      try {
        // Opened afresh each time, never kept: an open smaps_rollup reads the memory map the
        // process had when it was opened. One opened between a shell's vfork() and its exec()
        // reads the shell's map for good (a few hundred KiB for a program holding gigabytes).
        // (open, one read into the shared buffer, close: no fstat and no buffer per read)
        const text = readProcText(`${this.#dir}/smaps_rollup`);
        if (!this.#stillSameProcess()) throw new NoSuchProcessError(this.pid);
        return parseSmaps(text);
      } catch (error) {
        const code = errorCode(error);
        // ENOENT: a kernel older than 4.14. ESRCH on a live process: a zombie, or psutil #2284.
        if (code !== 'ENOENT' && code !== 'ESRCH')
          throw this.#toProcessError(error, 'smaps_rollup');
        if (code === 'ENOENT') smapsRollupMissing = true;
        this.#files.get('smaps_rollup')?.close();
        this.#files.delete('smaps_rollup');
      }
    }
    return parseSmaps(this.#readOnce('smaps'));
  }

  /** The text of /proc/<pid>/status. */
  status(): string {
    return this.#readKept('status');
  }

  /** I/O counters from /proc/<pid>/io, named as psutil names them. */
  ioCounters(): IoCounters {
    const text = this.#readKept('io');
    return {
      read_count: findKeyNumber(text, 'syscr') ?? 0,
      write_count: findKeyNumber(text, 'syscw') ?? 0,
      read_bytes: findKeyNumber(text, 'read_bytes') ?? 0,
      write_bytes: findKeyNumber(text, 'write_bytes') ?? 0,
      read_chars: findKeyNumber(text, 'rchar') ?? 0,
      write_chars: findKeyNumber(text, 'wchar') ?? 0,
    };
  }

  /** Context switches from status. */
  numCtxSwitches(): CtxSwitches {
    const text = this.status();
    return {
      voluntary: findKeyNumber(text, 'voluntary_ctxt_switches') ?? 0,
      involuntary: findKeyNumber(text, 'nonvoluntary_ctxt_switches') ?? 0,
    };
  }

  /** VmHWM in bytes; 0 for a zombie, whose status has no Vm* lines any more. */
  memoryPeak(): number {
    return (findKeyNumber(this.status(), 'VmHWM') ?? 0) * 1024;
  }

  /** CPU times in seconds from stat (clock tick resolution). */
  cpuTimes(): CpuTimes {
    const stat = this.stat();
    const hz = getProcConstants().clockTicksPerSecond;
    return {
      user: stat.utimeTicks / hz,
      system: stat.stimeTicks / hz,
      children_user: stat.cutimeTicks / hz,
      children_system: stat.cstimeTicks / hz,
    };
  }

  /** Entries of /proc/<pid>/fd, counted the way psutil counts them. */
  numFds(): number {
    let count: number;
    try {
      count = readdirSync(`${this.#dir}/fd`).length;
    } catch (error) {
      throw this.#toProcessError(error, 'fd/');
    }
    if (!this.#stillSameProcess()) throw new NoSuchProcessError(this.pid);
    return count;
  }

  /** Whether the process still exists with the same start time (a zombie still exists). */
  isRunning(): boolean {
    return this.#stillSameProcess();
  }

  /** Releases every kept descriptor; later reads open them again. */
  close(): void {
    for (const file of this.#files.values()) file.close();
    this.#files.clear();
  }

  // The kept file for a name, created (not yet opened) on first use.
  #file(name: KeptName): KeptFile {
    let file = this.#files.get(name);
    if (file === undefined) {
      const prefix = `${this.pid} (`;
      const looksRight =
        name === 'stat' ? (text: string) => text.startsWith(prefix) : LOOKS_RIGHT[name];
      file = new KeptFile(`${this.#dir}/${name}`, looksRight);
      this.#files.set(name, file);
    }
    return file;
  }

  // Reads a kept file; errors become NoSuchProcessError/AccessDeniedError unless rawErrors.
  #readKept(name: Exclude<KeptName, 'stat'>, options?: { rawErrors: boolean }): string {
    const cached = this.#batchTexts?.get(name);
    if (cached !== undefined) return cached;
    const file = this.#file(name);
    let text: string;
    try {
      text = file.read();
    } catch (error) {
      if (options?.rawErrors && this.#stillSameProcess()) throw error;
      throw this.#toProcessError(error, name);
    }
    // A descriptor opened just now may point at a new process that took the pid: check identity.
    if (file.openedOnLastRead && !this.#stillSameProcess()) {
      file.close();
      throw new NoSuchProcessError(this.pid);
    }
    this.#batchTexts?.set(name, text);
    return text;
  }

  // Reads a file without keeping it (rare paths such as full smaps).
  #readOnce(name: string): string {
    let text: string;
    try {
      text = readFileSync(`${this.#dir}/${name}`, 'latin1');
    } catch (error) {
      throw this.#toProcessError(error, name);
    }
    if (!this.#stillSameProcess()) throw new NoSuchProcessError(this.pid);
    return text;
  }

  // Whether the kept stat descriptor still reads the process this object was made for.
  #stillSameProcess(): boolean {
    if (this.#batchStat !== undefined) return this.#batchStat.startTicks === this.#startTicks;
    try {
      this.readStatCounters(scratchCounters);
      return scratchCounters.startTicks === this.#startTicks;
    } catch {
      return false;
    }
  }

  // Translates a failed /proc read into the error a caller can act on.
  #toProcessError(error: unknown, what: string): Error {
    if (error instanceof TelemetryError) return error;
    const code = errorCode(error);
    if (code === 'EACCES' || code === 'EPERM') {
      return new AccessDeniedError(this.pid, `/proc/${this.pid}/${what}`, { cause: error });
    }
    if (code === 'ENOENT' || code === 'ESRCH') {
      if (what === 'stat' || !this.#stillSameProcess()) {
        return new NoSuchProcessError(this.pid, { cause: error });
      }
      return new TelemetryError(
        `/proc/${this.pid}/${what} does not exist on this kernel (${code}), so this value is ` +
          'unavailable here; leave it out of your telemetry (see ProcessInfo.unavailable)',
        { cause: error },
      );
    }
    return new TelemetryError(`reading /proc/${this.pid}/${what} failed: ${String(error)}`, {
      cause: error,
    });
  }
}

// ---------------------------------------------------------------------------------------------
// Process tree

let childrenFilesPresent: boolean | undefined;

/** Whether this kernel has `/proc/<pid>/task/<tid>/children` (CONFIG_PROC_CHILDREN). */
export function hasChildrenFiles(): boolean {
  if (childrenFilesPresent === undefined) {
    try {
      readProcText(`/proc/self/task/${process.pid}/children`);
      childrenFilesPresent = true;
    } catch {
      childrenFilesPresent = false;
    }
  }
  return childrenFilesPresent;
}

/**
 * Direct children of `pid`, from the `children` file of every thread (a child belongs to the
 * thread that forked it). Returns `undefined` when the process does not exist.
 */
export function readChildPids(pid: number): number[] | undefined {
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return undefined;
  }
  const children: number[] = [];
  for (const tid of tids) {
    let text: string;
    try {
      text = readProcText(`/proc/${pid}/task/${tid}/children`);
    } catch {
      continue; // The thread ended between readdir and open.
    }
    for (const part of text.split(' ')) {
      const child = Number.parseInt(part, 10);
      if (child > 0) children.push(child);
    }
  }
  return children;
}

/** Maps every visible pid to its parent pid by reading each `/proc/<pid>/stat` (the slow path). */
export function scanParentPids(): Map<number, number> {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid <= 0) continue;
    try {
      parents.set(pid, parseStat(readProcText(`/proc/${pid}/stat`)).ppid);
    } catch {
      // The process exited during the scan.
    }
  }
  return parents;
}
