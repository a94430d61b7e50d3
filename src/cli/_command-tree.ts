// internal: the process tree of a running command, and how signals reach all of it.
//
//   spawn ──► own group (detached: a new session and process group, pgid = pid)
//        │        signal(s) ── kill(-pgid, s) ─► every process of the group, once
//        │                  └─ kill(pid, s) ───► descendants that left the group (found in /proc)
//        └──► the terminal's group (microbench is in the foreground of a terminal)
//                 signal(s) ── kill(pid, s) ───► the command and each descendant, once
//
// Descendants are listed before each signal (a parent that dies re-parents its children, which
// /proc then no longer shows as ours) and remembered with their start time, so a later SIGKILL
// reaches them even once orphaned, and never a stranger that got the same pid.
import { readdirSync, readFileSync } from 'node:fs';
import { isatty } from 'node:tty';

/**
 * Whether microbench runs in the foreground of a terminal: it has a controlling terminal and its
 * process group is that terminal's foreground group (so the terminal's Ctrl-C reaches it, and
 * would reach a command left in its group). Linux reads `/proc/self/stat`; elsewhere the answer
 * is whether stdin is a terminal.
 */
export function isTerminalForeground(): boolean {
  const stat = readStat('self');
  if (stat === undefined) return process.platform !== 'linux' && isatty(0);
  return stat.ttyNr !== 0 && stat.tpgid === stat.pgrp;
}

/** A running command and everything it started; see the file's header. */
export class CommandTree {
  /** The command's process id. */
  readonly pid: number;
  /** Whether the command leads its own process group (spawned detached). */
  readonly ownGroup: boolean;
  // Descendants seen so far (pid → start time), for signals after their parent is gone.
  readonly #seen = new Map<number, number>();

  constructor(pid: number, ownGroup: boolean) {
    this.pid = pid;
    this.ownGroup = ownGroup;
  }

  /**
   * Send `signal` to every process of the tree exactly once: the group (when the command has
   * its own), then each descendant outside it. Never throws: processes that are gone are skipped.
   */
  signal(signal: NodeJS.Signals): void {
    const targets = this.#listTargets();
    if (this.ownGroup) send(-this.pid, signal);
    for (const pid of targets) send(pid, signal);
  }

  /**
   * Note the tree's descendants as they are now, without signalling them: {@link hasSurvivors}
   * and later signals then still find those that get orphaned.
   */
  remember(): void {
    this.#listTargets();
  }

  /**
   * Whether anything of the tree is still alive after the command itself exited: a member of its
   * group, or a remembered descendant (same pid, same start time).
   */
  hasSurvivors(): boolean {
    if (this.ownGroup && exists(-this.pid)) return true;
    for (const [pid, startTicks] of this.#seen) {
      const stat = readStat(String(pid));
      if (stat !== undefined && stat.startTicks === startTicks && stat.state !== 'Z') return true;
    }
    return false;
  }

  // The pids to signal one by one: the command (unless the group kill covers it) and every
  // descendant, listed now or seen before, that is not in the command's group.
  #listTargets(): number[] {
    // Once the command has exited this finds nothing: only what was seen before is left.
    for (const pid of listDescendants(this.pid)) {
      if (this.#seen.has(pid)) continue;
      const stat = readStat(String(pid));
      if (stat !== undefined) this.#seen.set(pid, stat.startTicks);
    }
    const targets: number[] = this.ownGroup ? [] : [this.pid];
    for (const [pid, startTicks] of this.#seen) {
      const stat = readStat(String(pid));
      // Gone, or the pid now belongs to another process.
      if (stat === undefined || stat.startTicks !== startTicks) {
        this.#seen.delete(pid);
        continue;
      }
      if (this.ownGroup && stat.pgrp === this.pid) continue; // reached by the group kill
      targets.push(pid);
    }
    return targets;
  }
}

// ---------------------------------------------------------------------------------------------
// internal

// The fields of /proc/<pid>/stat this file needs (proc(5) numbering in the comments).
interface Stat {
  readonly state: string; // 3
  readonly pgrp: number; // 5
  readonly ttyNr: number; // 7
  readonly tpgid: number; // 8
  readonly startTicks: number; // 22
}

// Read /proc/<pid>/stat; undefined when the process is gone or /proc is missing.
function readStat(pid: string): Stat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return undefined;
  }
  // Field N is token N - 3 after the last ')' (the command name may hold spaces and ')').
  const tokens = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const field = (n: number) => Number(tokens[n - 3]);
  return {
    state: tokens[0] ?? '?',
    pgrp: field(5),
    ttyNr: field(7),
    tpgid: field(8),
    startTicks: field(22),
  };
}

// Every descendant of `pid` through the children files of each of its threads (Linux 3.5+ with
// CONFIG_PROC_CHILDREN, as every distribution kernel has). Its own small walk rather than
// telemetry's listDescendants: a plain run must not load the telemetry modules (start-up).
function listDescendants(pid: number): number[] {
  const found: number[] = [];
  const seen = new Set<number>([pid]);
  let queue = [pid];
  while (queue.length > 0) {
    const next: number[] = [];
    for (const parent of queue) {
      for (const child of readChildren(parent)) {
        if (seen.has(child)) continue;
        seen.add(child);
        found.push(child);
        next.push(child);
      }
    }
    queue = next;
  }
  return found;
}

// The direct children of `pid` (none when it is gone).
function readChildren(pid: number): number[] {
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  const children: number[] = [];
  for (const tid of tids) {
    try {
      const text = readFileSync(`/proc/${pid}/task/${tid}/children`, 'latin1');
      for (const part of text.split(' ')) if (part !== '') children.push(Number(part));
    } catch {
      // The thread ended meanwhile.
    }
  }
  return children;
}

// kill(2) that ignores a target already gone.
function send(target: number, signal: NodeJS.Signals): void {
  try {
    process.kill(target, signal);
  } catch {
    // ESRCH: exited meanwhile; EPERM: not ours any more (a setuid program).
  }
}

// Whether a process (or, negative, a process group) exists.
function exists(target: number): boolean {
  try {
    process.kill(target, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
