// `microbench export FILE --format csv [--telemetry]`: the shapes of both tables, on Python
// microbench v2.1's own records and ours in v1, with foreign JSON lines mixed in.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CLI_PATH, ensureBuilt, fixture, makeTempDir, runCli } from '../helpers/cli.js';

// RFC 4180 CSV into rows of cells (quoted cells may hold commas, quotes and line breaks).
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += ch;
  }
  return rows;
}

// The table as objects keyed by the header.
function toObjects(rows: string[][]): Record<string, string>[] {
  const [header, ...body] = rows;
  return body.map((cells) => Object.fromEntries(header!.map((name, i) => [name, cells[i]!])));
}

const LIBRARY = fixture('microbench-v2.1/library.jsonl');
const CLI = fixture('microbench-v2.1/cli.jsonl');

describe('microbench export', { concurrency: true }, () => {
  const tmp = makeTempDir('mb-export-');
  let mixed: string;
  before(() => {
    ensureBuilt();
    mixed = join(tmp.path, 'mixed.jsonl');
    const ours = {
      mb_run_id: 'r1',
      mb_implementation: 'microbench-ts',
      function_name: 'mine',
      invocation: 'Node',
      hostname: 'vm',
      git: { commit: 'abc', dirty: false },
      run_durations: [0.5, 0.25],
      telemetry: [
        { timestamp: '2026-01-01T00:00:00.000000+00:00', rss: 10, memory_info: { vms: 1 } },
        { timestamp: '2026-01-01T00:00:00.250000+00:00', rss: 12, memory_info: { vms: 2 } },
      ],
    };
    writeFileSync(
      mixed,
      [
        JSON.stringify(ours),
        JSON.stringify({ level: 'info', msg: 'not a record' }),
        readFileSync(CLI, 'utf8').split('\n')[0],
      ].join('\n'),
    );
  });
  after(() => tmp.dispose());

  test('one row per iteration, the context flattened into columns, per-iteration lists split', async () => {
    const result = await runCli(['export', LIBRARY, CLI]);
    assert.equal(result.code, 0, result.stderr);
    const rows = toObjects(parseCsv(result.stdout));
    // library.jsonl: 3 + 1 + 1 iterations; cli.jsonl: 2 + 1 + 2 + 1 + 1.
    assert.equal(rows.length, 12);
    const header = parseCsv(result.stdout)[0]!;
    assert.deepEqual(header.slice(0, 6), [
      'benchmark',
      'run',
      'run_id',
      'iteration',
      'duration_s',
      'ok',
    ]);
    const simulate = rows.filter((r) => r.benchmark === 'simulate');
    assert.deepEqual(
      simulate.map((r) => [r.run, r.iteration, r.ok]),
      [
        ['1', '1', 'true'],
        ['1', '2', 'true'],
        ['1', '3', 'true'],
      ],
    );
    assert.equal(simulate[0]!.duration_s, '0.12289091499997085');
    assert.equal(simulate[0]!['git.dirty'], 'true');
    assert.equal(simulate[0]!.env_HOME, '/home/user');
    assert.equal(simulate[0]!.experiment, 'baseline');
    assert.equal(simulate[1]!['resource_usage.minflt'], '994', "iteration 2's own entry");
    const echo = rows.filter((r) => r.benchmark === 'echo');
    assert.deepEqual(
      echo.map((r) => [r.returncode, r.stdout]),
      [
        ['0', 'hello\n'],
        ['0', 'hello\n'],
      ],
      'a quoted cell keeps its line break',
    );
    assert.equal(echo[0]!.command, '["echo","hello"]');
    const sleep = rows.find((r) => r.benchmark === 'sleep')!;
    assert.deepEqual([sleep.returncode, sleep.ok, sleep.timed_out], ['-15', 'false', 'true']);
    const fails = rows.find((r) => r.benchmark === 'fails')!;
    assert.deepEqual([fails.ok, fails.exception_type], ['false', 'ValueError']);
  });

  test('--telemetry: one row per sample (benchmark, run, iteration, t, fields)', async () => {
    const result = await runCli(['export', '--telemetry', LIBRARY, mixed]);
    assert.equal(result.code, 0, result.stderr);
    const table = parseCsv(result.stdout);
    assert.deepEqual(table[0]!.slice(0, 6), [
      'benchmark',
      'run',
      'run_id',
      'iteration',
      't',
      'timestamp',
    ]);
    const rows = toObjects(table);
    // library.jsonl: 8 + 2 + 2 samples; mixed.jsonl: 2 (its CLI record has none).
    assert.equal(rows.length, 14);
    const simulate = rows.filter((r) => r.benchmark === 'simulate');
    assert.equal(simulate[0]!.t, '0');
    assert.equal(simulate[1]!.t, '0.052579', 'microseconds kept');
    assert.equal(simulate[0]!.iteration, '', "a call's one list has no iteration");
    assert.equal(simulate[0]!.rss, '78340096');
    const mine = rows.filter((r) => r.benchmark === 'mine');
    assert.deepEqual(
      mine.map((r) => [r.run, r.t, r.rss, r['memory_info.vms']]),
      [
        ['4', '0', '10', '1'],
        ['4', '0.25', '12', '2'],
      ],
    );
    assert.match(result.stderr, /mixed\.jsonl:2: not a microbench record/);
  });

  test('a foreign JSON line is reported once with its line number and never exported', async () => {
    const result = await runCli(['export', mixed]);
    assert.equal(result.code, 0, result.stderr);
    const warnings = result.stderr.split('\n').filter((l) => l.includes('not a microbench record'));
    assert.deepEqual(warnings, [
      `microbench export: warning: ${mixed}:2: not a microbench record: no function name or durations`,
    ]);
    const rows = toObjects(parseCsv(result.stdout));
    assert.deepEqual(
      rows.map((r) => r.benchmark),
      ['mine', 'mine', 'echo', 'echo'],
    );
    assert.equal(rows[0]!.hostname, 'vm');
  });

  test('-o writes the file; standard input works', async () => {
    const out = join(tmp.path, 'out.csv');
    const result = await runCli(['export', LIBRARY, '-o', out]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, '');
    assert.equal(parseCsv(readFileSync(out, 'utf8')).length, 6);
    const child = spawn(process.execPath, [CLI_PATH, 'export', '-'], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stdin.end(readFileSync(LIBRARY));
    const code = await new Promise((resolve) => child.on('close', resolve));
    assert.equal(code, 0);
    assert.equal(parseCsv(stdout).length, 6);
  });

  test('bad input: no records, no telemetry, an unknown format or layout, a missing file', async () => {
    const empty = join(tmp.path, 'empty.jsonl');
    writeFileSync(empty, '{"not": "a record"}\n');
    const none = await runCli(['export', empty]);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /No records to export/);
    const noSamples = await runCli(['export', '--telemetry', CLI]);
    assert.equal(noSamples.code, 1);
    assert.match(noSamples.stderr, /no telemetry samples.*--telemetry-interval/);
    const format = await runCli(['export', '--format', 'xlsx', LIBRARY]);
    assert.equal(format.code, 2);
    assert.match(format.stderr, /--format: expected csv, got 'xlsx'/);
    const layout = await runCli(['--record-format', 'v3', '--', 'true']);
    assert.equal(layout.code, 2);
    assert.match(layout.stderr, /--record-format: expected v1 .* or v2 .*, got 'v3'/);
    const clash = await runCli(['--record-format', 'v2', '--field', 'host=a', '--', 'true']);
    assert.equal(clash.code, 2);
    assert.match(
      clash.stderr,
      /--field host=\.\.\.: 'host' is a namespace of the v2 record layout/,
    );
    const missing = await runCli(['export', join(tmp.path, 'nope.jsonl')]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /nope\.jsonl/);
  });

  test('a reader that goes away (| head -1) ends the export quietly, status 0', async () => {
    const child = spawn(
      'sh',
      [
        '-c',
        `"$0" "$1" export "$2" "$2" "$2" "$2" | head -c 10 >/dev/null`,
        process.execPath,
        CLI_PATH,
        CLI,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    await new Promise((resolve) => child.on('close', resolve));
    assert.doesNotMatch(stderr, /EPIPE|internal error/);
  });
});
