// The report and diff at scale and on hostile input: 100,000 records make a page of a few MB with
// the runs listed compactly; a file over 512 MiB is read by `microbench report` with a heap far
// smaller than the file; a 10,000-level nested value is cut, not a crash; a file that is not a
// report is never overwritten without --force.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runDiff } from '../../src/cli/commands/diff.js';
import { runReport } from '../../src/cli/commands/report.js';
import { CUT_MARKER } from '../../src/record/cut-deep.js';
import { writeReport } from '../../src/report/write-report.js';
import { libraryRecord, writeManyRecords } from './_fixtures.js';

const CLI = fileURLToPath(new URL('../../dist/cli/bin.cjs', import.meta.url));
const MIB = 1024 * 1024;

// A stream that keeps what is written.
class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

// Fresh stdout/stderr captures.
function captureIO(): { stdout: Capture; stderr: Capture } {
  return { stdout: new Capture(), stderr: new Capture() };
}

// JSON text of a value nested `depth` arrays deep (JSON.stringify itself overflows on it).
function nestedJson(depth: number): string {
  return `${'['.repeat(depth)}1${']'.repeat(depth)}`;
}

let dir = '';
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'mb-report-scale-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe('report of 100,000 records', () => {
  test('is a page under 5 MB: statistics per benchmark, runs listed compactly, a comparison', async () => {
    const results = join(dir, 'many.jsonl');
    writeManyRecords(results, 100_000);
    const html = join(dir, 'many.html');
    const result = await writeReport(results, html);
    assert.equal(result.records, 100_000);
    assert.equal(result.groups, 4);
    assert.ok(result.bytes <= 5 * 1000 * 1000, `report is ${result.bytes} bytes`);
    assert.ok(result.bytes >= 100_000, 'it still holds the charts');
    const text = readFileSync(html, 'utf8');
    // 25,000 runs per function: the first 10, the last 10 and the outliers are listed.
    const listed = text.match(/<tr(?: class="outlier")?><td class="num">\d+/g) ?? [];
    assert.ok(listed.length >= 4 * 20 && listed.length <= 4 * 40, `${listed.length} rows listed`);
    assert.match(text, /runs not listed/);
    assert.match(text, /slow outlier/, 'the slow runs every 997th record are flagged');
    assert.match(text, /Comparison/);
    assert.match(text, /medians relative to the fastest, <code>fn0<\/code>/);
    // Failed calls are counted per iteration and kept out of the statistics.
    assert.match(text, /<th class="num">failed<\/th>/);
    assert.match(text, /Sub-timings/);
  });
});

describe('a results file over 512 MiB', () => {
  test('is read by `microbench report` with a 200 MiB heap (the file size does not set the memory)', (t) => {
    if (!existsSync(CLI)) {
      t.skip(`the built CLI ${CLI} is missing: run npm run build first`);
      return;
    }
    const results = join(dir, 'huge.jsonl');
    // 560 records of ~1 MiB each: a long string field, so the file is large but cheap to parse.
    const padding = 'x'.repeat(MIB);
    const fd = openSync(results, 'w');
    try {
      for (let i = 0; i < 560; i++) {
        const record = {
          ...libraryRecord({
            name: `fn${i % 2}`,
            startS: i,
            samples: 3,
            durations: [0.01 + i * 1e-6],
          }),
          note: padding,
        };
        writeSync(fd, `${JSON.stringify(record)}\n`);
      }
    } finally {
      closeSync(fd);
    }
    assert.ok(statSync(results).size > 512 * MIB);
    const html = join(dir, 'huge.html');
    const run = spawnSync(
      process.execPath,
      ['--max-old-space-size=200', CLI, 'report', results, '-o', html],
      { encoding: 'utf8' },
    );
    rmSync(results);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /Wrote .*: 560 records, 2 functions\/commands/);
    assert.ok(statSync(html).size < 5 * MIB);
  });
});

describe('deep values', () => {
  test('a 10,000-level nested value is cut with a marker by report and diff, never a crash', async () => {
    const results = join(dir, 'deep.jsonl');
    const deep = JSON.stringify({ ...libraryRecord({ name: 'deep' }), returned: 'DEEP' });
    const plain = { ...libraryRecord({ name: 'deep', startS: 5 }), returned: 2 };
    const deepLine = deep.replace('"DEEP"', nestedJson(10_000));
    writeFileSync(results, `${deepLine}\n${JSON.stringify(plain)}\n`);

    const html = join(dir, 'deep.html');
    const io = captureIO();
    assert.equal(await runReport({ files: [results], output: html }, io), 0, io.stderr.text);
    assert.ok(readFileSync(html, 'utf8').includes(CUT_MARKER));

    const diffIO = captureIO();
    assert.equal(await runDiff({ a: results, b: results }, diffIO), 0, diffIO.stderr.text);
    assert.match(diffIO.stdout.text, /returned/);
    assert.ok(diffIO.stdout.text.includes(CUT_MARKER.slice(0, 20)));
  });
});

describe('report output', () => {
  test('refuses to overwrite a file it did not write, unless --force', async () => {
    const results = join(dir, 'small.jsonl');
    writeFileSync(results, `${JSON.stringify(libraryRecord())}\n`);
    const mine = join(dir, 'notes.html');
    writeFileSync(mine, '<p>my own notes</p>\n');

    const refused = captureIO();
    assert.equal(await runReport({ files: [results], output: mine }, refused), 1);
    assert.match(refused.stderr.text, /Refusing to overwrite .*notes\.html.*--force/);
    assert.equal(readFileSync(mine, 'utf8'), '<p>my own notes</p>\n', 'left as it was');

    const forced = captureIO();
    assert.equal(await runReport({ files: [results], output: mine, force: true }, forced), 0);
    assert.match(readFileSync(mine, 'utf8'), /<meta name="generator" content="microbench-ts">/);

    // A report it wrote (the marker is there) and an empty file are overwritten without a word.
    const again = captureIO();
    assert.equal(await runReport({ files: [results], output: mine }, again), 0, again.stderr.text);
    const empty = join(dir, 'empty.html');
    writeFileSync(empty, '');
    assert.equal(await runReport({ files: [results], output: empty }, captureIO()), 0);

    const folder = captureIO();
    assert.equal(await runReport({ files: [results], output: dir }, folder), 1);
    assert.match(folder.stderr.text, /it is a directory/);
  });

  test('reads several inputs: files, a folder and a glob', async () => {
    const sub = join(dir, 'nodes');
    rmSync(sub, { recursive: true, force: true });
    const { mkdirSync } = await import('node:fs');
    mkdirSync(sub);
    writeFileSync(join(sub, 'a.jsonl'), `${JSON.stringify(libraryRecord({ name: 'a' }))}\n`);
    writeFileSync(join(sub, 'b.jsonl'), `${JSON.stringify(libraryRecord({ name: 'b' }))}\n`);
    writeFileSync(join(sub, 'skip.txt'), 'not results\n');
    const single = join(dir, 'single.jsonl');
    writeFileSync(single, `${JSON.stringify(libraryRecord({ name: 'c' }))}\n`);

    const byFolder = await writeReport([sub, single], join(dir, 'folder.html'));
    assert.equal(byFolder.records, 3);
    const byGlob = await writeReport([join(sub, '*.jsonl')], join(dir, 'glob.html'));
    assert.equal(byGlob.records, 2);
    await assert.rejects(
      writeReport([join(sub, 'none-*.jsonl')], join(dir, 'x.html')),
      /No file matches/,
    );
  });
});
