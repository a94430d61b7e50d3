import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { MicroBench } from '../../src/bench/micro-bench.js';
import { journalDirFor } from '../../src/journal/journal.js';
import { spin } from '../helpers/busy.js';

const dir = mkdtempSync(join(tmpdir(), 'mb-journal-header-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test("a running call's journal header holds the whole partial record: the bench's constant fields (sent to the worker once) and the call's own", async () => {
  const outfile = join(dir, 'header.jsonl');
  const journals = journalDirFor(outfile);
  const bench = new MicroBench({
    outfile,
    fields: { experiment: 'header', ['__proto__']: 'kept' },
    envVars: ['MB_HEADER_TEST'],
    telemetry: (p) => ({ pid: p.pid }),
    telemetryInterval: 0.02,
  });
  const headers: Record<string, unknown>[] = [];
  const call = bench.wrap(function journaled(n: number) {
    spin(200); // past the journal delay: the worker has written the file by now
    for (const name of readdirSync(journals)) {
      const first = readFileSync(join(journals, name), 'utf8').split('\n')[0]!;
      headers.push(JSON.parse(first) as Record<string, unknown>);
    }
    return n;
  });
  call(1);
  call(2);
  await bench.close();
  assert.equal(headers.length, 2, 'one journal per running call');
  const [record1, record2] = await Promise.resolve(
    readFileSync(outfile, 'utf8')
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>),
  );
  for (const [i, header] of headers.entries()) {
    const partial = header.record as Record<string, unknown>;
    const finished = (i === 0 ? record1 : record2)!;
    assert.equal(partial.experiment, 'header');
    assert.equal(Object.getOwnPropertyDescriptor(partial, '__proto__')?.value, 'kept');
    assert.equal(partial.mb_run_id, finished.mb_run_id);
    assert.equal(partial.function_name, 'journaled');
    assert.equal(partial.start_time, finished.start_time, "the call's own start");
    assert.equal('env_MB_HEADER_TEST' in partial, true);
    // The record's keys in the finished record's order (the constant fields first).
    const order = Object.keys(finished).filter((k) => k in partial);
    assert.deepEqual(
      Object.keys(partial).filter((k) => order.includes(k)),
      order,
    );
  }
});

test("a call's own fields reach its journal header whether they fit the slot's header bytes (multi-byte UTF-8) or not (sent as a message)", async () => {
  const outfile = join(dir, 'long-header.jsonl');
  const journals = journalDirFor(outfile);
  const bench = new MicroBench({
    outfile,
    envVars: ['MB_HEADER_VALUE'],
    telemetry: (p) => ({ pid: p.pid }),
    telemetryInterval: 0.02,
  });
  const headers: Record<string, unknown>[] = [];
  // The previous call's journal may still be there (the worker deletes it after delivery, in
  // its own time): each call reads only the journal that is new.
  const seen = new Set<string>();
  const call = bench.wrap(function journaled() {
    spin(200); // past the journal delay: the worker has written the file by now
    for (const name of readdirSync(journals)) {
      if (seen.has(name)) continue;
      seen.add(name);
      const first = readFileSync(join(journals, name), 'utf8').split('\n')[0]!;
      headers.push(JSON.parse(first) as Record<string, unknown>);
    }
  });
  // ~220 characters but ~320 bytes: fits the 384 header bytes only as UTF-8 is counted.
  const fits = 'é'.repeat(100);
  // Fewer characters than 384 but more bytes: a message too (never a truncated header).
  const wide = 'é'.repeat(170);
  // Far past them: the fields go in a 'header' message instead.
  const long = `${'x'.repeat(3000)}ü`;
  const previous = process.env.MB_HEADER_VALUE;
  try {
    process.env.MB_HEADER_VALUE = fits;
    call();
    process.env.MB_HEADER_VALUE = wide;
    call();
    process.env.MB_HEADER_VALUE = long;
    call();
  } finally {
    if (previous === undefined) delete process.env.MB_HEADER_VALUE;
    else process.env.MB_HEADER_VALUE = previous;
  }
  await bench.close();
  assert.equal(headers.length, 3, 'one journal per running call');
  const values = headers.map((h) => (h.record as Record<string, unknown>).env_MB_HEADER_VALUE);
  assert.deepEqual(values, [fits, wide, long]);
  for (const header of headers) {
    assert.equal((header.record as Record<string, unknown>).function_name, 'journaled');
  }
});

// From a function's second call on, main sends no header text: the worker completes the
// function's header template with the call's anchor, formatted as main formatted start_time.
for (const timezone of ['Asia/Kolkata', '-03:30']) {
  test(`a call's journal header from a header template has the call's own start_time (${timezone})`, async () => {
    const outfile = join(dir, `template-${timezone.replace(/\W/g, '')}.jsonl`);
    const journals = journalDirFor(outfile);
    const bench = new MicroBench({
      outfile,
      timezone,
      telemetry: (p) => ({ pid: p.pid }),
      telemetryInterval: 0.02,
    });
    const starts: unknown[] = [];
    let long = false;
    const call = bench.wrap(function templated() {
      if (!long) return;
      spin(200); // past the journal delay: the worker has written the file by now
      for (const name of readdirSync(journals)) {
        const first = readFileSync(join(journals, name), 'utf8').split('\n')[0]!;
        const header = JSON.parse(first) as { kind?: string; record?: { start_time: unknown } };
        // (The short calls' pending journal is in the same folder.)
        if (header.kind !== 'pending') starts.push(header.record?.start_time);
      }
    });
    for (let i = 0; i < 20; i++) call();
    long = true;
    call();
    await bench.close();
    const records = readFileSync(outfile, 'utf8')
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { start_time: string });
    assert.equal(records.length, 21);
    assert.deepEqual(starts, [records[20]!.start_time]);
  });
}
