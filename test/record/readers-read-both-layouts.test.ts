// Every reader on v1 and v2 records, ours and Python microbench v2.1's, with a foreign JSON line
// among them: the records are read under their names, the foreign line is reported by number.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { MicroBench } from '../../src/bench/micro-bench.js';
import { forEachRecord } from '../../src/report/read-records.js';
import { fixture, makeTempDir, runCli } from '../helpers/cli.js';

describe("readers read v1 and v2, ours and Python's, and report foreign JSON", {
  concurrency: true,
}, () => {
  const tmp = makeTempDir('mb-readers-');
  let mixed: string;
  before(async () => {
    mixed = join(tmp.path, 'mixed.jsonl');
    const v1 = join(tmp.path, 'v1.jsonl');
    const v2 = join(tmp.path, 'v2.jsonl');
    for (const [outfile, recordFormat] of [
      [v1, 'v1'],
      [v2, 'v2'],
    ] as const) {
      const bench = new MicroBench({ outfile, recordFormat, iterations: 2 });
      bench.wrap(function ours() {})();
      await bench.close();
    }
    writeFileSync(
      mixed,
      readFileSync(v1, 'utf8') +
        readFileSync(v2, 'utf8') +
        '{"level":"info","msg":"a log line"}\n' +
        readFileSync(fixture('microbench-v2.1/plain.jsonl'), 'utf8'),
    );
  });
  after(() => tmp.dispose());

  test('report and diff (forEachRecord): flat names for every layout, the foreign line warned', async () => {
    const names: unknown[] = [];
    const result = await forEachRecord([mixed], ({ record }) => names.push(record.function_name));
    assert.deepEqual(names, ['ours', 'ours', 'tiny', 'async-block']);
    assert.deepEqual(result.warnings, [
      `${mixed}:3: not a microbench record: no function name or durations`,
    ]);
  });

  test('microbench summary: one row per benchmark, no <unnamed>', async () => {
    const result = await runCli(['summary', '--format', 'json', mixed]);
    assert.equal(result.code, 0, result.stderr);
    assert.doesNotMatch(result.stdout, /unnamed/);
    assert.match(result.stdout, /"ours"/);
    assert.match(result.stdout, /"tiny"/);
    assert.match(result.stderr, /:3: .*not a microbench record/);
  });

  test('microbench diff across layouts: the same field names on both sides', async () => {
    const v2 = join(tmp.path, 'v2.jsonl');
    const v1 = join(tmp.path, 'v1.jsonl');
    const result = await runCli(['diff', v1, v2]);
    assert.equal(result.code, 0, result.stderr);
    assert.doesNotMatch(result.stdout, /^[-+~] (call|mb)\./m, 'no v2-only names');
  });

  test('bench.getResults() and summary() on a v2 bench', async () => {
    const bench = new MicroBench({ recordFormat: 'v2' });
    bench.wrap(function twice() {})();
    const [record] = await bench.getResults();
    assert.equal((record!.call as { name: string }).name, 'twice');
    const flat = await bench.getResults({ flat: true });
    assert.equal(flat[0]!['call.name'], 'twice', "dotted keys, as v2's get_results(flat=True)");
    const text = await bench.summary({ print: () => undefined });
    assert.match(text, /twice/);
  });
});
