/**
 * Find processes by their command line in `/proc` (Linux), to check that nothing a test started
 * outlived it, and to clean up if something did.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Pids of the processes whose argv equals `argv` exactly. */
export function findProcesses(argv: readonly string[]): number[] {
  const wanted = `${argv.join('\0')}\0`;
  const found: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readFileSync(`/proc/${name}/cmdline`, 'utf8') === wanted) found.push(Number(name));
    } catch {
      // Exited while we looked.
    }
  }
  return found;
}

/** SIGKILL every process whose argv equals `argv`; returns how many there were. */
export function killProcesses(argv: readonly string[]): number {
  const pids = findProcesses(argv);
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Gone already.
    }
  }
  return pids.length;
}
