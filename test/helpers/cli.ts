/**
 * Run the built `microbench` CLI (`dist/cli/bin.cjs`, the package's bin, which runs the bundle)
 * as a subprocess, the way users run it. `dist/` is built once (`npm run build`) when it is
 * missing; `npm test` builds first.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const ROOT: string = fileURLToPath(new URL('../../', import.meta.url));

/** The built CLI: the file the package's `bin` names. */
export const CLI_PATH: string = join(ROOT, 'dist', 'cli', 'bin.cjs');

/** A fixture script under `test/fixtures/`. */
export function fixture(name: string): string {
  return join(ROOT, 'test', 'fixtures', name);
}

/** Build `dist/` if the CLI is not there yet. */
export function ensureBuilt(): void {
  if (existsSync(CLI_PATH)) return;
  const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  // Other parts of the tree may not type-check while being written: tsc still emits.
  spawnSync(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.build.json')], { stdio: 'ignore' });
  spawnSync(process.execPath, [join(ROOT, 'scripts', 'bundle-cli.mjs')], { stdio: 'ignore' });
  if (!existsSync(CLI_PATH)) throw new Error(`building the CLI did not produce ${CLI_PATH}`);
}

/** How a CLI run ended and what it printed. */
export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Options of {@link startCli} / {@link runCli}. */
export interface CliRunOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Kill the CLI (SIGKILL) if it runs longer than this. @default 30000 */
  readonly timeoutMs?: number;
  /** Start the CLI in a new session and process group (its pid is the group's id). */
  readonly detached?: boolean;
}

/** A running CLI process. */
export interface RunningCli {
  readonly child: ChildProcess;
  /** Resolves when the CLI has exited and its output is read. */
  readonly result: Promise<CliResult>;
  /** Resolves once `text` has appeared on the CLI's stdout. */
  waitForStdout(text: string): Promise<void>;
}

/** Start `node dist/cli/bin.cjs ...args` with piped stdio. */
export function startCli(args: readonly string[], options: CliRunOptions = {}): RunningCli {
  ensureBuilt();
  const child = spawn(process.execPath, [CLI_PATH, ...args], {
    cwd: options.cwd ?? ROOT,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(options.detached && { detached: true }),
  });
  let stdout = '';
  let stderr = '';
  const waiters: { text: string; resolve: () => void }[] = [];
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    for (const waiter of waiters.filter((w) => stdout.includes(w.text))) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
  const result = new Promise<CliResult>((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
  return {
    child,
    result,
    waitForStdout(text) {
      if (stdout.includes(text)) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        waiters.push({ text, resolve });
        void result.then(() => {
          if (!stdout.includes(text)) {
            reject(
              new Error(
                `the CLI exited before printing ${JSON.stringify(text)}:\n${stdout}\n${stderr}`,
              ),
            );
          }
        });
      });
    },
  };
}

/** Run the CLI to completion. */
export function runCli(args: readonly string[], options: CliRunOptions = {}): Promise<CliResult> {
  return startCli(args, options).result;
}

/** A record read back from JSON; loosely typed so tests can reach into nested values. */
// biome-ignore lint/suspicious/noExplicitAny: records are arbitrary JSON read back from the CLI
export type JsonRecord = Record<string, any>;

/** The records (JSON lines that are objects) printed in `text`, ignoring other lines. */
export function parseRecords(text: string): JsonRecord[] {
  return text
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as JsonRecord);
}

/** The one record in a JSON Lines file. */
export function readOnlyRecord(path: string): JsonRecord {
  const records = parseRecords(readFileSync(path, 'utf8'));
  if (records.length !== 1)
    throw new Error(`expected one record in ${path}, found ${records.length}`);
  return records[0]!;
}

/** A temporary directory, removed by the returned `dispose()`. */
export function makeTempDir(prefix = 'mb-cli-'): { readonly path: string; dispose(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, dispose: () => rmSync(path, { recursive: true, force: true }) };
}
