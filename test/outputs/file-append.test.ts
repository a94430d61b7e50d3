import assert from 'node:assert/strict';
import fs, { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, mock, test } from 'node:test';
import { MicroBench } from '../../src/bench/micro-bench.js';
import { fileOutput } from '../../src/outputs/file.js';
import { watchWarnings } from '../helpers/warnings.js';

watchWarnings();

const dir = mkdtempSync(join(tmpdir(), 'mb-file-'));
after(() => rmSync(dir, { recursive: true, force: true }));

// The lines of a JSON Lines file, parsed.
function readLines(path: string): Record<string, unknown>[] {
  const text = readFileSync(path, 'utf8');
  assert.ok(text.endsWith('\n'), 'the file ends with a newline');
  return text
    .slice(0, -1)
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('outfile (JSON Lines)', () => {
  test('appends one line per call, after what the file already holds', async () => {
    const outfile = join(dir, 'append.jsonl');
    writeFileSync(outfile, `${JSON.stringify({ earlier: true })}\n`);
    const bench = new MicroBench({ outfile, defaultMixins: false });
    const f = bench.wrap(function f(n: number) {
      return n;
    });
    f(1);
    f(2);
    await bench.record('block', async () => undefined);
    const lines = readLines(outfile);
    assert.equal(lines.length, 4, 'written synchronously, before flush()');
    assert.deepEqual(lines[0], { earlier: true });
    assert.deepEqual(
      lines.slice(1).map((l) => l.function_name),
      ['f', 'f', 'block'],
    );
    const second = new MicroBench({ outfile, defaultMixins: false });
    second.record('again', () => undefined);
    assert.equal(readLines(outfile).length, 5, 'a second bench appends too');
    await bench.close();
    await second.close();
  });

  test('each record is one write(2) of the whole line', async () => {
    const outfile = join(dir, 'one-write.jsonl');
    const bench = new MicroBench({
      outfile,
      defaultMixins: false,
      fields: { padding: 'x'.repeat(100_000) },
    });
    const writes: number[] = [];
    const original = fs.writeSync;
    mock.method(fs, 'writeSync', (...args: Parameters<typeof fs.writeSync>) => {
      const result = (original as (...a: unknown[]) => number)(...args);
      if (args[0] !== 1 && args[0] !== 2) writes.push(result);
      return result;
    });
    syncBuiltinESMExports();
    try {
      bench.record('big', () => undefined);
      bench.record('big', () => undefined);
    } finally {
      mock.restoreAll();
      syncBuiltinESMExports();
    }
    const size = readFileSync(outfile).length;
    assert.equal(writes.length, 2, 'one write per record');
    assert.equal(writes[0]! + writes[1]!, size);
    assert.equal(readLines(outfile).length, 2);
    await bench.close();
  });

  test('creates missing parent folders; getResults() reads the file back (flat too)', async () => {
    const outfile = join(dir, 'nested', 'deeper', 'results.jsonl');
    const bench = new MicroBench({
      outfile,
      defaultMixins: false,
      fields: { git: { commit: 'abc', dirty: false }, empty: {} },
    });
    bench.record('read-back', () => undefined);
    const [record] = await bench.getResults();
    assert.deepEqual(record?.git, { commit: 'abc', dirty: false });
    const [flat] = await bench.getResults({ flat: true });
    assert.equal(flat?.['git.commit'], 'abc');
    assert.equal(flat?.['git.dirty'], false);
    assert.equal('git' in (flat ?? {}), false);
    assert.equal('empty' in (flat ?? {}), false, 'an empty object disappears');
    assert.ok(Array.isArray(flat?.run_durations), 'arrays stay arrays');
    await bench.close();
  });

  test('close() releases the file; a later record reopens it', async () => {
    const outfile = join(dir, 'reopen.jsonl');
    const output = fileOutput(outfile);
    const bench = new MicroBench({ outputs: [output], defaultMixins: false });
    bench.record('one', () => undefined);
    await bench.flush();
    await bench.close();
    bench.record('two', () => undefined);
    await bench.close();
    assert.deepEqual(
      readLines(outfile).map((l) => l.function_name),
      ['one', 'two'],
    );
    assert.deepEqual(
      (await output.getResults()).map((r) => r.function_name),
      ['one', 'two'],
    );
  });

  test('getResults() of a file not written yet is empty', async () => {
    const bench = new MicroBench({ outfile: join(dir, 'never.jsonl') });
    assert.deepEqual(await bench.getResults(), []);
  });
});
