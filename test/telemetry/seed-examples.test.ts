// The seed document's examples (microbench's "Periodic telemetry" page), ported line by line.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MicroBench } from '../../src/bench/micro-bench.js';
import type { ProcessInfo } from '../../src/telemetry/process-info.js';
import { spin } from '../helpers/busy.js';

const TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$/;

test('basic setup: a static telemetry method on a subclass samples rss and vms', async () => {
  class MyBench extends MicroBench {
    static telemetryInterval = 0.05; // seconds between samples
    static telemetry(process: ProcessInfo) {
      const mem = process.memory_full_info();
      return { rss: mem.rss, vms: mem.vms };
    }
  }
  const bench = new MyBench();
  const myFunction = bench.wrap(function myFunction() {
    spin(300);
  });
  myFunction();
  const [record] = await bench.getResults();
  assert.ok(record);
  const samples = record.telemetry as Record<string, unknown>[];
  assert.ok(samples.length >= 3, `expected several samples, got ${samples.length}`);
  for (const sample of samples) {
    assert.match(String(sample.timestamp), TIMESTAMP);
    assert.equal(typeof sample.rss, 'number');
    assert.ok((sample.rss as number) > 0);
    assert.ok((sample.vms as number) >= (sample.rss as number));
    assert.deepEqual(Object.keys(sample).sort(), ['rss', 'timestamp', 'vms']);
  }
});

test('sampling all available process info with as_dict(attrs=[...])', async () => {
  class MyBench extends MicroBench {
    static telemetryInterval = 0.05;
    static telemetry(process: ProcessInfo) {
      return process.as_dict({ attrs: ['cpu_percent', 'memory_info', 'num_threads'] });
    }
  }
  const bench = new MyBench();
  bench.wrap(() => spin(200))();
  const [record] = await bench.getResults();
  const samples = record!.telemetry as Record<string, unknown>[];
  assert.ok(samples.length >= 2);
  const first = samples[0]!;
  assert.equal(first.cpu_percent, 0, "psutil's rule: the first cpu_percent is 0.0");
  const later = samples[samples.length - 1]!;
  assert.ok(
    (later.cpu_percent as number) > 20,
    `cpu_percent while spinning: ${String(later.cpu_percent)}`,
  );
  assert.ok((later.num_threads as number) >= 2, 'the sampler worker is one of the threads');
  const mem = later.memory_info as { rss: number; vms: number };
  assert.ok(mem.rss > 0 && mem.vms >= mem.rss);
});

test('the initial sample is taken when the call starts, then one per interval', async () => {
  class MyBench extends MicroBench {
    static telemetryInterval = 0.1;
    static telemetry(process: ProcessInfo) {
      return { rss: process.memoryInfo().rss };
    }
  }
  const bench = new MyBench();
  const fn = bench.wrap(() => spin(450));
  fn(); // first call also starts the worker
  fn();
  const records = await bench.getResults();
  const record = records[1]!;
  const samples = record.telemetry as { timestamp: string }[];
  const start = Date.parse(record.start_time);
  const finish = Date.parse(record.finish_time);
  // The initial sample, at (never before) the call's start; every sample within the call.
  assert.ok(Date.parse(samples[0]!.timestamp) >= start);
  for (const s of samples) assert.ok(Date.parse(s.timestamp) <= finish);
  // 450 ms at 100 ms: the initial sample and one per interval were due (0, 100, ..., 400 ms),
  // and each is in the record or counted as missed (a busy machine may delay the sampler).
  const due = record.telemetry_samples_due!;
  assert.ok(due >= 5 && due <= Math.floor((finish - start) / 100) + 2, `due ${due}`);
  assert.equal(samples.length + record.telemetry_samples_missed!, due);
});

test('telemetry is stored with the record even when the function raises', async () => {
  class MyBench extends MicroBench {
    static telemetryInterval = 0.05;
    static telemetry(process: ProcessInfo) {
      return { rss: process.memoryInfo().rss };
    }
  }
  const bench = new MyBench();
  const boom = new RangeError('boom');
  const failing = bench.wrap(function failing() {
    spin(150);
    throw boom;
  });
  assert.throws(
    () => failing(),
    (error) => error === boom,
  );
  const asyncFailing = bench.wrap(async function asyncFailing() {
    await new Promise((resolve) => setTimeout(resolve, 150));
    throw boom;
  });
  await assert.rejects(asyncFailing(), (error) => error === boom);
  const records = await bench.getResults();
  assert.equal(records.length, 2);
  for (const record of records) {
    assert.deepEqual(record.exception, { type: 'RangeError', message: 'boom' });
    assert.ok((record.telemetry as unknown[]).length >= 2);
  }
});
