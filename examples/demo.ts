// `npm run demo`: a real benchmark with telemetry, its record printed.
//
// A function that builds a growing array of numbers and sorts it (CPU and memory), run three
// times while the sampler worker records RSS and CPU every 100 ms. The record file is kept (in a
// new folder under the system's temp directory), so the path printed at the end can be opened.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hostInfo, MicroBench, type ProcessInfo } from '../dist/index.js';

class DemoBench extends MicroBench {
  static telemetryInterval = 0.1; // seconds between samples
  static telemetry(process: ProcessInfo) {
    const mem = process.memoryInfo();
    return { rss: mem.rss, vms: mem.vms, cpu_percent: process.cpuPercent() };
  }
}

const dir = mkdtempSync(join(tmpdir(), 'microbench-demo-'));
const outfile = join(dir, 'results.jsonl');
const bench = new DemoBench({
  outfile,
  iterations: 3,
  fields: { experiment: 'demo' },
  mixins: [hostInfo()],
});

const sortNumbers = bench.wrap(function sortNumbers(n: number) {
  const values = Array.from({ length: n }, () => Math.random());
  return values.sort((a, b) => a - b).length;
});

sortNumbers(400_000);
await bench.close();

const record = JSON.parse(readFileSync(outfile, 'utf8').trim());
console.log(JSON.stringify(record, null, 2));
console.log(
  `\n${record.function_name}: ${record.run_durations.length} iterations, ${record.telemetry.length} telemetry samples, record kept in ${outfile}`,
);
await bench.summary();
