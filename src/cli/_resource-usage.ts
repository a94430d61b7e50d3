// internal: the CLI's `resource_usage`, one entry per timed iteration, for the command's process
// tree (the command and every descendant that was waited for), with microbench v2.1's fields.
//
// Python microbench gets them from wait4(2). Node reaps its children itself (libuv) and gives no
// access to their rusage: process.resourceUsage() is getrusage(RUSAGE_SELF), and nothing calls
// RUSAGE_CHILDREN. What Linux shows instead, read just before the command starts and just after
// Node has reaped it (so the difference is exactly that iteration's tree):
//
//   field            source                                               exact?
//   utime, stime     /proc/self/stat cutime, cstime (fields 16, 17)       yes, in clock ticks
//                                                                         (USER_HZ, 10 ms)
//   minflt, majflt   /proc/self/stat cminflt, cmajflt (fields 11, 13)     yes
//   inblock/oublock  /proc/self/io read_bytes/write_bytes ÷ 512, minus    yes: the kernel adds a
//                    this process's own (process.resourceUsage()          reaped child's I/O to
//                    fsRead/fsWrite, the same 512-byte blocks)            its parent's /proc/io
//   maxrss           the highest VmHWM the telemetry sampler saw in the   a lower bound, and only
//                    tree (bytes); null without --telemetry-interval      with telemetry
//   nvcsw, nivcsw    null: Linux gives a reaped child's context switches  not available
//                    only to wait4/getrusage(RUSAGE_CHILDREN)
//
// Elsewhere than Linux (no /proc) the CLI records no resource_usage.
import { readFileSync } from 'node:fs';

/** `resource_usage` of one timed iteration of the command (its whole waited-for process tree). */
export interface CommandResourceUsage {
  /** User CPU seconds (clock-tick resolution, usually 10 ms). */
  utime: number;
  /** System CPU seconds, likewise. */
  stime: number;
  /** Peak RSS in bytes: the highest `VmHWM` telemetry saw in the tree; null without telemetry. */
  maxrss: number | null;
  /** Minor page faults. */
  minflt: number;
  /** Major page faults. */
  majflt: number;
  /** 512-byte blocks read from storage (page-cache hits do not count); null without /proc/self/io. */
  inblock: number | null;
  /** 512-byte blocks written to storage; null without /proc/self/io. */
  oublock: number | null;
  /** Voluntary context switches: always null, Node cannot read a reaped child's (see above). */
  nvcsw: null;
  /** Involuntary context switches: always null, likewise. */
  nivcsw: null;
}

/** The counters a {@link CommandResourceUsage} is the difference of. */
export interface ChildrenUsageReading {
  readonly utimeTicks: number;
  readonly stimeTicks: number;
  readonly minflt: number;
  readonly majflt: number;
  /** Whole-process storage bytes (own and reaped children's), or undefined without /proc/self/io. */
  readonly readBytes: number | undefined;
  readonly writeBytes: number | undefined;
  /** This process's own blocks (RUSAGE_SELF), to take out of the whole-process bytes. */
  readonly ownInblock: number;
  readonly ownOublock: number;
}

/** Read the reaped-children counters of this process now; undefined when /proc cannot be read. */
export function readChildrenUsage(): ChildrenUsageReading | undefined {
  let stat: string;
  try {
    stat = readFileSync('/proc/self/stat', 'latin1');
  } catch {
    return undefined;
  }
  // Field N is token N - 3 after the last ')' (the process name may contain spaces).
  const tokens = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const field = (n: number) => Number(tokens[n - 3]);
  const io = readProcIo();
  const own = process.resourceUsage();
  return {
    minflt: field(11),
    majflt: field(13),
    utimeTicks: field(16),
    stimeTicks: field(17),
    readBytes: io?.readBytes,
    writeBytes: io?.writeBytes,
    ownInblock: own.fsRead,
    ownOublock: own.fsWrite,
  };
}

/**
 * One iteration's usage from the readings before and after it.
 * @param peakRssBytes the highest RSS telemetry saw in the command's tree, or null.
 */
export function toCommandUsage(
  before: ChildrenUsageReading,
  after: ChildrenUsageReading,
  peakRssBytes: number | null,
): CommandResourceUsage {
  clockTicksPerSecond ??= readClockTicks();
  return {
    utime: round6((after.utimeTicks - before.utimeTicks) / clockTicksPerSecond),
    stime: round6((after.stimeTicks - before.stimeTicks) / clockTicksPerSecond),
    maxrss: peakRssBytes,
    minflt: after.minflt - before.minflt,
    majflt: after.majflt - before.majflt,
    inblock: blocks(before.readBytes, after.readBytes, after.ownInblock - before.ownInblock),
    oublock: blocks(before.writeBytes, after.writeBytes, after.ownOublock - before.ownOublock),
    nvcsw: null,
    nivcsw: null,
  };
}

let clockTicksPerSecond: number | undefined;

// The children's share of the process's storage bytes, in 512-byte blocks (never negative:
// the per-task rounding to blocks can leave the own share a block above the bytes).
function blocks(before: number | undefined, after: number | undefined, own: number): number | null {
  if (before === undefined || after === undefined) return null;
  return Math.max(0, Math.floor((after - before) / 512) - own);
}

// read_bytes and write_bytes of /proc/self/io; undefined where the kernel has no I/O accounting.
function readProcIo(): { readBytes: number; writeBytes: number } | undefined {
  let text: string;
  try {
    text = readFileSync('/proc/self/io', 'latin1');
  } catch {
    return undefined;
  }
  const read = /^read_bytes:\s*(\d+)/m.exec(text);
  const write = /^write_bytes:\s*(\d+)/m.exec(text);
  if (!read || !write) return undefined;
  return { readBytes: Number(read[1]), writeBytes: Number(write[1]) };
}

// USER_HZ from the auxiliary vector (AT_CLKTCK = 17), else the usual 100.
function readClockTicks(): number {
  try {
    const auxv = readFileSync('/proc/self/auxv');
    const word = process.arch.endsWith('64') ? 8 : 4;
    for (let at = 0; at + 2 * word <= auxv.length; at += 2 * word) {
      const type = word === 8 ? Number(auxv.readBigUInt64LE(at)) : auxv.readUInt32LE(at);
      if (type === 17) {
        return word === 8 ? Number(auxv.readBigUInt64LE(at + word)) : auxv.readUInt32LE(at + word);
      }
      if (type === 0) break;
    }
  } catch {
    // fall through to the default
  }
  return 100;
}

function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
