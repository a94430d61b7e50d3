// Outfile placeholders for one file per node, process or job ({hostname}, {pid}, {run_id},
// {env:NAME}); a typo or an unset variable is an error that says how to fix it. Files made this
// way are read back together by the readers (a glob).
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { MicroBench } from '../../src/bench/micro-bench.js';
import { OptionError } from '../../src/errors.js';
import { fileOutput } from '../../src/outputs/file.js';
import { expandPathPlaceholders } from '../../src/outputs/path-placeholders.js';
import { readJsonLinesFrom, resolveInputs } from '../../src/record/inputs.js';
import { RUN_ID } from '../../src/record/run-id.js';
import { makeTempDir, runCli, startCli } from '../helpers/cli.js';
import { watchWarnings } from '../helpers/warnings.js';

watchWarnings();
const tmp = makeTempDir('mb-placeholders-');
after(() => tmp.dispose());

const values = { hostname: 'node07', pid: 4182, runId: 'run-1', env: { JOB: '991', EMPTY: '' } };

describe('expandPathPlaceholders', () => {
  test('each placeholder, several in one path, and literal braces', () => {
    assert.equal(
      expandPathPlaceholders('r/{env:JOB}/{hostname}-{pid}-{run_id}.jsonl', '`outfile`', values),
      'r/991/node07-4182-run-1.jsonl',
    );
    assert.equal(expandPathPlaceholders('a{{b}}.jsonl', '`outfile`', values), 'a{b}.jsonl');
    assert.equal(expandPathPlaceholders('plain.jsonl', '`outfile`', values), 'plain.jsonl');
  });

  test('defaults are this process', () => {
    assert.equal(
      expandPathPlaceholders('{hostname}.{pid}.{run_id}'),
      `${hostname()}.${process.pid}.${RUN_ID}`,
    );
  });

  test('an unknown placeholder names it and lists the known ones', () => {
    assert.throws(
      () => expandPathPlaceholders('r-{host}.jsonl', '--outfile', values),
      (error: unknown) =>
        error instanceof OptionError &&
        /^--outfile "r-\{host\}\.jsonl" has an unknown placeholder '\{host\}'; the placeholders are \{hostname\}, \{pid\}, \{run_id\}, \{env:NAME\}/.test(
          error.message,
        ),
    );
    assert.throws(
      () => expandPathPlaceholders('{env:1BAD}', '`outfile`', values),
      /unknown placeholder '\{env:1BAD\}'/,
    );
  });

  test('a lone brace says how to write a literal one', () => {
    assert.throws(
      () => expandPathPlaceholders('r-{.jsonl', '`outfile`', values),
      /lone '\{'.*'\{\{' writes a literal '\{'/,
    );
    assert.throws(() => expandPathPlaceholders('r-}.jsonl', '`outfile`', values), /lone '\}'/);
  });

  test('an unset or empty variable is an error with the fix', () => {
    assert.throws(
      () => expandPathPlaceholders('r-{env:SLURM_JOB_ID}.jsonl', '`outfile`', values),
      /uses '\{env:SLURM_JOB_ID\}', but the environment variable SLURM_JOB_ID is not set; set it \(e\.g\. export SLURM_JOB_ID=\.\.\.\) or remove the placeholder/,
    );
    assert.throws(
      () => expandPathPlaceholders('{env:EMPTY}', '`outfile`', values),
      /EMPTY is empty/,
    );
  });
});

describe('outfile with placeholders', () => {
  test('the library writes to the expanded path, and getResults reads it', async () => {
    process.env.MB_TEST_JOB = 'job-42';
    try {
      const bench = new MicroBench({
        outfile: join(tmp.path, 'lib', '{env:MB_TEST_JOB}-{pid}.jsonl'),
        defaultMixins: false,
      });
      bench.record('placed', () => 1);
      await bench.close();
      const expected = join(tmp.path, 'lib', `job-42-${process.pid}.jsonl`);
      assert.equal(JSON.parse(readFileSync(expected, 'utf8')).function_name, 'placed');
      assert.deepEqual(readdirSync(join(tmp.path, 'lib')), [`job-42-${process.pid}.jsonl`]);
      assert.deepEqual(
        (await bench.getResults()).map((r) => r.function_name),
        ['placed'],
      );
    } finally {
      delete process.env.MB_TEST_JOB;
    }
  });

  test('fileOutput names itself by the expanded path', () => {
    const output = fileOutput(join(tmp.path, 'named-{pid}.jsonl'));
    assert.equal(output.name, `file:${join(tmp.path, `named-${process.pid}.jsonl`)}`);
    assert.equal(output.path, join(tmp.path, `named-${process.pid}.jsonl`));
  });

  test('a bad placeholder fails at construction', () => {
    assert.throws(() => new MicroBench({ outfile: join(tmp.path, '{nope}.jsonl') }), OptionError);
    assert.throws(
      () => new MicroBench({ outfile: join(tmp.path, '{env:MB_TEST_UNSET_VAR}.jsonl') }),
      /MB_TEST_UNSET_VAR is not set/,
    );
  });

  test('two CLI runs with {hostname}-{pid}: two files, read back together through a glob', async () => {
    const folder = join(tmp.path, 'cli');
    const template = join(folder, 'r-{hostname}-{pid}.jsonl');
    for (const code of [0, 3]) {
      const result = await runCli([
        '--no-mixin',
        '--outfile',
        template,
        '--',
        'sh',
        '-c',
        `exit ${code}`,
      ]);
      assert.equal(result.code, code, result.stderr);
    }
    const files = await resolveInputs([join(folder, '*.jsonl')]);
    assert.equal(files.length, 2, files.join(', '));
    for (const file of files) assert.match(file, new RegExp(`r-${hostname()}-\\d+\\.jsonl$`));
    const codes: unknown[] = [];
    for await (const entry of readJsonLinesFrom(files)) codes.push(entry.value.returncode);
    assert.deepEqual(codes.sort(), [[0], [3]]);
  });

  test("the CLI run's journal lies under the expanded outfile name, not the template", async () => {
    const folder = join(tmp.path, 'journaled');
    const cli = startCli([
      '--no-mixin',
      '--outfile',
      join(folder, 'r-{pid}.jsonl'),
      '--',
      'sleep',
      '1',
    ]);
    const seen = new Set<string>();
    let done = false;
    void cli.result.then(() => {
      done = true;
    });
    const journals = join(folder, '.microbench-journal');
    while (!done) {
      if (existsSync(journals)) {
        for (const user of readdirSync(journals)) {
          for (const name of readdirSync(join(journals, user))) seen.add(name);
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    const result = await cli.result;
    assert.equal(result.code, 0, result.stderr);
    const [written] = readdirSync(folder).filter((name) => name.endsWith('.jsonl'));
    assert.match(String(written), /^r-\d+\.jsonl$/);
    assert.ok(seen.size > 0, 'the run journal was seen while the command ran');
    assert.deepEqual([...seen], [written], 'the journal folder is named like the written file');
  });

  test('the CLI: an unknown placeholder or unset variable is a usage error before anything runs', async () => {
    const marker = join(tmp.path, 'ran');
    for (const outfile of ['r-{host}.jsonl', 'r-{env:MB_TEST_UNSET_VAR}.jsonl']) {
      const result = await runCli([
        '--outfile',
        join(tmp.path, outfile),
        '--',
        'sh',
        '-c',
        `touch ${marker}`,
      ]);
      assert.equal(result.code, 2, result.stderr);
      assert.match(
        result.stderr,
        /^microbench: error: --outfile ".*" (has an unknown placeholder|uses '\{env:MB_TEST_UNSET_VAR\}')/,
      );
      assert.equal(existsSync(marker), false);
    }
  });
});
