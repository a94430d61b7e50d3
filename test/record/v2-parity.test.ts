// Our v2 records, from the library and from the CLI, against the records Python microbench
// v2.1.0 itself wrote (test/fixtures/microbench-v2.1/, made as its README says): the same keys in
// the same places, with the same JSON value types. What differs on purpose is listed below and in
// docs/record-format.md (a Node runtime block for the Python one, no kwargs in JavaScript, a
// different peak-memory measure).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { MicroBench } from '../../src/bench/micro-bench.js';
import {
  cgroupLimits,
  fileHash,
  functionCall,
  gitInfo,
  hostInfo,
  loadedModules,
  peakMemory,
  resourceUsage,
  returnValue,
  slurmInfo,
  workingDir,
} from '../../src/mixins/index.js';
import type { ProcessInfo } from '../../src/telemetry/process-info.js';
import { fixture, makeTempDir, parseRecords, runCli } from '../helpers/cli.js';

type Json = Record<string, unknown>;

const REAL = (name: string): Json[] =>
  parseRecords(readFileSync(fixture(join('microbench-v2.1', name)), 'utf8')) as Json[];

const JOB_ENV = {
  SLURM_JOB_ID: '12345',
  SLURM_ARRAY_TASK_ID: '7',
  LOADEDMODULES: 'gcc/12:openmpi/4',
};

// Paths of the real records that ours leave out on purpose (see docs/record-format.md).
const PYTHON_ONLY = new Set([
  'python', // ours: the `node` block
  'conda', // no conda for Node
  'call.kwargs', // JavaScript has no keyword arguments
  'call.peak_memory_bytes', // tracemalloc's peak; ours are call.peak_rss_bytes / peak_heap_used_bytes
  'call.capture_errors', // only when a collector failed (v2.1's conda and nvidia-smi did there)
]);

// Maps whose keys are data (variable names, file paths), not fields: only their type is compared.
const MAPS = new Set(['env', 'slurm', 'loaded_modules', 'file_hashes']);

// Our own additions, by path, that v2.1 has no field for (documented).
const OURS_ONLY = new Set([
  'node',
  'mb.implementation',
  'host.cpu_model',
  'call.peak_rss_bytes',
  'call.peak_heap_used_bytes',
  'call.peak_rss_note',
  'call.monitor_scope',
  'nvidia',
  'nvidia_note',
  'git_note',
  'installed_packages_source',
  'call.return_value', // bench.record(name, fn) returns fn's value; v2.1's `with` block has none
  'call.args', // the CLI's --all includes function-call, which records `args: []` for a command
]);

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

// Every way `ours` differs in shape from `real`: a key missing, a value of another type, a key
// of ours v2.1 has no place for. Lists compare their first entries; null on the real side says
// nothing about the type; `nullable` paths may be null on our side.
function shapeProblems(
  real: unknown,
  ours: unknown,
  path: string,
  nullable: ReadonlySet<string> = new Set(),
  problems: string[] = [],
): string[] {
  const realType = typeOf(real);
  const ourType = typeOf(ours);
  if (realType === 'null' || (ourType === 'null' && nullable.has(path))) return problems;
  if (realType !== ourType) {
    problems.push(`${path}: ${ourType} where v2.1 has ${realType}`);
    return problems;
  }
  if (realType === 'array') {
    const [r] = real as unknown[];
    const [o] = ours as unknown[];
    if (r !== undefined && o !== undefined) shapeProblems(r, o, `${path}[]`, nullable, problems);
    return problems;
  }
  if (realType !== 'object' || MAPS.has(path)) return problems;
  const realObj = real as Json;
  const ourObj = ours as Json;
  for (const key of Object.keys(realObj)) {
    const at = path ? `${path}.${key}` : key;
    if (PYTHON_ONLY.has(at)) continue;
    if (!(key in ourObj)) problems.push(`${at}: missing`);
    else shapeProblems(realObj[key], ourObj[key], at, nullable, problems);
  }
  // Ours may only add what is documented (a sample holds what the telemetry function returned).
  if (path !== 'call.monitor[]') {
    for (const key of Object.keys(ourObj)) {
      const at = path ? `${path}.${key}` : key;
      // `telemetry_*` counts (due, missed, lateness...) go to `call.monitor_*`, by the prefix rule.
      const documented = OURS_ONLY.has(at) || at.startsWith('call.monitor_');
      if (!(key in realObj) && !documented && !PYTHON_ONLY.has(at)) {
        problems.push(`${at}: ours only, not documented`);
      }
    }
  }
  return problems;
}

describe('v2 records match Python microbench v2.1.0 field by field', () => {
  const tmp = makeTempDir('mb-v2-parity-');
  let repo: string;
  before(() => {
    // As for the real records: a repository with one empty commit and one untracked file.
    repo = join(tmp.path, 'project');
    mkdirSync(repo);
    const git = (...args: string[]) =>
      execFileSync('git', args, {
        cwd: repo,
        env: {
          ...process.env,
          GIT_AUTHOR_NAME: 't',
          GIT_AUTHOR_EMAIL: 't@t',
          GIT_COMMITTER_NAME: 't',
          GIT_COMMITTER_EMAIL: 't@t',
        },
      });
    git('init', '-q', '-b', 'master');
    git('commit', '-q', '--allow-empty', '-m', 'empty');
    writeFileSync(join(repo, 'data.txt'), 'data\n');
  });
  after(() => tmp.dispose());

  test('library: a monitored call with every mixin, a record() block with time(), a throwing call', async () => {
    const [realCall, realBlock, realFails] = REAL('library.jsonl');
    class Bench extends MicroBench {
      static telemetryInterval = 0.05;
      static telemetry(process: ProcessInfo) {
        const { rss, vms } = process.memoryInfo();
        return { rss, vms, cpu_percent: process.cpuPercent() };
      }
    }
    const bench = new Bench({
      recordFormat: 'v2',
      iterations: 3,
      warmup: 1,
      envVars: ['HOME', 'NOT_SET_VAR'],
      fields: { experiment: 'baseline' },
      mixins: [
        hostInfo(),
        slurmInfo({ env: JOB_ENV }),
        loadedModules({ env: JOB_ENV }),
        workingDir(),
        resourceUsage(),
        gitInfo({ repo }),
        fileHash({ files: [join(repo, 'data.txt')] }),
        functionCall(),
        returnValue(),
        peakMemory(),
        cgroupLimits(),
      ],
    });
    const simulate = bench.wrap(function simulate(n: number) {
      const end = performance.now() + 60;
      while (performance.now() < end);
      return n * 3;
    });
    simulate(5);
    await bench.record('block', async () => {
      await bench.time('load', () => new Promise((resolve) => setTimeout(resolve, 30)));
      await bench.time('solve', () => new Promise((resolve) => setTimeout(resolve, 50)));
    });
    const failing = new Bench({ recordFormat: 'v2' });
    assert.throws(
      failing.wrap(function fails() {
        const end = performance.now() + 60;
        while (performance.now() < end);
        throw new RangeError('bad input');
      }),
    );
    const [call, block] = (await bench.getResults()) as Json[];
    const [fails] = (await failing.getResults()) as Json[];
    await Promise.all([bench.close(), failing.close()]);

    assert.deepEqual(shapeProblems(realCall, call, ''), []);
    assert.deepEqual(shapeProblems(realBlock, block, ''), []);
    assert.deepEqual(shapeProblems(realFails, fails, ''), []);
    // The values that say the same thing in both.
    const c = call!.call as Json;
    assert.equal(c.name, 'simulate');
    assert.equal(c.invocation, 'Node');
    assert.equal((c.durations as number[]).length, 3);
    assert.equal(c.return_value, 15);
    assert.deepEqual(c.args, [5]);
    assert.ok((c.monitor as Json[]).length >= 2, 'samples at 0.05 s over 0.18 s');
    assert.deepEqual(call!.slurm, { array_task_id: '7', job_id: '12345' });
    assert.deepEqual(call!.loaded_modules, { gcc: '12', openmpi: '4' });
    assert.equal((call!.git as Json).dirty, true, 'the untracked file counts, as in v2.1');
    assert.deepEqual((call!.env as Json).NOT_SET_VAR, null);
    assert.equal((call!.mb as Json).file_hash_algorithm, 'sha256');
    assert.equal((call!.mb as Json).implementation, 'microbench-ts');
    assert.equal((call!.resource_usage as Json[]).length, 3, 'one entry per timed iteration');
    assert.deepEqual(
      ((block!.call as Json).timings as Json[]).map((t) => t.name),
      ['load', 'solve'],
    );
    assert.deepEqual(fails!.exception, { type: 'RangeError', message: 'bad input' });
  });

  test('CLI: the five runs the real cli.jsonl was made from, plus telemetry', async () => {
    const real = REAL('cli.jsonl');
    const env = { ...process.env, ...JOB_ENV };
    const runs: string[][] = [
      ['-n', '2', '--stdout', '--', 'echo', 'hello'],
      ['--timeout', '0.5', '--', 'sleep', '3'],
      ['-n', '2', '--', 'sh', '-c', 'exit 3'],
      ['--all', '--field', 'experiment=cli', '--', 'true'],
      ['--', 'nonexistent-command-xyz'],
    ];
    const ours = await Promise.all(
      runs.map(async (args) => {
        const result = await runCli(['--record-format', 'v2', ...args], { cwd: repo, env });
        const records = parseRecords(result.stdout) as Json[];
        assert.equal(records.length, 1, result.stderr);
        return records[0]!;
      }),
    );
    // Node cannot read a reaped child's context switches (src/cli/_resource-usage.ts), and the
    // peak RSS needs telemetry: null where v2.1 has numbers.
    const nullable = new Set([
      'resource_usage[].nvcsw',
      'resource_usage[].nivcsw',
      'resource_usage[].maxrss',
    ]);
    real.forEach((record, i) => {
      const problems = shapeProblems(record, ours[i], '', nullable).filter(
        // v2.1 writes `resource_usage: []` for a command that never started; ours leaves it out.
        (p) => !(i === 4 && p === 'resource_usage: missing'),
      );
      assert.deepEqual(problems, [], `run ${i + 1}: ${runs[i]!.join(' ')}`);
    });
    const [echo, sleep, sh, all, missing] = ours.map((r) => r.call as Json);
    assert.deepEqual(echo!.stdout, ['hello\n', 'hello\n']);
    assert.deepEqual(sleep!.returncode, [-15]);
    assert.equal(sleep!.timed_out, true);
    assert.deepEqual(sh!.returncode, [3, 3]);
    assert.equal(ours[3]!.experiment, 'cli');
    assert.equal(all!.name, 'true');
    // v2.1 writes `returncode: []` here; ours keeps the lists parallel (127, as a shell says).
    assert.equal(
      (missing!.returncode as unknown[]).length,
      (missing!.durations as unknown[]).length,
    );
    assert.equal(typeof (ours[4]!.exception as Json).message, 'string');

    // With telemetry: call.monitor is one list of samples per iteration (v2.1's CLI layout).
    const sampled = await runCli(
      [
        '--record-format',
        'v2',
        '-n',
        '2',
        '--telemetry-interval',
        '0.05',
        '--mixin',
        'resource-usage',
        '--',
        'sleep',
        '0.12',
      ],
      { cwd: repo, env },
    );
    const record = (parseRecords(sampled.stdout) as Json[])[0]!;
    const monitor = (record.call as Json).monitor as Json[][];
    assert.equal(monitor.length, 2);
    for (const samples of monitor) {
      assert.ok(samples.length >= 1);
      assert.equal(typeof samples[0]!.timestamp, 'string');
      assert.equal(typeof samples[0]!.rss_bytes, 'number');
    }
    const usage = record.resource_usage as Json[];
    assert.equal(typeof usage[0]!.maxrss, 'number', 'the sampled peak RSS, with telemetry');
  });
});
