// internal: per-thread CPU time on Linux (/proc/self/task/<tid>/schedstat, nanosecond precision).
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
