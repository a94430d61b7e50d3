import { MicroBench, type ProcessInfo } from '../dist/index.js';

class MyBench extends MicroBench {
  static telemetryInterval = 0.2; // seconds between samples (default 60)
  static telemetry(process: ProcessInfo) {
    const mem = process.memory_full_info();
    return { rss: mem.rss, vms: mem.vms };
  }
}

const bench = new MyBench({ fields: { experiment: 'baseline' } });

const myFunction = bench.wrap(function myFunction(n: number) {
  const chunks: Buffer[] = [];
  for (let i = 0; i < n; i++) chunks.push(Buffer.alloc(8 * 1024 * 1024, 1)); // grow memory
  const end = performance.now() + 500;
  while (performance.now() < end) {} // long-running work
  return chunks.length;
});

myFunction(10);
const [record] = await bench.getResults();
console.log(JSON.stringify(record, null, 2));
