// internal: per-thread CPU time on Linux (/proc/self/task/<tid>/schedstat, nanosecond precision).
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** Thread ids of this process (empty where /proc is unavailable). */
export function listThreads(): string[] {
  try {
    return readdirSync('/proc/self/task');
  } catch {
    return [];
  }
}

/** CPU time of one thread in ms (0 when unreadable). */
export function threadCpuMs(tid: string): number {
  try {
    return Number(readFileSync(`/proc/self/task/${tid}/schedstat`, 'utf8').split(' ')[0]) / 1e6;
  } catch {
    return 0;
  }
}

/** Total CPU time of several threads in ms. */
export function threadsCpuMs(tids: readonly string[]): number {
  let sum = 0;
  for (const tid of tids) sum += threadCpuMs(tid);
  return sum;
}

/** CPU time of the main thread in ms. */
export function mainThreadCpuMs(): number {
  return threadCpuMs(String(process.pid));
}

/** The whole process's CPU time (user + system, every thread) in ms. */
export function processCpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** CPUs this process may run on (Linux `Cpus_allowed_list`); empty where unknown. */
export function allowedCpus(): number[] {
  try {
    const status = readFileSync('/proc/self/status', 'utf8');
    const list = /^Cpus_allowed_list:\s*(.+)$/m.exec(status)?.[1] ?? '';
    return list.split(',').flatMap((part) => {
      const [from, to] = part.split('-').map(Number);
      if (from === undefined || !Number.isInteger(from)) return [];
      const last = to ?? from;
      return Array.from({ length: last - from + 1 }, (_, i) => from + i);
    });
  } catch {
    return [];
  }
}

/**
 * Restrict threads of this process to one CPU with `taskset` (on Linux a thread id names one
 * thread). A diagnostic for the bench only: false when `taskset` is missing or refused.
 */
export function pinThreads(tids: readonly string[], cpu: number): boolean {
  try {
    for (const tid of tids)
      execFileSync('taskset', ['-p', '-c', String(cpu), tid], { stdio: 'ignore', timeout: 2000 });
    return true;
  } catch {
    return false;
  }
}
