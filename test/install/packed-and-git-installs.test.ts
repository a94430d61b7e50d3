/**
 * The package as a user installs it: `npm pack` of a fresh clone, the tarball installed into a
 * new project, and a `git+file://` install of the clone (npm installs its devDependencies and
 * runs its `prepare` build) — real npm, real installs into projects that see nothing of this
 * checkout.
 *
 *   working tree ──copy (tracked + untracked, not ignored)──► tmp/clone (git init + commit)
 *        tmp/clone ──npm pack (prepare builds)──────────────► tmp/microbench-ts-<v>.tgz ──► tmp/packed
 *        tmp/clone ──npm install git+file://tmp/clone───────────────────────────────► tmp/from-git
 *
 * The "fresh clone" is the working tree as it would be committed (what a clone of it would hold),
 * so the test checks what you are about to commit, not the last commit. dist/ and node_modules/
 * are ignored files, so the clone has neither and must build itself.
 *
 * Slow by nature (two builds, two installs from npm's cache; ~30 s of CPU): one file, one tarball
 * shared by every check, and the git install started at once so it overlaps the pack.
 */
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const VERSION = (
  JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }
).version;
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

// npm run by `npm test` exports npm_config_* and npm_lifecycle_* variables; a nested npm would
// read them as its own configuration (prefix, scripts), so the children get an environment
// without them.
const ENV: NodeJS.ProcessEnv = Object.fromEntries(
  Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name) && name !== 'NODE_OPTIONS'),
);

interface Ran {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

// Run a command to its end; resolves whatever the exit status.
function run(
  file: string,
  args: readonly string[],
  cwd: string,
  timeoutMs = 480_000,
): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(
      file,
      args,
      { cwd, env: ENV, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        // Killed at the time limit (a loaded machine: the git install alone installs every
        // devDependency and builds): say so rather than show an empty failure.
        const killed = error?.killed ? `\n(killed after ${timeoutMs / 1000} s)` : '';
        resolve({ code, stdout, stderr: `${stderr}${killed}` });
      },
    );
  });
}

// Run a command that must succeed; its output otherwise fails the test.
async function ok(file: string, args: readonly string[], cwd: string): Promise<string> {
  const result = await run(file, args, cwd);
  assert.equal(
    result.code,
    0,
    `${file} ${args.join(' ')} (in ${cwd}) failed:\n${result.stdout}\n${result.stderr}`,
  );
  return result.stdout;
}

// A new, empty ES-module project with `microbench-ts` installed from `spec`.
async function projectWith(dir: string, spec: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'package.json'),
    `${JSON.stringify({ name: 'user-project', private: true, type: 'module' }, null, 2)}\n`,
  );
  await ok('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', spec], dir);
}

// The working tree as a fresh clone would hold it: every tracked or untracked file that git
// does not ignore, committed into a new repository.
function snapshotWorkingTree(into: string): void {
  const listed = execFileSync(
    'git',
    ['ls-files', '-z', '--cached', '--others', '--exclude-standard'],
    {
      cwd: ROOT,
      encoding: 'utf8',
    },
  );
  for (const file of new Set(listed.split('\0'))) {
    if (file === '' || !existsSync(join(ROOT, file))) continue; // deleted, not yet committed
    mkdirSync(dirname(join(into, file)), { recursive: true });
    cpSync(join(ROOT, file), join(into, file));
  }
  const git = (...args: string[]) =>
    execFileSync('git', args, { cwd: into, env: ENV, stdio: ['ignore', 'ignore', 'pipe'] });
  git('init', '-q');
  git('add', '-A');
  git(
    '-c',
    'user.name=test',
    '-c',
    'user.email=test@example.invalid',
    'commit',
    '-q',
    '-m',
    'snapshot',
  );
}

// A program that benchmarks one call with telemetry (the sampler's worker file must be found in
// the installed dist/) and prints what its record says.
const BENCH_ONE_CALL = `
import { MicroBench } from 'microbench-ts';
const bench = new MicroBench({ telemetry: (p) => ({ rss: p.memoryInfo().rss }), telemetryInterval: 0.05 });
const double = bench.wrap(function double(n) { return n * 2; });
const value = double(21);
const [record] = await bench.getResults();
console.log(JSON.stringify({ value, name: record.function_name, runs: record.run_durations.length,
  samples: record.telemetry.length, rss: record.telemetry[0]?.rss, version: record.mb_version }));
`;

// What BENCH_ONE_CALL prints, checked.
function assertBenchedOneCall(stdout: string): void {
  const seen = JSON.parse(stdout) as Record<string, unknown>;
  assert.equal(seen.value, 42);
  assert.equal(seen.name, 'double');
  assert.equal(seen.runs, 1);
  assert.ok((seen.samples as number) >= 1, `no telemetry sample: ${stdout}`);
  assert.equal(typeof seen.rss, 'number', `the sample holds no rss: ${stdout}`);
  assert.equal(seen.version, VERSION);
}

let work: string;
let clone: string;
let packedBare: Ran;
let packed: string;
let fromGit: Promise<string>;
let packedFiles: string[];

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'microbench-install-'));
  clone = join(work, 'clone');
  snapshotWorkingTree(clone);
  // npm clones the repository, installs its devDependencies, runs `prepare` and packs that.
  const gitProject = join(work, 'from-git');
  fromGit = projectWith(gitProject, `git+file://${clone}`).then(() => gitProject);
  fromGit.catch(() => {}); // reported by the test that awaits it
  // Packed before anything is installed: must fail, saying what to do.
  packedBare = await run('npm', ['pack', '--pack-destination', work], clone);
  // The clone's devDependencies are this checkout's (the same lockfile): linked, not installed
  // again, which saves a third install. The git install above is the one that proves a clone
  // builds with nothing but `npm install`.
  symlinkSync(join(ROOT, 'node_modules'), join(clone, 'node_modules'), 'dir');
  const pack = JSON.parse(
    await ok('npm', ['pack', '--json', '--pack-destination', work], clone),
  ) as { filename: string; files: { path: string }[] }[];
  const tarball = join(work, pack[0]?.filename ?? '');
  packedFiles = (pack[0]?.files ?? []).map((f) => f.path);
  packed = join(work, 'packed');
  await projectWith(packed, tarball);
});

after(async () => {
  await fromGit?.catch(() => {});
  if (work) rmSync(work, { recursive: true, force: true });
});

test('npm pack of a fresh clone builds and packs dist/: library, types, CommonJS entry, worker, CLI', () => {
  for (const file of [
    'package.json',
    'README.md',
    'dist/index.js',
    'dist/index.d.ts',
    'dist/index.cjs',
    'dist/index.d.cts',
    'dist/telemetry/worker.js',
    'dist/cli/bin.cjs',
    'dist/cli/bundle.cjs',
    'dist/cli/bundle.cache',
  ]) {
    assert.ok(
      packedFiles.includes(file),
      `${file} is not in the tarball: ${packedFiles.join(', ')}`,
    );
  }
  // Nothing from src/, test/, scripts/...: only dist/ and the top-level files npm always packs.
  const stray = packedFiles.filter((file) => file.includes('/') && !file.startsWith('dist/'));
  assert.deepEqual(stray, [], 'only dist/ and top-level files are packed');
});

test('npm pack of a clone before `npm ci` stops with a message that says to run npm ci', () => {
  assert.notEqual(packedBare.code, 0);
  assert.match(packedBare.stderr, /needs the devDependencies typescript and esbuild/);
  assert.match(packedBare.stderr, /Run `npm ci`/);
});

test("in the clone, built by `npm pack`, `npx microbench` runs the clone's own CLI", async () => {
  const out = await ok('npx', ['--no', '--', 'microbench', '--version'], join(clone, 'examples'));
  assert.equal(out.trim(), `microbench ${VERSION}`);
});

test('the packed tarball, installed: import works and benchmarks one call with telemetry', async () => {
  writeFileSync(join(packed, 'bench-one.mjs'), BENCH_ONE_CALL);
  assertBenchedOneCall(await ok(process.execPath, ['bench-one.mjs'], packed));
});

test('the packed tarball, installed: `npx microbench` runs our CLI (--version, one command), never a registry package', async () => {
  // --no: fail rather than fetch a package called "microbench" when ours has no bin.
  const out = await ok('npx', ['--no', '--', 'microbench', '--version'], packed);
  assert.equal(out.trim(), `microbench ${VERSION}`);
  // And a real run: the installed bundle, its code cache and the command's telemetry.
  const record = JSON.parse(
    await ok(
      'npx',
      ['--no', '--', 'microbench', '--telemetry-interval', '0.1', '--', 'sleep', '0.3'],
      packed,
    ),
  ) as { command: string[]; returncode: number[]; telemetry: unknown[][] };
  assert.deepEqual(record.command, ['sleep', '0.3']);
  assert.deepEqual(record.returncode, [0]);
  assert.ok((record.telemetry[0]?.length ?? 0) >= 2, JSON.stringify(record.telemetry));
});

test('require() gives the same module as import; without require(esm) the error says to use import()', async () => {
  writeFileSync(
    join(packed, 'both.cjs'),
    `const viaRequire = require('microbench-ts');
import('microbench-ts').then((viaImport) => {
  console.log(JSON.stringify({ same: viaRequire.MicroBench === viaImport.MicroBench, keys: Object.keys(viaRequire).length }));
});`,
  );
  const both = await run(process.execPath, ['both.cjs'], packed);
  assert.equal(both.code, 0, both.stderr);
  const seen = JSON.parse(both.stdout) as { same: boolean; keys: number };
  assert.equal(
    seen.same,
    true,
    'require and import must share one copy (one sampler, one error class)',
  );
  assert.ok(seen.keys > 20, `require() exported ${seen.keys} names`);
  assert.doesNotMatch(both.stderr, /Warning/, 'require() prints no warning');

  // Node 20 before 20.19 cannot require ES modules; this flag turns the feature off here.
  const old = await run(process.execPath, ['--no-experimental-require-module', 'both.cjs'], packed);
  assert.notEqual(old.code, 0);
  assert.match(old.stderr, /microbench-ts is an ES module/);
  assert.match(old.stderr, /await import\('microbench-ts'\)/);
});

test('types resolve for import (.mts) and require (.cts) under module nodenext', async () => {
  const program = (
    kind: string,
  ) => `import { MicroBench, type ProcessInfo, type BenchRecord } from 'microbench-ts';
const bench: MicroBench = new MicroBench({ iterations: 2 });
const sample = (p: ProcessInfo): { rss: number } => ({ rss: p.memoryInfo().rss });
export const records: Promise<BenchRecord[]> = bench.getResults();
export const kind = ${JSON.stringify(kind)};
void sample;
// @ts-expect-error a misspelt option is a type error (the types are real, not any)
new MicroBench({ iteratons: 2 });
`;
  writeFileSync(join(packed, 'typed-import.mts'), program('import'));
  writeFileSync(join(packed, 'typed-require.cts'), program('require'));
  writeFileSync(
    join(packed, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        module: 'nodenext',
        moduleResolution: 'nodenext',
        target: 'es2022',
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        typeRoots: [join(ROOT, 'node_modules', '@types')],
        types: ['node'],
      },
      files: ['typed-import.mts', 'typed-require.cts'],
    }),
  );
  const checked = await run(process.execPath, [TSC, '-p', 'tsconfig.json'], packed);
  assert.equal(checked.code, 0, `tsc: ${checked.stdout}${checked.stderr}`);
});

test('without the optional peer `redis`: redisOutput and --redis-output fail at once, naming npm install redis', async () => {
  assert.ok(!existsSync(join(packed, 'node_modules', 'redis')), 'npm installed the optional peer');
  writeFileSync(
    join(packed, 'redis-missing.mjs'),
    `import { redisOutput } from 'microbench-ts';
try { redisOutput('results'); console.log('created'); }
catch (error) { console.log(JSON.stringify({ name: error.name, code: error.code, message: error.message })); }`,
  );
  const thrown = JSON.parse(await ok(process.execPath, ['redis-missing.mjs'], packed)) as {
    name: string;
    code: string;
    message: string;
  };
  assert.equal(thrown.name, 'OptionError');
  assert.equal(thrown.code, 'ERR_MB_INVALID_OPTION');
  assert.match(thrown.message, /"redis" package/);
  assert.match(thrown.message, /npm install redis\b/);

  const cli = await run(
    'npx',
    ['--no', '--', 'microbench', '--redis-output', 'results', '--', 'true'],
    packed,
  );
  assert.equal(cli.code, 2, cli.stderr);
  assert.match(cli.stderr, /npm install redis\b/);
  assert.doesNotMatch(cli.stdout, /mb_run_id/, 'no benchmark ran');
});

test('a git+file:// install builds through `prepare`: dist/, import and `npx microbench --version`', async () => {
  const project = await fromGit;
  const installed = join(project, 'node_modules', 'microbench-ts');
  assert.ok(existsSync(join(installed, 'dist', 'index.js')), 'no dist/ in the git install');
  assert.ok(!existsSync(join(installed, 'src')), 'the git install holds the packed files only');
  writeFileSync(join(project, 'bench-one.mjs'), BENCH_ONE_CALL);
  assertBenchedOneCall(await ok(process.execPath, ['bench-one.mjs'], project));
  const out = await ok('npx', ['--no', '--', 'microbench', '--version'], project);
  assert.equal(out.trim(), `microbench ${VERSION}`);
});
