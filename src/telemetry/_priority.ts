// internal: the sampler thread's scheduling priority, set and read back from inside the worker.
//
// A sampler that wakes on time still waits for a CPU when both cores are busy (the benchmarked
// thread, V8's GC helper threads, other processes): a normal-priority wake-up does not preempt
// them before the next scheduler tick, so samples land 2-8 ms late. A better nice value (or
// SCHED_FIFO) makes the kernel run the sampler at once. Linux sets priorities per thread, so the
// worker changes only itself: setpriority(PRIO_PROCESS, tid) is what os.setPriority(tid) calls.
// Node has no API for sched_setscheduler; SCHED_FIFO goes through util-linux's `chrt -p`, only
// when asked for (a real-time thread that spins can starve the machine).
import { spawnSync } from 'node:child_process';
import { openSync, readFileSync, readlinkSync, readSync } from 'node:fs';
import { setPriority } from 'node:os';
import type { PriorityOutcome, SamplerPriority } from './protocol.js';

/** The scheduling the sampler thread has, as the kernel reports it. */
export interface ThreadScheduling {
  /** Kernel thread id; -1 where it cannot be found (not Linux). */
  readonly tid: number;
  /** Nice value (-20 … 19); 0 where unknown. */
  readonly nice: number;
  /** Scheduling policy number (0 SCHED_OTHER, 1 SCHED_FIFO, 2 SCHED_RR, 3 SCHED_BATCH, 5 SCHED_IDLE); -1 unknown. */
  readonly policy: number;
  /** What the request achieved. */
  readonly outcome: PriorityOutcome;
}

/** Names of the Linux scheduling policies by number. */
export const POLICY_NAMES: Readonly<Record<number, string>> = {
  0: 'SCHED_OTHER',
  1: 'SCHED_FIFO',
  2: 'SCHED_RR',
  3: 'SCHED_BATCH',
  5: 'SCHED_IDLE',
  6: 'SCHED_DEADLINE',
};

/** The calling thread's kernel thread id (Linux: /proc/thread-self → `<pid>/task/<tid>`). */
export function currentThreadId(): number {
  try {
    const tid = Number(/task\/(\d+)$/.exec(readlinkSync('/proc/thread-self'))?.[1]);
    return Number.isInteger(tid) && tid > 0 ? tid : -1;
  } catch {
    return -1;
  }
}

/** Nice value and policy of thread `tid` of process `pid`, from /proc/<pid>/task/<tid>/stat. */
export function readThreadScheduling(
  pid: number,
  tid: number,
): { nice: number; policy: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces and parentheses) start at field 3.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const nice = Number(fields[19 - 3]);
    const policy = Number(fields[41 - 3]);
    if (!Number.isInteger(nice) || !Number.isInteger(policy)) return undefined;
    return { nice, policy };
  } catch {
    return undefined;
  }
}

// The lowest nice value RLIMIT_NICE lets an unprivileged process set (20 − the soft limit).
function lowestPermittedNice(): number | undefined {
  try {
    const limits = readFileSync('/proc/self/limits', 'utf8');
    const soft = /^Max nice priority\s+(\d+)/m.exec(limits)?.[1];
    return soft === undefined ? undefined : 20 - Number(soft);
  } catch {
    return undefined;
  }
}

// Try nice values from the best down to the permitted one; false when none could be set.
function raiseNice(tid: number, current: number): boolean {
  const candidates = [-20];
  const permitted = lowestPermittedNice();
  if (permitted !== undefined && permitted > -20 && permitted < current) candidates.push(permitted);
  for (const nice of candidates) {
    try {
      setPriority(tid, nice);
      return true;
    } catch {
      // EACCES: not permitted (no root, CAP_SYS_NICE or RLIMIT_NICE); try the next.
    }
  }
  return false;
}

// SCHED_FIFO priority 1 through `chrt` (util-linux); false when it is missing or refused.
function setFifo(tid: number): boolean {
  try {
    const result = spawnSync('chrt', ['-f', '-p', '1', String(tid)], {
      stdio: 'ignore',
      timeout: 2000,
    });
    return result.status === 0;
  } catch {
    return false;
  }
}

// Back to the scheduling the thread started with (always permitted: it only lowers priority).
function restore(tid: number, original: { nice: number; policy: number }): void {
  const now = readThreadScheduling(process.pid, tid);
  if (now === undefined) return;
  if ((now.policy === 1 || now.policy === 2) && original.policy === 0) {
    try {
      spawnSync('chrt', ['-o', '-p', '0', String(tid)], { stdio: 'ignore', timeout: 2000 });
    } catch {
      // chrt missing: it was needed to get here, so this is not expected.
    }
  }
  if (now.nice !== original.nice) {
    try {
      setPriority(tid, original.nice);
    } catch {
      // Not permitted to go back up (a niced-down process): keep what it has.
    }
  }
}

/**
 * Give the calling thread (the sampler worker) the priority asked for, as far as the process may,
 * silently staying as it is where it may not, and report what it has now. `original` is the
 * thread's scheduling when the worker started (restored for `normal`); undefined on the first call.
 */
export function applySamplerPriority(
  request: SamplerPriority,
  original?: { nice: number; policy: number },
): ThreadScheduling {
  const tid = currentThreadId();
  if (tid < 0) return { tid, nice: 0, policy: -1, outcome: 'unknown' };
  if (request === 'normal' && original !== undefined) restore(tid, original);
  const before = original ?? readThreadScheduling(process.pid, tid);
  if (before === undefined) return { tid, nice: 0, policy: -1, outcome: 'unknown' };
  if (request === 'normal') {
    const now = readThreadScheduling(process.pid, tid) ?? before;
    return { tid, ...now, outcome: 'not requested' };
  }
  if (request === 'realtime' && before.policy !== 1 && before.policy !== 2) setFifo(tid);
  let after = readThreadScheduling(process.pid, tid) ?? before;
  const realtime = after.policy === 1 || after.policy === 2;
  // A real-time thread ignores nice; otherwise lower it as far as permitted.
  if (!realtime && raiseNice(tid, after.nice))
    after = readThreadScheduling(process.pid, tid) ?? after;
  const outcome: PriorityOutcome =
    after.policy === 1 || after.policy === 2
      ? 'realtime'
      : after.nice < before.nice
        ? 'raised'
        : 'normal';
  return { tid, ...after, outcome };
}

/** Switches a thread between its raised and its normal nice value, with a syscall only on a change. */
export interface NiceSwitch {
  raise(): void;
  lower(): void;
}

/**
 * A switch for thread `tid` between `raisedNice` (its state now) and `normalNice`. The sampler
 * is raised only shortly before a due sample: a raised thread woken by a message (every
 * benchmarked call sends one) would preempt the benchmarked thread on a busy machine, which
 * made a loop of short calls several times slower; a thread raised for its timed wake-ups only
 * does not.
 */
export function createNiceSwitch(tid: number, raisedNice: number, normalNice: number): NiceSwitch {
  let current = raisedNice;
  const set = (nice: number) => {
    if (current === nice) return;
    try {
      setPriority(tid, nice);
      current = nice;
    } catch {
      // Not permitted any more (capabilities dropped): stay as it is.
    }
  };
  return { raise: () => set(raisedNice), lower: () => set(normalNice) };
}

/** A thread's totals from /proc/thread-self/schedstat, ms: on a CPU, and runnable but waiting for one. */
export interface ThreadTimes {
  readonly cpuMs: number;
  readonly waitMs: number;
}

/**
 * A reader of the calling thread's {@link ThreadTimes} (the file kept open); undefined where the
 * kernel does not say.
 */
export function createThreadTimesReader(): () => ThreadTimes | undefined {
  let fd: number;
  try {
    fd = openSync('/proc/thread-self/schedstat', 'r');
  } catch {
    return () => undefined;
  }
  const buffer = Buffer.alloc(96);
  return () => {
    try {
      const length = readSync(fd, buffer, 0, buffer.length, 0);
      // "<ns on a CPU> <ns waiting on a runqueue> <timeslices>"
      const [cpu, wait] = buffer.toString('latin1', 0, length).split(' ');
      const times = { cpuMs: Number(cpu) / 1e6, waitMs: Number(wait) / 1e6 };
      return Number.isFinite(times.cpuMs) && Number.isFinite(times.waitMs) ? times : undefined;
    } catch {
      return undefined;
    }
  };
}
