// A short call's record with telemetry and a journal is encoded once (#20): the JSON its pending
// journal holds, written before the call returns, becomes its outfile line with the telemetry
// fields added at the end. Checked on real files against the bytes both hold, in v1, and with
// the paths that must encode the whole record again (v2, a replacer).
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { MicroBench } from '../../src/bench/micro-bench.js';
import type { MicroBenchOptions } from '../../src/bench/options.js';
import { journalDirFor } from '../../src/journal/journal.js';
import type { BenchRecord } from '../../src/record/record.js';

const dir = mkdtempSync(join(tmpdir(), 'mb-written-once-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const telemetry = (p: { pid: number }) => ({ pid: p.pid });
const CALLS = 200;

/** The records of every pending-journal line in the outfile's journal folder, by sid. */
function pendingRecords(outfile: string): string[] {
  const journals = journalDirFor(outfile);
  const records: string[] = [];
  for (const name of readdirSync(journals)) {
    for (const line of readFileSync(join(journals, name), 'utf8').split('\n')) {
      if (!line.startsWith('{"type":"record"')) continue;
      // `{"type":"record","sid":N,"record":<json>}`: the record's JSON as written.
      records.push(line.slice(line.indexOf(',"record":') + ',"record":'.length, -1));
    }
  }
  return records;
}

const lines = (outfile: string) => readFileSync(outfile, 'utf8').trimEnd().split('\n');

// 50 trivial calls of a bench with telemetry writing to `outfile`, some of them journaled while
// they wait for their initial sample (checked), then the bench closed.
async function journaledTinyCalls(
  outfile: string,
  options: Pick<MicroBenchOptions, 'recordFormat' | 'jsonReplacer'>,
): Promise<void> {
  const bench = new MicroBench({ outfile, defaultMixins: false, telemetry, ...options });
  const call = bench.wrap(function tiny() {
    return 1;
  });
  for (let i = 0; i < 50; i++) call();
  assert.ok(pendingRecords(outfile).length > 0);
  await bench.close();
}

class Counted extends MicroBench {
  captureCount(record: BenchRecord): void {
    record.count = (record.count as number | undefined) ?? 1;
    record.label = `call "quoted" \u00e9`;
  }
}

test('v1: a pending record is encoded once: its outfile line is its journal JSON with the telemetry fields appended', async () => {
  const outfile = join(dir, 'v1.jsonl');
  const bench = new Counted({ outfile, defaultMixins: false, telemetry });
  const call = bench.wrap(function tiny(n: number) {
    return n;
  });
  for (let i = 0; i < CALLS; i++) call(i);
  // Before flush: the calls that ended before their initial sample wait in the journal.
  const journaled = pendingRecords(outfile);
  await bench.close();
  assert.ok(journaled.length > 0, 'trivial calls end before their initial sample arrives');
  const written = lines(outfile);
  assert.equal(written.length, CALLS);
  let matched = 0;
  for (const json of journaled) {
    const line = written.find((l) => l.startsWith(json.slice(0, -1)));
    assert.ok(line, `the journaled record is the start of an outfile line: ${json}`);
    assert.ok(line.startsWith(`${json.slice(0, -1)},"telemetry":[{"timestamp":`), line);
    matched++;
  }
  assert.equal(matched, journaled.length);
  for (const line of written) {
    const record = JSON.parse(line) as Record<string, unknown>;
    // Well-formed and canonical: what JSON.stringify writes for the same fields, in order.
    assert.equal(JSON.stringify(record), line);
    const keys = Object.keys(record);
    assert.deepEqual(keys.slice(keys.indexOf('finish_time')), [
      'finish_time',
      'telemetry',
      'telemetry_samples_due',
      'telemetry_samples_taken',
      'telemetry_samples_missed',
      'telemetry_lateness_p95_ms',
      'telemetry_lateness_max_ms',
      'telemetry_sampler',
    ]);
    assert.equal((record.telemetry as unknown[]).length, 1, 'the initial sample');
    assert.equal(record.label, 'call "quoted" \u00e9');
  }
});

test('v1: a field JSON cannot hold warns once per record, whether the record waited in the journal or not', async () => {
  const outfile = join(dir, 'warn.jsonl');
  class Unencodable extends MicroBench {
    captureCallback(record: BenchRecord): void {
      record.callback = () => 1;
    }
  }
  const bench = new Unencodable({ outfile, defaultMixins: false, telemetry });
  const call = bench.wrap(function tiny() {
    return 1;
  });
  const warnings: Error[] = [];
  const onWarning = (w: Error) => {
    if (w.name === 'JSONEncodeWarning') warnings.push(w);
  };
  process.on('warning', onWarning);
  try {
    for (let i = 0; i < 20; i++) call();
    const journaled = pendingRecords(outfile).length;
    await bench.close();
    await new Promise((resolve) => setImmediate(resolve));
    assert.ok(journaled > 0);
  } finally {
    process.off('warning', onWarning);
  }
  assert.equal(warnings.length, 20, warnings.map((w) => w.message).join('\n'));
  for (const line of lines(outfile))
    assert.equal(JSON.parse(line).callback, '__unencodable_as_json__');
});

test('v2 and a replacer encode the delivered record whole: the right layout and the replacer applied', async () => {
  const v2file = join(dir, 'v2.jsonl');
  await journaledTinyCalls(v2file, { recordFormat: 'v2' });
  for (const line of lines(v2file)) {
    const record = JSON.parse(line) as { call: Record<string, unknown> };
    assert.equal(record.call.name, 'tiny');
    assert.equal((record.call.monitor as unknown[]).length, 1);
    assert.equal(record.call.monitor_samples_due, 1);
    assert.equal('telemetry' in record, false, 'no flat field in the v2 layout');
  }

  const replaced = join(dir, 'replacer.jsonl');
  await journaledTinyCalls(replaced, {
    jsonReplacer: (key, value) => (key === 'pid' ? 'hidden' : value),
  });
  for (const line of lines(replaced)) {
    const record = JSON.parse(line) as { telemetry: { pid: unknown }[] };
    assert.equal(record.telemetry[0]!.pid, 'hidden', 'the replacer saw the samples');
  }
});

test('samples whose keys JavaScript orders its own way (integer-like keys, a `timestamp` field) are written as encoding the record writes them', async () => {
  const outfile = join(dir, 'keys.jsonl');
  const bench = new MicroBench({
    outfile,
    defaultMixins: false,
    telemetry: () => ({ rss: 1, 2: 'two', 10: 'ten' }),
  });
  const odd = new MicroBench({
    outfile: join(dir, 'timestamp-field.jsonl'),
    defaultMixins: false,
    telemetry: () => ({ timestamp: 'mine', after: true }),
  });
  const plain = new MicroBench({
    outfile: join(dir, 'empty-sample.jsonl'),
    defaultMixins: false,
    telemetry: () => ({}),
  });
  for (const each of [bench, odd, plain]) {
    const call = each.wrap(function tiny() {
      return 1;
    });
    for (let i = 0; i < 30; i++) call();
    await each.close();
  }
  for (const line of lines(outfile)) {
    const record = JSON.parse(line) as { telemetry: Record<string, unknown>[] };
    assert.equal(JSON.stringify(record), line);
    assert.deepEqual(Object.keys(record.telemetry[0]!), ['2', '10', 'timestamp', 'rss']);
  }
  for (const line of lines(join(dir, 'timestamp-field.jsonl'))) {
    const record = JSON.parse(line) as { telemetry: Record<string, unknown>[] };
    assert.equal(JSON.stringify(record), line);
    // The function's own `timestamp` wins, in the timestamp's place (the spread's rule).
    assert.deepEqual(record.telemetry[0], { timestamp: 'mine', after: true });
  }
  for (const line of lines(join(dir, 'empty-sample.jsonl'))) {
    const record = JSON.parse(line) as { telemetry: Record<string, unknown>[] };
    assert.equal(JSON.stringify(record), line);
    assert.deepEqual(Object.keys(record.telemetry[0]!), ['timestamp']);
  }
});

test('a constant field named like a telemetry field: the line is encoded whole, with the field where the record has it', async () => {
  const outfile = join(dir, 'named-like.jsonl');
  const bench = new MicroBench({
    outfile,
    defaultMixins: false,
    telemetry,
    // One the telemetry overwrites (in the field's place), one it never sets.
    fields: { telemetry_samples_due: 'constant', telemetry_missed_cause: 'constant' },
  });
  const call = bench.wrap(function tiny(n: number) {
    return n;
  });
  for (let i = 0; i < 50; i++) call(i);
  await bench.close();
  const written = lines(outfile);
  assert.equal(written.length, 50);
  for (const line of written) {
    const record = JSON.parse(line) as Record<string, unknown>;
    assert.equal(JSON.stringify(record), line, 'canonical JSON');
    const keys = Object.keys(record);
    assert.ok(keys.indexOf('telemetry_samples_due') < keys.indexOf('finish_time'), line);
    assert.equal(record.telemetry_samples_due, 1, "the telemetry's value");
    assert.equal(record.telemetry_missed_cause, 'constant');
    assert.deepEqual(keys.slice(keys.indexOf('finish_time')), [
      'finish_time',
      'telemetry',
      'telemetry_samples_taken',
      'telemetry_samples_missed',
      'telemetry_lateness_p95_ms',
      'telemetry_lateness_max_ms',
      'telemetry_sampler',
    ]);
  }
});
