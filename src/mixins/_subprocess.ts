// internal: run a metadata command (git, nvidia-smi) synchronously with a time limit, and
// cache a collector's result once per mixin instance. Mixin hooks are synchronous (a wrapped
// sync function stays sync), so this uses execFileSync; every caller caches its result, so
// the spawn happens once per bench, not once per call.
import { execFileSync } from 'node:child_process';

/** What running a command gave: its stdout, or why there is none. */
export type CommandResult =
  | { readonly type: 'ok'; readonly stdout: string }
  | { readonly type: 'not-found'; readonly message: string }
  | { readonly type: 'timeout'; readonly message: string }
  | {
      readonly type: 'failed';
      readonly message: string;
      readonly exitCode: number | null;
      readonly stderr: string;
    };

/** Options of {@link runCommand}. */
export interface RunCommandOptions {
  /** Kill the command (SIGKILL) after this many milliseconds. */
  readonly timeoutMs: number;
  /** Working directory. @default process.cwd() */
  readonly cwd?: string;
  /** Environment. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * Run `command args...` and wait at most `timeoutMs`. Never throws: a missing executable,
 * a timeout and a non-zero exit come back as results with a one-line `message`.
 */
export function runCommand(
  command: string,
  args: readonly string[],
  options: RunCommandOptions,
): CommandResult {
  try {
    const stdout = execFileSync(command, args, {
      cwd: options.cwd,
      env: options.env,
      timeout: options.timeoutMs,
      killSignal: 'SIGKILL',
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      windowsHide: true,
      maxBuffer: 16 * 1024 * 1024,
    });
    return { type: 'ok', stdout };
  } catch (error) {
    return toFailure(command, options.timeoutMs, error);
  }
}

// Classify an execFileSync error: ENOENT (not on PATH), ETIMEDOUT (killed), or a failed exit.
function toFailure(command: string, timeoutMs: number, error: unknown): CommandResult {
  const e = error as NodeJS.ErrnoException & { status?: number | null; stderr?: unknown };
  if (e.code === 'ENOENT') {
    const where = command.includes('/') ? '' : ' on PATH';
    return { type: 'not-found', message: `${command} not found${where}` };
  }
  if (e.code === 'ETIMEDOUT') {
    return { type: 'timeout', message: `${command} timed out after ${timeoutMs} ms` };
  }
  const stderr = typeof e.stderr === 'string' ? e.stderr : '';
  const exitCode = typeof e.status === 'number' ? e.status : null;
  const detail = firstLine(stderr) || (e.code ? `${e.code}` : firstLine(e.message ?? ''));
  const how = exitCode === null ? 'failed' : `failed (exit ${exitCode})`;
  return {
    type: 'failed',
    message: detail ? `${command} ${how}: ${detail}` : `${command} ${how}`,
    exitCode,
    stderr,
  };
}

/** The first non-blank line of `text`, trimmed. */
export function firstLine(text: string): string {
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (trimmed) return trimmed;
  }
  return '';
}

/**
 * Wrap `compute` so it runs once, on first use, and every later call returns the same value
 * (a thrown error is not cached: the next call tries again).
 */
export function once<T>(compute: () => T): () => T {
  let done = false;
  let value: T;
  return () => {
    if (!done) {
      value = compute();
      done = true;
    }
    return value;
  };
}
