// The report, summary and diff commands on real files: good input, and every kind of bad input
// (missing file, empty file, corrupt lines, records without telemetry, bad record numbers).

import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { shouldColor } from '../../src/cli/commands/_io.js';
import { runDiff } from '../../src/cli/commands/diff.js';
import { runReport } from '../../src/cli/commands/report.js';
import { runSummary } from '../../src/cli/commands/summary.js';
import { InputError } from '../../src/errors.js';
import type { BenchRecord } from '../../src/record/record.js';
import { writeReport } from '../../src/report/write-report.js';
import { cliRecord, libraryRecord, withoutTelemetry } from './_fixtures.js';

// A stream that keeps what is written, optionally pretending to be a terminal.
class Capture extends Writable {
  text = '';
  isTTY?: boolean;
  constructor(tty = false) {
    super();
    if (tty) this.isTTY = true;
  }
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

// Fresh stdout/stderr captures.
function captureIO(tty = false): { stdout: Capture; stderr: Capture } {
  return { stdout: new Capture(tty), stderr: new Capture(tty) };
}

// Write records (or raw lines) as a JSON Lines file.
function writeLines(path: string, lines: (BenchRecord | string)[]): string {
  writeFileSync(
    path,
    `${lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n')}\n`,
  );
  return path;
}

// The JSON blob embedded in a report.
function embeddedData(html: string): {
  charts: Record<string, { yLabel: string; series: { label: string }[] }>;
} {
  const m = /<script type="application\/json" id="mb-data">([\s\S]*?)<\/script>/.exec(html);
  assert.ok(m, 'the report embeds its data');
  return JSON.parse(m[1]!);
}

let dir = '';
let results = '';
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'mb-report-cmd-'));
  results = writeLines(join(dir, 'results.jsonl'), [
    libraryRecord({ name: 'train', durations: [10] }),
    '{"function_name": "cut off',
    libraryRecord({
      name: 'train',
      startS: 60,
      durations: [12],
      extra: { node_version: 'v22.0.0' },
    }),
    cliRecord(),
    'not json at all',
  ]);
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe('microbench report', () => {
  test('writes one self-contained page; corrupt lines are warned about by line number and skipped', async () => {
    const io = captureIO();
    const out = join(dir, 'out', 'report.html');
    assert.equal(await runReport({ files: [results], output: out, title: 'My <run>' }, io), 0);
    assert.match(
      io.stdout.text,
      /^Wrote .*report\.html \(\d+\.\d KiB\): 3 records, 2 functions\/commands, \d+ charts\.\n$/,
    );
    assert.match(
      io.stderr.text,
      /microbench report: warning: .*results\.jsonl:2: skipped corrupt line: /,
    );
    assert.match(io.stderr.text, /results\.jsonl:5: skipped corrupt line: /);
    const html = readFileSync(out, 'utf8');
    assert.ok(html.startsWith('<!doctype html>'));
    assert.match(html, /<title>My &lt;run&gt;<\/title>/);
    assert.match(html, /var uPlot=/, 'uPlot is inlined');
    assert.match(html, /\.uplot, \.uplot \*/, 'uPlot CSS is inlined');
    assert.match(html, /Content-Security-Policy" content="default-src &#39;none&#39;/);
    assert.doesNotMatch(
      html,
      /(src|href)\s*=\s*["']?(https?:)?\/\//i,
      'nothing is loaded from elsewhere',
    );
    assert.match(
      html,
      /results\.jsonl:2: skipped corrupt line/,
      'the page lists the skipped lines',
    );
    const data = embeddedData(html);
    const labels = Object.values(data.charts).map((c) => c.yLabel);
    assert.ok(labels.includes('rss (MiB)') && labels.includes('rss_bytes (MiB)'));
  });

  test('embedded data and tables cannot break out of their elements', async () => {
    const nasty = '</script><script>alert(1)</script><!--';
    const record = libraryRecord({ name: nasty, extra: { note: nasty } });
    (record.telemetry as Record<string, unknown>[])[0]![nasty] = 1;
    const out = join(dir, 'nasty.html');
    await writeReport([record], out);
    const html = readFileSync(out, 'utf8');
    assert.equal(html.split('<script>alert(1)').length, 1, 'never raw in the page');
    assert.ok(html.includes('&lt;/script&gt;&lt;script&gt;alert(1)'));
    const labels = Object.values(embeddedData(html).charts).map((c) => c.yLabel);
    assert.ok(labels.includes(nasty), 'the JSON blob round-trips the name');
  });

  test('records without telemetry still get a report', async () => {
    const file = writeLines(join(dir, 'quiet.jsonl'), [
      withoutTelemetry(libraryRecord({ name: 'q', durations: [0.1, 0.2] })),
    ]);
    const io = captureIO();
    const out = join(dir, 'quiet.html');
    assert.equal(await runReport({ files: [file], output: out }, io), 0);
    assert.equal(io.stderr.text, '');
    assert.match(readFileSync(out, 'utf8'), /No telemetry in these records/);
  });

  test('a missing file: exit 1, one clear line, nothing written', async () => {
    const io = captureIO();
    const out = join(dir, 'never.html');
    assert.equal(await runReport({ files: [join(dir, 'nope.jsonl')], output: out }, io), 1);
    assert.equal(
      io.stderr.text,
      `microbench report: Cannot read results file ${JSON.stringify(join(dir, 'nope.jsonl'))}: no such file\n`,
    );
    assert.equal(existsSync(out), false);
  });

  test('an empty file: exit 1 with a clear message; beside a good file it is only a warning', async () => {
    const empty = join(dir, 'empty.jsonl');
    writeFileSync(empty, '');
    const io = captureIO();
    assert.equal(await runReport({ files: [empty], output: join(dir, 'e.html') }, io), 1);
    assert.match(io.stderr.text, /No records to report: ".*empty\.jsonl" is empty\./);
    const io2 = captureIO();
    assert.equal(
      await runReport({ files: [empty, results], output: join(dir, 'e2.html') }, io2),
      0,
    );
    assert.match(io2.stderr.text, /warning: .*empty\.jsonl: the file is empty \(no records\)/);
  });

  test('a file of only corrupt lines: exit 1', async () => {
    const bad = writeLines(join(dir, 'bad.jsonl'), ['{', '[1, 2]']);
    const io = captureIO();
    assert.equal(await runReport({ files: [bad], output: join(dir, 'b.html') }, io), 1);
    assert.match(io.stderr.text, /bad\.jsonl:1: skipped corrupt line/);
    assert.match(io.stderr.text, /bad\.jsonl:2: skipped corrupt line: not a JSON object/);
    assert.match(io.stderr.text, /has only corrupt lines \(2\)/);
  });

  test('no files: usage error, exit 2', async () => {
    const io = captureIO();
    assert.equal(await runReport({ files: [] }, io), 2);
    assert.match(io.stderr.text, /Expected at least one results file/);
  });

  test('an unwritable output path: exit 1', async () => {
    const io = captureIO();
    assert.equal(await runReport({ files: [results], output: join(results, 'x.html') }, io), 1);
    assert.match(io.stderr.text, /Cannot write the report to/);
  });
});

describe('writeReport (library)', () => {
  test('from records in memory', async () => {
    const out = join(dir, 'lib', 'r.html');
    const result = await writeReport([libraryRecord(), cliRecord()], out);
    assert.equal(result.records, 2);
    assert.equal(result.groups, 2);
    assert.equal(result.bytes, readFileSync(out).length);
    assert.deepEqual(result.warnings, []);
  });

  test('no records is an InputError', async () => {
    await assert.rejects(writeReport([], join(dir, 'none.html')), InputError);
  });

  test('the built dist/ finds the inlined chart library too', {
    skip:
      !existsSync(new URL('../../dist/report/write-report.js', import.meta.url)) &&
      'dist/ not built',
  }, async () => {
    const built = (await import(
      new URL('../../dist/report/write-report.js', import.meta.url).href
    )) as {
      writeReport: typeof writeReport;
    };
    const out = join(dir, 'dist.html');
    await built.writeReport([libraryRecord()], out);
    assert.match(readFileSync(out, 'utf8'), /var uPlot=/);
  });
});

describe('microbench summary', () => {
  test('a table per function/command; corrupt lines warned', async () => {
    const io = captureIO();
    assert.equal(await runSummary({ files: [results] }, io), 0);
    const lines = io.stdout.text.trimEnd().split('\n');
    assert.match(lines[0]!, /^function \/ command +runs +n +mean/);
    assert.match(lines[1]!, /^train +2 +2 +11\.00 s/);
    assert.match(lines[2]!, /^sleep 2 +1 +2 +2\.005 s/);
    assert.match(io.stderr.text, /results\.jsonl:2: skipped: not valid JSON/);
  });

  test('missing and empty files: exit 1', async () => {
    const io = captureIO();
    assert.equal(await runSummary({ files: [join(dir, 'nope.jsonl')] }, io), 1);
    assert.match(io.stderr.text, /no such file/);
    const empty = join(dir, 'empty2.jsonl');
    writeFileSync(empty, '\n\n');
    const io2 = captureIO();
    assert.equal(await runSummary({ files: [empty] }, io2), 1);
    assert.match(io2.stderr.text, /No records to summarise/);
  });
});

describe('microbench diff', () => {
  let other = '';
  before(() => {
    mkdirSync(join(dir, 'd'), { recursive: true });
    other = writeLines(join(dir, 'd', 'other.jsonl'), [
      libraryRecord({ name: 'train', extra: { hostname: 'host-b' } }),
      libraryRecord({
        name: 'train',
        extra: { hostname: 'host-c', git: { commit: 'fff', branch: 'x', dirty: false } },
      }),
    ]);
  });

  test('compares the last record of each file by default', async () => {
    const io = captureIO();
    assert.equal(await runDiff({ a: results, b: other }, io), 0);
    const out = io.stdout.text;
    assert.match(out, /^--- A {2}.*results\.jsonl:3 \(of 3\) {2}sleep 2 {2}/);
    assert.match(out, /\n\+\+\+ B {2}.*other\.jsonl:2 \(of 2\) {2}train {2}/);
    assert.match(out, /~ hostname +"host-a" → "host-c"/);
  });

  test('FILE:N picks a record; one file alone compares its last two', async () => {
    const io = captureIO();
    assert.equal(await runDiff({ a: `${results}:1`, b: `${results}:2` }, io), 0);
    assert.match(io.stdout.text, /~ node_version +"v20\.20\.2" → "v22\.0\.0"/);
    const io2 = captureIO();
    assert.equal(await runDiff({ a: other, b: other }, io2), 0);
    assert.match(io2.stdout.text, /other\.jsonl:1 \(of 2\)[\s\S]*other\.jsonl:2 \(of 2\)/);
    assert.match(io2.stdout.text, /~ hostname +"host-b" → "host-c"/);
  });

  test('--field narrows the comparison', async () => {
    const io = captureIO();
    assert.equal(await runDiff({ a: `${other}:1`, b: `${other}:2`, fields: ['git'] }, io), 0);
    assert.doesNotMatch(io.stdout.text, /hostname/);
    assert.match(io.stdout.text, /~ git\.commit/);
  });

  test('colour only on a terminal', async () => {
    const io = captureIO(true);
    await runDiff({ a: `${other}:1`, b: `${other}:2` }, io);
    assert.equal(io.stdout.text.includes('\u001b['), shouldColor(io.stdout));
    assert.equal(shouldColor({ isTTY: true }, {}), true);
    assert.equal(shouldColor({ isTTY: true }, { NO_COLOR: '1' }), false);
    assert.equal(shouldColor({}, {}), false);
  });

  test('bad record numbers are usage errors (exit 2); missing files exit 1', async () => {
    const io = captureIO();
    assert.equal(await runDiff({ a: `${other}:5`, b: other }, io), 2);
    assert.match(
      io.stderr.text,
      /has 2 records; record 5 does not exist .* Use .*other\.jsonl:1 to .*other\.jsonl:2\./,
    );
    const io2 = captureIO();
    assert.equal(await runDiff({ a: `${other}:0`, b: other }, io2), 2);
    assert.match(io2.stderr.text, /1-based/);
    const io3 = captureIO();
    assert.equal(await runDiff({ a: join(dir, 'nope.jsonl'), b: other }, io3), 1);
    assert.match(
      io3.stderr.text,
      /^microbench diff: Cannot read results file .*nope\.jsonl": no such file\n$/,
    );
  });
});
