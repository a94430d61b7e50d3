/**
 * Start `test/fixtures/crash-bench.ts` in a child `node --import tsx` process, wait until its
 * benchmarked call runs and its journal has samples, signal it, and time how long it takes to
 * exit. Also: reading journals and JSON Lines files back.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { journalDirFor } from '../../src/journal/journal.js';

/** The repository root. */
export const ROOT: string = fileURLToPath(new URL('../../', import.meta.url));

/** The crash fixture. */
export const CRASH_BENCH: string = join(ROOT, 'test', 'fixtures', 'crash-bench.ts');

/** How a child ended. */
export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A running crash-bench child. */
export interface CrashChild {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly exited: Promise<Exit>;
  /** Resolves once `text` is on stdout (rejects if the child exits first). */
  waitForStdout(text: string): Promise<void>;
  /** Send `signal` and resolve with how it ended and the ms from the signal to the exit. */
  killAndTime(signal: NodeJS.Signals): Promise<Exit & { readonly exitMs: number }>;
}

/** Start the fixture: `crash-bench.ts OUTFILE MODE [SECONDS] [INTERVAL_S]`. */
export function startCrashBench(
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
  timeoutMs = 60_000,
): CrashChild {
  const child = spawn(process.execPath, ['--import', 'tsx', CRASH_BENCH, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let exitAt = 0;
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const exited = new Promise<Exit>((resolve) => {
    // 'exit' (not 'close') marks when the process ended; output is complete at 'close'.
    child.on('exit', () => {
      exitAt = performance.now();
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
  let done = false;
  void exited.then(() => {
    done = true;
  });
  return {
    child,
    pid: child.pid!,
    exited,
    async waitForStdout(text) {
      while (!stdout.includes(text)) {
        if (done) throw new Error(`child exited before printing ${text}:\n${stdout}\n${stderr}`);
        await sleep(20);
      }
    },
    async killAndTime(signal) {
      const sentAt = performance.now();
      child.kill(signal);
      const exit = await exited;
      return { ...exit, exitMs: exitAt - sentAt };
    },
  };
}

/** The journal files (full paths) of `outfile`. */
export function journalFiles(outfile: string): string[] {
  const dir = journalDirFor(outfile);
  if (!existsSync(dir)) return [];
  return readdirSync(dir).map((name) => join(dir, name));
}

/** Wait until `outfile` has exactly one journal holding at least `samples` sample lines. */
export async function waitForJournalSamples(
  outfile: string,
  samples: number,
  timeoutMs = 20_000,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [file] = journalFiles(outfile);
    if (file) {
      const lines = readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => l.includes('"sample"'));
      if (lines.length >= samples) return file;
    }
    if (Date.now() > deadline) throw new Error(`no journal with ${samples} samples for ${outfile}`);
    await sleep(50);
  }
}

/** A record read back from JSON. */
// biome-ignore lint/suspicious/noExplicitAny: records are arbitrary JSON read back from files
export type JsonRecord = Record<string, any>;

/** The records in a JSON Lines file ([] when it does not exist). */
export function readRecords(path: string): JsonRecord[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as JsonRecord);
}

/** A temporary directory and its cleanup. */
export function makeTempDir(prefix = 'mb-journal-'): { readonly path: string; dispose(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, dispose: () => rmSync(path, { recursive: true, force: true }) };
}

/** Resolve after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
