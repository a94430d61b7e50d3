// What the README promises about telemetry and results, checked as behaviour (generous bounds:
// the numbers themselves are `npm run bench`'s).
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { MicroBench } from '../../src/bench/micro-bench.js';
import { spin } from '../helpers/busy.js';
import { makeTempDir } from '../helpers/cli.js';

const tmp = makeTempDir('mb-readme-promises-');
after(() => tmp.dispose());

test('"a 2 s call at 0.05 s holds 41": 41 samples due, each one in the record or counted missed', async () => {
  const bench = new MicroBench({ telemetryInterval: 0.05, defaultMixins: false });
  const burn = bench.wrap(function burn() {
    spin(2000);
  });
  burn();
  const [record] = await bench.getResults();
  const seconds = record!.run_durations[0]!;
  // Due: the initial sample and one per 50 ms from the session's start to its stop, which lie
  // between the function's own start and end and the record's start_time and finish_time
  // (a call of 2.0495 s can have 42 due).
  const due = record!.telemetry_samples_due as number;
  const atLeast = Math.floor((seconds * 1000) / 50) + 1;
  const spanMs = Date.parse(record!.finish_time) - Date.parse(record!.start_time) + 1;
  const atMost = Math.floor(spanMs / 50) + 1;
  assert.ok(atLeast <= due && due <= atMost, `${due} due in a ${seconds} s call (${spanMs} ms)`);
  assert.ok(due === 41 || due === 42, `a ${seconds} s call`);
  const samples = record!.telemetry as { timestamp: string }[];
  assert.equal(samples.length + (record!.telemetry_samples_missed as number), due);
  // A CPU-bound main thread does not stop the sampler thread: most are taken even here.
  assert.ok(samples.length >= 30, `${samples.length} of ${due} taken`);
  // No drift: the last sample is due at (due − 1) × 50 ms after the first and comes near it.
  const span = Date.parse(samples.at(-1)!.timestamp) - Date.parse(samples[0]!.timestamp);
  assert.ok(span <= (due - 1) * 50 + 50, `last sample ${span} ms after the first`);
});

test('await bench.report(path) writes one self-contained HTML page of the results', async () => {
  const bench = new MicroBench({ telemetryInterval: 0.02, defaultMixins: false });
  const work = bench.wrap(function work() {
    spin(60);
  });
  for (let i = 0; i < 3; i++) work();
  const path = join(tmp.path, 'report.html');
  await bench.report(path);
  assert.ok(existsSync(path));
  const html = readFileSync(path, 'utf8');
  assert.match(html, /^<!doctype html>/i);
  assert.match(html, /<code>work<\/code>/, 'the benchmark is named');
  assert.match(html, /Content-Security-Policy/, 'no network: the page stands alone');
  assert.doesNotMatch(html, /<script[^>]+src=/i, 'no external script');
  // The chart data (an object by chart id), a figure for each, telemetry among them.
  const json = /<script type="application\/json" id="mb-data">([^<]*)<\/script>/.exec(html)![1]!;
  const charts = Object.keys(JSON.parse(json).charts);
  assert.ok(charts.length >= 2, `${charts.length} charts`);
  assert.equal((html.match(/<figure[^>]* data-chart=/g) ?? []).length, charts.length);
});
