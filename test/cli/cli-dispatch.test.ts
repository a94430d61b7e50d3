// Each subcommand reaches its own command (main.ts's dispatch): on two small results files made by
// the CLI itself, every subcommand exits 0 and prints what only that subcommand prints.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { makeTempDir, runCli } from '../helpers/cli.js';

describe('microbench SUBCOMMAND runs that subcommand', { concurrency: 2 }, () => {
  const tmp = makeTempDir('mb-dispatch-');
  after(() => tmp.dispose());
  const a = join(tmp.path, 'a.jsonl');
  const b = join(tmp.path, 'b.jsonl');
  before(async () => {
    for (const file of [a, b]) {
      const made = await runCli(['-o', file, '-n', '3', '--no-mixin', '-q', '--', 'true']);
      assert.equal(made.code, 0, made.stderr);
    }
  });

  test('summary: a table with a row for the command', async () => {
    const result = await runCli(['summary', a]);
    assert.equal(result.code, 0, result.stderr);
    const [heading, row] = result.stdout.split('\n');
    assert.match(heading!, /^function \/ command +runs +n +mean +median/);
    assert.match(row!, /^true +1 +3 +/);
  });

  test('compare: a verdict for the command, baseline and candidate', async () => {
    const result = await runCli(['compare', a, b]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^true: /);
    assert.match(result.stdout, /\n {2}baseline +n = 3 /);
    assert.match(result.stdout, /\n {2}candidate +n = 3 /);
  });

  test('diff: the two records side by side', async () => {
    const result = await runCli(['diff', a, b]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^--- A {2}\S*a\.jsonl:1 \(of 1\)/);
    assert.match(result.stdout, /\n\+\+\+ B {2}\S*b\.jsonl:1 \(of 1\)/);
  });

  test('recover: nothing to recover in a finished run', async () => {
    const result = await runCli(['recover', '--dry-run', a]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, 'No interrupted runs to recover.\n');
  });

  test('export: CSV, one row per iteration', async () => {
    const result = await runCli(['export', a, '--format', 'csv']);
    assert.equal(result.code, 0, result.stderr);
    const lines = result.stdout.trimEnd().split('\n');
    assert.match(lines[0]!, /^benchmark,run,run_id,iteration,duration_s,/);
    assert.equal(lines.length, 4, result.stdout);
  });

  test('report: an HTML page written to -o', async () => {
    const html = join(tmp.path, 'r.html');
    const result = await runCli(['report', a, '-o', html]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^Wrote \S*r\.html \(/);
    assert.ok(existsSync(html));
    assert.match(readFileSync(html, 'utf8'), /^<!doctype html>/);
  });

  test("a v1 record may have a field named like a v2 namespace ('host')", async () => {
    const result = await runCli(['--field', 'host=x', '--no-mixin', '-q', '--', 'true']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(JSON.parse(result.stdout).host, 'x');
  });

  // parse-args takes `FILE:0` as a record number; only the command, reading the file, refuses it.
  for (const [subcommand, message] of [
    ['diff', `Record numbers are 1-based: got "${a}:0". Use ${a}:1 for the first record.`],
    ['compare', `${a}:0: record numbers start at 1 (or -1 for the last record)`],
  ] as const) {
    test(`${subcommand} refusing a record number exits 2, its hint names ${subcommand}'s help`, async () => {
      const result = await runCli([subcommand, `${a}:0`, b]);
      assert.equal(result.code, 2, result.stderr);
      assert.equal(result.stdout, '');
      assert.equal(
        result.stderr,
        `microbench ${subcommand}: ${message}\nRun \`microbench ${subcommand} --help\` for usage.\n`,
      );
    });
  }

  test('a subcommand that fails exits 1 with one line naming the cause, no usage hint', async () => {
    const result = await runCli(['summary', join(tmp.path, 'missing.jsonl')]);
    assert.equal(result.code, 1, result.stderr);
    assert.equal(result.stdout, '');
    assert.equal(result.stderr.trimEnd().split('\n').length, 1, result.stderr);
    assert.match(result.stderr, /missing\.jsonl/);
  });
});
