import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, beforeEach, describe, test } from 'node:test';
import { InputError } from '../../src/errors.js';
import { readJsonLinesFrom, resolveInputs } from '../../src/record/inputs.js';
import {
  type JsonLinesEntry,
  type JsonLinesProblem,
  readJsonLines,
  readJsonLinesSync,
  toInputError,
} from '../../src/record/read-jsonl.js';

const dir = mkdtempSync(join(tmpdir(), 'mb-read-jsonl-'));
after(() => rmSync(dir, { recursive: true, force: true }));

// Everything a file gives: the entries and the reported problems, through either reader.
let mode: 'async' | 'sync' = 'async';
async function readAll(
  file: string,
  options: { maxLineBytes?: number } = {},
): Promise<{ entries: JsonLinesEntry[]; problems: JsonLinesProblem[] }> {
  const entries: JsonLinesEntry[] = [];
  const problems: JsonLinesProblem[] = [];
  const all = { ...options, onProblem: (p: JsonLinesProblem) => problems.push(p) };
  if (mode === 'sync') {
    for (const entry of readJsonLinesSync(file, all)) entries.push(entry);
  } else {
    for await (const entry of readJsonLines(file, all)) entries.push(entry);
  }
  return { entries, problems };
}

function write(name: string, text: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

for (const reader of ['async', 'sync'] as const)
  describe(`readJsonLines (${reader})`, () => {
    beforeEach(() => {
      mode = reader;
    });
    test('gives each object with its 1-based line number; blank lines are counted, not given', async () => {
      const file = write('plain.jsonl', '{"a":1}\n\n  \n{"a":2}\r\n{"a":3}');
      const { entries, problems } = await readAll(file);
      assert.deepEqual(
        entries.map((e) => [e.line, e.value.a, e.file]),
        [
          [1, 1, file],
          [4, 2, file],
          [5, 3, file],
        ],
      );
      assert.deepEqual(problems, []);
    });

    test('reports a torn line, a non-object and a non-JSON line with their line numbers and goes on', async () => {
      const file = write(
        'bad.jsonl',
        '{"a":1}\n{"function_name":"f","run_dur\n[1,2]\n42\nhello\n{"a":2}\n',
      );
      const { entries, problems } = await readAll(file);
      assert.deepEqual(
        entries.map((e) => e.line),
        [1, 6],
      );
      assert.deepEqual(
        problems.map((p) => p.line),
        [2, 3, 4, 5],
      );
      assert.match(problems[0]!.message, /torn or unfinished/);
      assert.equal(problems[1]!.message, 'not a JSON object');
      assert.equal(problems[2]!.message, 'not a JSON object');
      assert.match(problems[3]!.message, /^not valid JSON/);
      assert.doesNotMatch(problems[3]!.message, /torn/);
    });

    test('reassembles lines that span many read chunks (multi-byte characters cut between chunks)', async () => {
      // Each line is ~3 MiB of 'é' (2 bytes), so lines and characters cross the 1 MiB chunk edges.
      const long = 'é'.repeat(1_500_000);
      const text = `${JSON.stringify({ i: 0, s: long })}\n{"i":1}\n${JSON.stringify({ i: 2, s: long })}\n`;
      const file = write('long.jsonl', text);
      const { entries, problems } = await readAll(file);
      assert.deepEqual(problems, []);
      assert.deepEqual(
        entries.map((e) => [e.line, e.value.i]),
        [
          [1, 0],
          [2, 1],
          [3, 2],
        ],
      );
      assert.equal(entries[0]!.value.s, long);
      assert.equal(entries[2]!.value.s, long);
    });

    test('a line longer than maxLineBytes is reported and skipped, and the next line is read', async () => {
      const file = write(
        'huge.jsonl',
        `{"a":1}\n${JSON.stringify({ s: 'x'.repeat(3_000_000) })}\n{"a":3}\n`,
      );
      const { entries, problems } = await readAll(file, { maxLineBytes: 1_500_000 });
      assert.deepEqual(
        entries.map((e) => [e.line, e.value.a]),
        [
          [1, 1],
          [3, 3],
        ],
      );
      assert.equal(problems.length, 1);
      assert.equal(problems[0]!.line, 2);
      assert.match(problems[0]!.message, /longer than 1500000 bytes/);
    });

    test('a too-long line is skipped to its end exactly: short lines around it, a last line without a newline', async () => {
      // 100 bytes allowed: the long line crosses no chunk here, so the limit is met within one.
      const long = JSON.stringify({ s: 'y'.repeat(200) });
      const file = write('long-small.jsonl', `{"a":1}\n${long}\n{"a":3}\n${long}`);
      const { entries, problems } = await readAll(file, { maxLineBytes: 100 });
      assert.deepEqual(
        entries.map((e) => [e.line, e.value.a]),
        [
          [1, 1],
          [3, 3],
        ],
      );
      assert.deepEqual(
        problems.map((p) => [p.line, p.message]),
        [
          [2, 'line longer than 100 bytes'],
          [4, 'line longer than 100 bytes'],
        ],
      );
      // Exactly at the limit is held.
      const exact = JSON.stringify({ s: 'z'.repeat(92) });
      assert.equal(exact.length, 100);
      const atLimit = await readAll(write('exact.jsonl', `${exact}\n`), { maxLineBytes: 100 });
      assert.deepEqual(atLimit.problems, []);
      assert.equal(atLimit.entries.length, 1);
    });

    test('a byte-order mark at the start of the file is not part of the first record', async () => {
      const file = write(
        'bom.jsonl',
        Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"a":1}\n')]),
      );
      const { entries, problems } = await readAll(file);
      assert.deepEqual(problems, []);
      assert.equal(entries[0]!.value.a, 1);
    });

    test('a missing file and a folder are InputErrors that name the path and say why', async () => {
      await assert.rejects(readAll(join(dir, 'absent.jsonl')), (error: unknown) => {
        assert.ok(error instanceof InputError);
        assert.match(error.message, /absent\.jsonl.*no such file/);
        return true;
      });
      await assert.rejects(readAll(dir), /it is a directory/);
    });

    test('reads standard input as "-"', () => {
      const script = `
      import { readJsonLines } from ${JSON.stringify(new URL('../../src/record/read-jsonl.ts', import.meta.url).pathname)};
      const lines = [];
      for await (const e of readJsonLines('-')) lines.push([e.file, e.line, e.value.a]);
      console.log(JSON.stringify(lines));`;
      const child = spawnSync(
        process.execPath,
        ['--import', 'tsx', '--input-type=module', '-e', script],
        {
          input: '{"a":1}\n\n{"a":2}\n',
          encoding: 'utf8',
        },
      );
      assert.equal(child.status, 0, child.stderr);
      assert.deepEqual(JSON.parse(child.stdout), [
        ['-', 1, 1],
        ['-', 3, 2],
      ]);
    });
  });

describe('resolveInputs', () => {
  const folder = join(dir, 'results');
  mkdirSync(join(folder, 'nested'), { recursive: true });
  for (const name of ['node-b.jsonl', 'node-a.jsonl', 'notes.txt', 'nested/deep.jsonl']) {
    writeFileSync(join(folder, name), `{"from":${JSON.stringify(name)}}\n`);
  }

  test('a folder gives its results files, sorted, not recursing and not other files', async () => {
    assert.deepEqual(await resolveInputs([folder]), [
      join(folder, 'node-a.jsonl'),
      join(folder, 'node-b.jsonl'),
    ]);
  });

  test('a glob gives its matches sorted; absolute patterns give absolute paths', async () => {
    assert.deepEqual(await resolveInputs([join(folder, 'node-*.jsonl')]), [
      join(folder, 'node-a.jsonl'),
      join(folder, 'node-b.jsonl'),
    ]);
    assert.deepEqual(await resolveInputs([join(folder, '**/*.jsonl')]), [
      join(folder, 'nested/deep.jsonl'),
      join(folder, 'node-a.jsonl'),
      join(folder, 'node-b.jsonl'),
    ]);
  });

  test('each file once, however it is named, in the order first given', async () => {
    const a = join(folder, 'node-a.jsonl');
    const b = join(folder, 'node-b.jsonl');
    assert.deepEqual(
      await resolveInputs([b, join(folder, 'nested', '..', 'node-b.jsonl'), folder]),
      [b, a],
    );
  });

  test('a pattern that matches nothing, an empty folder and no input at all are InputErrors', async () => {
    const empty = join(dir, 'empty');
    mkdirSync(empty);
    await assert.rejects(
      resolveInputs([join(folder, '*.csv')]),
      (e: unknown) => e instanceof InputError && /No file matches/.test(e.message),
    );
    await assert.rejects(resolveInputs([empty]), /holds no results file/);
    await assert.rejects(resolveInputs([]), /No results file given/);
    await assert.rejects(
      resolveInputs([join(folder, 'missing.jsonl')]),
      /missing\.jsonl.*no such file/,
    );
  });

  test('readJsonLinesFrom reads file after file, each entry naming its file', async () => {
    const froms: string[] = [];
    for await (const entry of readJsonLinesFrom([join(folder, 'node-*.jsonl')]))
      froms.push(String(entry.value.from));
    assert.deepEqual(froms, ['node-a.jsonl', 'node-b.jsonl']);
  });
});

test('toInputError names the file and says why, for each cause', () => {
  const cases: [unknown, string][] = [
    [Object.assign(new Error('x'), { code: 'ENOENT' }), 'no such file'],
    [Object.assign(new Error('x'), { code: 'EISDIR' }), 'it is a directory'],
    [Object.assign(new Error('x'), { code: 'EACCES' }), 'permission denied'],
    [Object.assign(new Error('x'), { code: 'EPERM' }), 'permission denied'],
    [Object.assign(new Error('x'), { code: 'EIO' }), 'EIO'],
    [new Error('disk on fire'), 'disk on fire'],
  ];
  for (const [cause, why] of cases) {
    const error = toInputError('r.jsonl', cause);
    assert.ok(error instanceof InputError);
    assert.equal(error.message, `Cannot read results file "r.jsonl": ${why}`);
    assert.equal(error.cause, cause);
  }
});
