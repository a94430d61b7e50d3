import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { refusedExecArgv } from '../../src/telemetry/sampler.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'mb-telemetry-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('a script using telemetry exits on its own as soon as its work is done', () => {
  const outfile = join(dir, 'exits.jsonl');
  const started = performance.now();
  const child = spawnSync(
    process.execPath,
    ['--import', 'tsx', 'test/fixtures/telemetry-exits-promptly.ts', outfile],
    {
      cwd: root,
      encoding: 'utf8',
      timeout: 30_000,
    },
  );
  const elapsed = performance.now() - started;
  assert.equal(child.status, 0, child.stderr);
  assert.equal(child.stdout.trim(), 'done');
  // Interval is 60 s: a worker that kept the process alive would hit the 30 s timeout.
  assert.ok(elapsed < 20_000, `exited after ${elapsed} ms`);
  const record = JSON.parse(readFileSync(outfile, 'utf8').trim());
  assert.equal(record.function_name, 'work');
  assert.equal(record.telemetry.length, 1);
  assert.equal(
    existsSync(join(dir, '.microbench-journal')),
    false,
    'a finished call leaves no journal',
  );
});

test('process.exit() while records wait for their initial sample: each is written, with it', () => {
  const outfile = join(dir, 'process-exit.jsonl');
  const child = spawnSync(
    process.execPath,
    ['--import', 'tsx', 'test/fixtures/telemetry-process-exit.ts', outfile, '40'],
    { cwd: root, encoding: 'utf8', timeout: 30_000 },
  );
  assert.equal(child.status, 0, child.stderr);
  const records = readFileSync(outfile, 'utf8')
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as { telemetry: unknown[] });
  assert.equal(records.length, 40);
  for (const record of records) assert.equal(record.telemetry.length, 1);
  assert.equal(
    existsSync(join(dir, '.microbench-journal')),
    false,
    'every record delivered: no pending journal is left',
  );
});

test('a benchmark run inside a worker thread samples, with a RuntimeWarning about signals', async () => {
  const worker = new Worker(
    `import('tsx/esm/api').then((api) => { api.register(); return import(${JSON.stringify(new URL('../fixtures/telemetry-in-worker.ts', import.meta.url).href)}); });`,
    { eval: true },
  );
  const message = await new Promise<{ record: { telemetry: unknown[] }; warnings: string[] }>(
    (resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    },
  );
  await worker.terminate();
  assert.ok(message.record.telemetry.length >= 3, `${message.record.telemetry.length} samples`);
  assert.ok(
    message.warnings.some((w) => /^RuntimeWarning: .*signal handling is skipped/.test(w)),
    message.warnings.join('\n'),
  );
});

test('the built package (dist/) ships a working sampler worker', {
  skip: !existsSync(join(root, 'dist/index.js')) && 'run npm run build first',
}, () => {
  const script = join(dir, 'from-dist.mjs');
  writeFileSync(
    script,
    `import { MicroBench } from ${JSON.stringify(join(root, 'dist/index.js'))};
const bench = new MicroBench({ telemetry: (p) => ({ rss: p.memory_info().rss }), telemetryInterval: 0.05 });
bench.wrap(function fromDist() { const end = performance.now() + 200; while (performance.now() < end) {} })();
const [record] = await bench.getResults();
console.log(JSON.stringify(record));
`,
  );
  const child = spawnSync(process.execPath, [script], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(child.status, 0, child.stderr);
  const record = JSON.parse(child.stdout);
  assert.equal(record.function_name, 'fromDist');
  assert.ok(record.telemetry.length >= 3);
  assert.equal(typeof record.telemetry[0].rss, 'number');
});

test('a script run with `node --input-type=module -e` samples (the worker drops flags it rejects)', {
  skip: !existsSync(join(root, 'dist/index.js')) && 'run npm run build first',
}, () => {
  const code = `import { MicroBench } from ${JSON.stringify(join(root, 'dist/index.js'))};
const bench = new MicroBench({ telemetry: (p) => ({ rss: p.memoryInfo().rss }), telemetryInterval: 0.05, telemetryTimeout: 5 });
bench.wrap(() => { const end = performance.now() + 200; while (performance.now() < end) {} })();
const [record] = await bench.getResults();
console.log(record.telemetry.length);`;
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', code], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  assert.equal(child.status, 0, child.stderr);
  assert.ok(Number(child.stdout.trim()) >= 3, child.stdout);
});

test('a script run with V8 and process-wide flags samples, and the worker keeps the flags it accepts', {
  skip: !existsSync(join(root, 'dist/index.js')) && 'run npm run build first',
}, () => {
  // Workers refuse these flags: \`new Worker\` throws on them, and before the fix the wrapped call
  // threw. \`--conditions\` is one a worker accepts; the sampler must keep it.
  const code = `import { MicroBench } from ${JSON.stringify(join(root, 'dist/index.js'))};
const bench = new MicroBench({
  telemetry: (p) => ({ rss: p.memoryInfo().rss, conditions: process.execArgv.includes('--conditions=microbench-test') }),
  telemetryInterval: 0.05,
  telemetryTimeout: 5,
});
bench.wrap(() => { const end = performance.now() + 200; while (performance.now() < end) {} })();
const [record] = await bench.getResults();
console.log(JSON.stringify(record.telemetry));`;
  const flags = [
    '--max-old-space-size=512',
    '--expose-gc',
    '--stack-size=1500',
    '--title',
    'microbench-flags-test',
    '--conditions=microbench-test',
  ];
  const child = spawnSync(process.execPath, [...flags, '--input-type=module', '-e', code], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  assert.equal(child.status, 0, child.stderr);
  assert.doesNotMatch(child.stderr, /worker crashed|invalid execArgv/);
  const samples = JSON.parse(child.stdout) as { rss: number; conditions: boolean }[];
  assert.ok(samples.length >= 3, child.stdout);
  assert.equal(typeof samples[0]!.rss, 'number');
  assert.ok(
    samples.every((sample) => sample.conditions === true),
    child.stdout,
  );
});

test("under Node's permission model, telemetry without --allow-worker is refused where the bench is made; with it, samples come", {
  skip: !existsSync(join(root, 'dist/index.js')) && 'run npm run build first',
}, () => {
  const code = `import { MicroBench } from ${JSON.stringify(join(root, 'dist/index.js'))};
let bench;
try {
  bench = new MicroBench({ telemetry: (p) => ({ rss: p.memoryInfo().rss }), telemetryInterval: 0.05, telemetryTimeout: 5 });
} catch (error) {
  console.log(JSON.stringify({ error: error.name, message: error.message }));
  process.exit(0);
}
bench.wrap(() => { const end = performance.now() + 150; while (performance.now() < end) {} })();
const [record] = await bench.getResults();
console.log(JSON.stringify({ samples: record.telemetry.length }));`;
  // Node 20 spells it --experimental-permission; later versions --permission.
  const permissionFlag = process.allowedNodeEnvironmentFlags.has('--permission')
    ? '--permission'
    : '--experimental-permission';
  const run = (extra: string[]) => {
    const child = spawnSync(
      process.execPath,
      [permissionFlag, '--allow-fs-read=*', ...extra, '--input-type=module', '-e', code],
      { encoding: 'utf8', timeout: 30_000 },
    );
    assert.equal(child.status, 0, child.stderr);
    return JSON.parse(child.stdout) as { error?: string; message?: string; samples?: number };
  };
  const refused = run([]);
  assert.equal(refused.error, 'TelemetryError');
  assert.match(refused.message!, /permission model forbids worker threads.*--allow-worker/);
  assert.ok(run(['--allow-worker']).samples! >= 3);
});

test('refusedExecArgv reads the flags Node names in ERR_WORKER_INVALID_EXEC_ARGV', () => {
  assert.deepEqual(
    [
      ...refusedExecArgv(
        'Initiated Worker with invalid execArgv flags: --max-old-space-size=512, --expose-gc',
      ),
    ],
    ['--max-old-space-size=512', '--expose-gc'],
  );
  assert.deepEqual([...refusedExecArgv('something else entirely')], []);
});
