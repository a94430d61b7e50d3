import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { after, describe, test } from 'node:test';
import { MicroBench, RUN_ID } from '../../src/bench/micro-bench.js';
import { VERSION } from '../../src/version.js';
import { watchWarnings } from '../helpers/warnings.js';

watchWarnings();

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

// The one record a bench holds.
async function onlyRecord(bench: MicroBench) {
  const records = await bench.getResults();
  assert.equal(records.length, 1);
  return records[0]!;
}

describe('record layout (microbench v1 flat names)', () => {
  test('key order: fields, mb_run_id, mb_version, mb_implementation, timestamp_tz, duration_counter, function_name, invocation, ..., run_durations, start_time, finish_time', async () => {
    const bench = new MicroBench({ fields: { experiment: 'baseline', trial: 1 } });
    bench.wrap(function ordered() {})();
    const record = await onlyRecord(bench);
    const keys = Object.keys(record);
    assert.deepEqual(keys.slice(0, 9), [
      'experiment',
      'trial',
      'mb_run_id',
      'mb_version',
      'mb_implementation',
      'timestamp_tz',
      'duration_counter',
      'function_name',
      'invocation',
    ]);
    assert.equal(record.mb_implementation, 'microbench-ts');
    assert.equal(record.invocation, 'Node', "like the CLI's `CLI` and microbench's `Python`");
    assert.deepEqual(keys.slice(-3), ['run_durations', 'start_time', 'finish_time']);
    assert.equal(record.node_version, process.versions.node, 'the default node-runtime mixin');
    assert.equal('exception' in record, false, 'no exception key on success');
    assert.equal('telemetry' in record, false, 'no telemetry key without telemetry');
  });

  test('mb_run_id is one UUID per process shared by two benches; mb_version is the package version', async () => {
    const a = new MicroBench({ defaultMixins: false });
    const b = new MicroBench({ defaultMixins: false });
    a.record('a', () => undefined);
    b.record('b', () => undefined);
    const [ra, rb] = [await onlyRecord(a), await onlyRecord(b)];
    assert.match(ra.mb_run_id, UUID);
    assert.equal(ra.mb_run_id, rb.mb_run_id);
    assert.equal(ra.mb_run_id, RUN_ID);
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
    assert.equal(ra.mb_version, pkg.version);
    assert.equal(ra.mb_version, VERSION);
  });

  test('finish_time >= start_time', async () => {
    const bench = new MicroBench({ defaultMixins: false, iterations: 20 });
    bench.wrap(function busy() {
      let x = 0;
      for (let i = 0; i < 10_000; i++) x += i;
      return x;
    })();
    const record = await onlyRecord(bench);
    assert.ok(Date.parse(record.finish_time) >= Date.parse(record.start_time));
    assert.ok(record.finish_time >= record.start_time);
  });
});

describe('durationCounter', () => {
  test('defaults to performance.now, recorded by name', async () => {
    const bench = new MicroBench({ defaultMixins: false });
    bench.record('x', () => undefined);
    assert.equal((await onlyRecord(bench)).duration_counter, 'performance.now');
  });

  test('a custom clock (milliseconds) is used and its name recorded', async () => {
    let ticks = 0;
    function fakeClock(): number {
      ticks += 1;
      return ticks * 250; // every reading is 250 ms after the previous one
    }
    const bench = new MicroBench({
      defaultMixins: false,
      durationCounter: fakeClock,
      iterations: 2,
    });
    bench.wrap(function timed() {})();
    const record = await onlyRecord(bench);
    assert.equal(record.duration_counter, 'fakeClock');
    assert.deepEqual(record.run_durations, [0.25, 0.25]);
    assert.ok(ticks >= 4);
  });
});

describe('fields', () => {
  test('are the first keys, copied into every record', async () => {
    const bench = new MicroBench({ defaultMixins: false, fields: { run: 'r1', nested: { a: 1 } } });
    bench.record('one', () => undefined);
    bench.record('two', () => undefined);
    for (const record of await bench.getResults()) {
      assert.deepEqual(Object.keys(record).slice(0, 2), ['run', 'nested']);
      assert.deepEqual(record.nested, { a: 1 });
    }
  });
});

describe('envVars', () => {
  const saved = { ...process.env };
  after(() => {
    for (const key of ['MB_TEST_SET', 'MB_TEST_UNSET', 'MB_TEST_CHANGED']) {
      if (saved[key] === undefined) delete process.env[key];
      else process.env[key] = saved[key];
    }
  });

  test('captured as env_<NAME>; null when unset', async () => {
    process.env.MB_TEST_SET = 'hello';
    delete process.env.MB_TEST_UNSET;
    const bench = new MicroBench({
      defaultMixins: false,
      envVars: ['MB_TEST_SET', 'MB_TEST_UNSET'],
    });
    bench.record('env', () => undefined);
    const record = await onlyRecord(bench);
    assert.equal(record.env_MB_TEST_SET, 'hello');
    assert.equal(record.env_MB_TEST_UNSET, null);
    assert.ok('env_MB_TEST_UNSET' in record);
  });

  test('read when the call starts (before the timed part), like microbench', async () => {
    process.env.MB_TEST_CHANGED = 'before';
    const bench = new MicroBench({ defaultMixins: false, envVars: ['MB_TEST_CHANGED'] });
    bench.record('env', () => {
      process.env.MB_TEST_CHANGED = 'during';
    });
    const record = await onlyRecord(bench);
    assert.equal(record.env_MB_TEST_CHANGED, 'before');
    const keys = Object.keys(record);
    assert.ok(
      keys.indexOf('env_MB_TEST_CHANGED') < keys.indexOf('run_durations'),
      `env_* comes before run_durations: ${keys.join(', ')}`,
    );
  });
});

describe('captureVersions', () => {
  test('package_versions holds the installed versions; null for a missing package', async () => {
    const require = createRequire(import.meta.url);
    const typescriptVersion = (require('typescript/package.json') as { version: string }).version;
    const bench = new MicroBench({
      defaultMixins: false,
      captureVersions: ['typescript', 'uplot', 'no-such-package-xyz'],
    });
    bench.record('versions', () => undefined);
    const record = await onlyRecord(bench);
    const versions = record.package_versions as Record<string, string | null>;
    assert.equal(versions.typescript, typescriptVersion);
    assert.match(versions.uplot ?? '', /^\d+\.\d+\.\d+/);
    assert.equal(versions['no-such-package-xyz'], null);
  });

  test('scoped packages and packages whose exports hide package.json', async () => {
    const bench = new MicroBench({
      defaultMixins: false,
      captureVersions: ['@biomejs/biome', '@types/node'],
    });
    bench.record('versions', () => undefined);
    const versions = (await onlyRecord(bench)).package_versions as Record<string, string | null>;
    assert.match(versions['@biomejs/biome'] ?? '', /^\d+\.\d+\.\d+/);
    assert.match(versions['@types/node'] ?? '', /^20\./);
  });
});
