// internal: run one exported function of a bench module in a fresh, plain `node` process.
//
//   driver (tsx) ──spawn──► node <tmp>/entry.mjs MODULE FUNCTION ARGS.json RESULT.json
//                            ├─ register tsx, import MODULE (TypeScript), unregister tsx
//                            ├─ await MODULE[FUNCTION](args)   ← loads dist/ with plain Node
//                            └─ write RESULT.json, exit
//
// Why: every measurement starts from a fresh heap and JIT state, and the sampler worker the
// library starts inherits the process's execArgv; under `node --import tsx` it would load tsx
// too. Here execArgv holds only the flags we pass, as for a user's `node app.js`.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ENTRY = `
import { readFileSync, writeFileSync } from 'node:fs';
const [moduleUrl, fnName, argsPath, resultPath, tsxApi] = process.argv.slice(2);
const { register } = await import(tsxApi);
const unregister = register();
const mod = await import(moduleUrl);
await unregister();
const result = await mod[fnName](JSON.parse(readFileSync(argsPath, 'utf8')));
writeFileSync(resultPath, JSON.stringify(result ?? null));
process.exit(0);
`;

let workDir: string | undefined;
let counter = 0;

// A temporary folder for the entry script and argument/result files, removed at exit.
function getWorkDir(): string {
  if (workDir) return workDir;
  const dir = mkdtempSync(join(tmpdir(), 'microbench-bench-'));
  writeFileSync(join(dir, 'entry.mjs'), ENTRY);
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  workDir = dir;
  return dir;
}

/** Options of {@link runInChild}. */
export interface ChildOptions {
  /** Extra node flags, e.g. `['--expose-gc']`. */
  readonly nodeFlags?: readonly string[];
  /** Kill the child after this many milliseconds. @default 120000 */
  readonly timeoutMs?: number;
}

/**
 * Call `moduleUrl`'s export `fnName(args)` in a fresh node process and return what it
 * resolves to (JSON round-tripped). The child's stderr is passed through.
 */
export function runInChild<T>(
  moduleUrl: string,
  fnName: string,
  args: unknown,
  options: ChildOptions = {},
): T {
  const dir = getWorkDir();
  const id = counter++;
  const argsPath = join(dir, `args-${process.pid}-${id}.json`);
  const resultPath = join(dir, `result-${process.pid}-${id}.json`);
  writeFileSync(argsPath, JSON.stringify(args ?? null));
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const child = spawnSync(
    process.execPath,
    [
      ...(options.nodeFlags ?? []),
      join(dir, 'entry.mjs'),
      moduleUrl,
      fnName,
      argsPath,
      resultPath,
      tsxApi,
    ],
    { stdio: ['ignore', 'inherit', 'inherit'], timeout: options.timeoutMs ?? 120_000 },
  );
  try {
    if (child.error) throw child.error;
    if (child.status !== 0) {
      throw new Error(
        `benchmark child ${fnName} (${moduleUrl}) failed: exit ${child.status ?? child.signal}`,
      );
    }
    return JSON.parse(readFileSync(resultPath, 'utf8')) as T;
  } finally {
    rmSync(argsPath, { force: true });
    rmSync(resultPath, { force: true });
  }
}
