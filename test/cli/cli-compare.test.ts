// `microbench compare` and `microbench summary --format` run as users run them: the built CLI
// on real files.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { REFERENCE } from '../stats/_reference.js';

const dir = mkdtempSync(join(tmpdir(), 'mb-cli-compare-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const { baseline, slower, same } = REFERENCE.lognormal;

// Write records as a JSON Lines file (strings are written as they are).
function writeRecords(name: string, lines: readonly (Record<string, unknown> | string)[]): string {
  const path = join(dir, name);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(
    path,
    `${lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n')}\n`,
  );
  return path;
}

// One library record per 50 durations.
function records(name: string, durations: readonly number[], extra: Record<string, unknown> = {}) {
  const out: Record<string, unknown>[] = [];
  for (let i = 0; i < durations.length; i += 50) {
    out.push({ function_name: name, run_durations: durations.slice(i, i + 50), ...extra });
  }
  return out;
}

const base = writeRecords('base.jsonl', [
  ...records('parse', baseline, { node_version: 'v20.20.2' }),
  ...records('render', baseline, { node_version: 'v20.20.2' }),
]);
const cand = writeRecords('cand.jsonl', [
  ...records('parse', slower, { node_version: 'v22.1.0' }),
  ...records('render', same, { node_version: 'v22.1.0' }),
]);

describe('microbench compare BASELINE CANDIDATE', () => {
  test('text: a headline per benchmark; the environment difference warned on stderr', async () => {
    const r = await runCli(['compare', base, cand]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      /^parse: 1\.11 ± 0\.01 × slower \(p = 3e-48\)\n {2}baseline {3}n = 200 {2}median 9\.\d+ ms/,
    );
    assert.match(r.stdout, /\nrender: same, 1\.00 ± 0\.0\d × \(p = 0\.56; within 2%\)\n/);
    assert.match(
      r.stderr,
      /microbench compare: warning: not the same environment: node_version v20\.20\.2 → v22\.1\.0\n/,
    );
  });

  test('--fail-on-regression: exit 1 when slower by more than PCT, else 0', async () => {
    const gate = await runCli(['compare', base, cand, '--fail-on-regression', '5']);
    assert.equal(gate.code, 1);
    assert.match(gate.stderr, /regression beyond 5%: parse \(\+10\.6%\)/);
    const loose = await runCli(['compare', base, cand, '--fail-on-regression=20%']);
    assert.equal(loose.code, 0, loose.stderr);
    const improved = await runCli(['compare', cand, base, '--fail-on-regression', '0']);
    assert.equal(improved.code, 0, 'faster is no regression');
  });

  test('--threshold moves the line between same and slower', async () => {
    const r = await runCli(['compare', base, cand, '--threshold', '15', '--format', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const json = JSON.parse(r.stdout) as { threshold: number; benchmarks: { verdict: string }[] };
    assert.equal(json.threshold, 0.15);
    assert.deepEqual(
      json.benchmarks.map((b) => b.verdict),
      ['same', 'same'],
    );
  });

  test('--format markdown for a job summary; csv', async () => {
    const md = await runCli(['compare', base, cand, '--format', 'markdown']);
    assert.equal(md.code, 0);
    assert.match(md.stdout, /^\| Benchmark \| Baseline median \|/);
    assert.match(md.stdout, /\n\| parse \| .* \| \*\*slower\*\* \|\n/);
    assert.match(md.stdout, /\n> \*\*Warning:\*\* not the same environment/);
    const csv = await runCli(['compare', base, cand, '--format', 'csv']);
    assert.equal(csv.stdout.split('\r\n').length, 4);
  });

  test('several files per side with vs; a folder; FILE:N selects one record', async () => {
    const a1 = writeRecords('many/a1.jsonl', records('parse', baseline.slice(0, 100)));
    const a2 = writeRecords('many/a2.jsonl', records('parse', baseline.slice(100)));
    const r = await runCli(['compare', a1, a2, 'vs', cand, '--format', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const json = JSON.parse(r.stdout) as { benchmarks: { baseline: { n: number } }[] };
    assert.equal(json.benchmarks[0]!.baseline.n, 200);
    const folder = await runCli(['compare', join(dir, 'many'), cand, '--format', 'json']);
    assert.equal(
      (JSON.parse(folder.stdout) as typeof json).benchmarks[0]!.baseline.n,
      200,
      folder.stderr,
    );
    const one = await runCli(['compare', `${base}:2`, cand, '--format', 'json']);
    assert.equal((JSON.parse(one.stdout) as typeof json).benchmarks[0]!.baseline.n, 50);
    const last = await runCli(['compare', `${base}:-1`, cand, '--format', 'json']);
    const lastJson = JSON.parse(last.stdout) as { benchmarks: { name: string }[] };
    assert.deepEqual(
      lastJson.benchmarks.map((b) => b.name),
      ['render'],
    );
  });

  test('--filter per side picks records of one file', async () => {
    const both = writeRecords('both.jsonl', [
      ...records('parse', baseline, { experiment: 'main' }),
      ...records('parse', slower, { experiment: 'pr' }),
    ]);
    const r = await runCli([
      'compare',
      both,
      both,
      '--baseline-filter',
      'experiment=main',
      '--candidate-filter',
      'experiment=pr',
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^parse: 1\.11 ± 0\.01 × slower/);
    const none = await runCli(['compare', both, both, '--filter', 'experiment=nope']);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /passes the filters \(experiment=nope\)/);
  });

  test('lines that are no record are warned about by line number', async () => {
    const messy = writeRecords('messy.jsonl', [
      ...records('parse', slower),
      '{"hello": "world"}',
      '{"torn',
    ]);
    const r = await runCli(['compare', base, messy]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /messy\.jsonl:5: skipped: not a microbench record/);
    assert.match(r.stderr, /messy\.jsonl:6: skipped: not valid JSON/);
    assert.match(r.stderr, /only in the baseline: render/);
  });
});

describe('microbench compare FILE (one set)', () => {
  test('against the first benchmark, or --baseline NAME', async () => {
    const r = await runCli(['compare', base]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^render vs parse: same, /);
    const file = writeRecords('three.jsonl', [
      ...records('a', baseline),
      ...records('b', slower),
      ...records('c', same),
    ]);
    const named = await runCli(['compare', file, '--baseline', 'b']);
    assert.match(named.stdout, /^a vs b: 1\.11 ± 0\.01 × faster/);
    assert.match(named.stdout, /\nc vs b: 1\.1\d ± 0\.0\d × faster/);
  });

  test('a file with one benchmark only, or an unknown --baseline', async () => {
    const single = writeRecords('single.jsonl', records('parse', baseline));
    const r = await runCli(['compare', single]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /one benchmark only \(parse\).*give a CANDIDATE/);
    const unknown = await runCli(['compare', base, '--baseline', 'nope']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /no benchmark named "nope"; the records hold "parse", "render"/);
  });
});

describe('microbench compare: usage errors exit 2, input errors 1', () => {
  const cases: [string, string[], RegExp][] = [
    [
      'a bad --format',
      ['--format', 'html'],
      /--format: expected one of text, markdown, json, csv, got 'html'/,
    ],
    ['a bad --threshold', ['--threshold', 'two'], /--threshold: expected a percentage/],
    ['a bad --filter', ['--filter', 'nokey'], /--filter: expected KEY=VALUE/],
    ['--baseline with two sides', ['--baseline', 'parse'], /within one set of records/],
  ];
  for (const [what, extra, message] of cases) {
    test(what, async () => {
      const r = await runCli(['compare', base, cand, ...extra]);
      assert.equal(r.code, 2);
      assert.match(r.stderr, message);
    });
  }

  test('three inputs without vs; no input', async () => {
    const r = await runCli(['compare', base, cand, cand]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /separate the sides with 'vs'/);
    assert.equal((await runCli(['compare'])).code, 2);
  });

  test('a record number past the end is a usage error; a missing file an input error', async () => {
    const past = await runCli(['compare', `${base}:99`, cand]);
    assert.equal(past.code, 2);
    assert.match(past.stderr, /there is no record 99 \(the file holds 8 records\)/);
    const missing = await runCli(['compare', join(dir, 'nope.jsonl'), cand]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /nope\.jsonl.*no such file/);
  });
});

describe('microbench summary --format', () => {
  test('json: one object per benchmark in seconds; csv; markdown; a bad format exits 2', async () => {
    const failing = writeRecords('failing.jsonl', [
      { function_name: 'parse', run_durations: [1e-7], exception: { type: 'E', message: 'x' } },
      { function_name: 'parse', run_durations: [0.5] },
      { function_name: 'parse', run_durations: [1e-7], exception: { type: 'E', message: 'x' } },
      { function_name: 'parse', run_durations: [1e-7], exception: { type: 'E', message: 'x' } },
    ]);
    const r = await runCli(['summary', failing, '--format', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const [row] = JSON.parse(r.stdout) as Record<string, unknown>[];
    assert.equal(row!.n, 1);
    assert.equal(row!.failed, 3);
    assert.equal(row!.mean, 0.5);
    assert.equal(row!.stdev, null);
    const csv = await runCli(['summary', failing, base, '--format', 'csv']);
    const lines = csv.stdout.split('\r\n');
    assert.equal(lines.length, 4, 'a header, parse (both files), render and the final newline');
    assert.match(lines[1]!, /^parse,function,8,201,3,0,0,/);
    const md = await runCli(['summary', base, '--format', 'markdown']);
    assert.match(md.stdout, /^\| function \/ command \|/);
    writeRecords('glob/g1.jsonl', records('parse', baseline.slice(0, 120)));
    writeRecords('glob/g2.jsonl', records('parse', baseline.slice(120)));
    const globbed = await runCli(['summary', join(dir, 'glob', '*.jsonl'), '--format', 'json']);
    assert.equal(globbed.code, 0, globbed.stderr);
    const [all] = JSON.parse(globbed.stdout) as Record<string, unknown>[];
    assert.equal(all!.n, 200, 'both files of the glob, read as one');
    const bad = await runCli(['summary', base, '--format', 'xml']);
    assert.equal(bad.code, 2);
  });
});
