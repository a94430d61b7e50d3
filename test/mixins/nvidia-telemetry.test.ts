import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  createNvidiaTelemetry,
  nvidiaTelemetryModule,
  parseGpuTelemetryCsv,
  withGpuTelemetry,
} from '../../src/mixins/nvidia-telemetry.js';
import { makeTempDir, writeScript } from './_run-mixins.js';

const temp = makeTempDir('gpu-telemetry');
const CANNED = '0, 87, 40536\n1, [N/A], 1024\n';

// A fake nvidia-smi printing `index, utilization.gpu, memory.used` lines.
function fakeNvidiaSmi(dir: string): string {
  mkdirSync(dir, { recursive: true });
  return writeScript(join(dir, 'nvidia-smi'), `printf '${CANNED.replaceAll('\n', '\\n')}'`);
}

// Import the telemetry module in a child process with PATH = `pathDir` and call its default export.
function sampleInChild(pathDir: string): unknown {
  const script =
    `const m = await import(${JSON.stringify(nvidiaTelemetryModule.href)});` +
    'console.log(JSON.stringify([m.default({}), m.default({})]));';
  const out = execFileSync(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '-e', script],
    { env: { ...process.env, PATH: pathDir }, encoding: 'utf8' },
  );
  return JSON.parse(out);
}

describe('nvidia-telemetry', () => {
  after(() => temp.remove());

  test('a sample lists each GPU with utilisation percent and memory used in bytes', () => {
    const sample = createNvidiaTelemetry({ command: fakeNvidiaSmi(join(temp.dir, 'a')) });
    assert.deepEqual(sample(), {
      gpus: [
        { index: 0, utilization_gpu_percent: 87, memory_used_bytes: 40536 * 1024 * 1024 },
        { index: 1, utilization_gpu_percent: null, memory_used_bytes: 1024 * 1024 * 1024 },
      ],
    });
  });

  test('without nvidia-smi it returns a note, never throws, and stops spawning', () => {
    const command = join(temp.dir, 'later', 'nvidia-smi');
    const sample = createNvidiaTelemetry({ command });
    assert.deepEqual(sample(), { gpus: [], gpu_note: `${command} not found` });
    fakeNvidiaSmi(join(temp.dir, 'later'));
    assert.equal(existsSync(command), true);
    assert.deepEqual(sample().gpus, [], 'a missing tool is remembered, not looked up per sample');
  });

  test('withGpuTelemetry adds the GPU fields to each sample of another sampler', () => {
    const telemetry = withGpuTelemetry((p: { rss: number }) => ({ rss: p.rss }), {
      command: fakeNvidiaSmi(join(temp.dir, 'b')),
    });
    const sample = telemetry({ rss: 42 });
    assert.equal(sample.rss, 42);
    assert.equal(sample.gpus.length, 2);
  });

  test('the module loads as a telemetryModule: its default export samples via PATH', () => {
    const dir = join(temp.dir, 'on-path');
    fakeNvidiaSmi(dir);
    assert.equal(existsSync(fileURLToPath(nvidiaTelemetryModule)), true);
    const [first] = sampleInChild(dir) as [{ gpus: unknown[] }];
    assert.equal(first.gpus.length, 2);
    const empty = join(temp.dir, 'empty');
    mkdirSync(empty);
    assert.deepEqual(sampleInChild(empty), [
      { gpus: [], gpu_note: 'nvidia-smi not found on PATH' },
      { gpus: [], gpu_note: 'nvidia-smi not found on PATH' },
    ]);
  });

  test('CSV parsing', () => {
    assert.deepEqual(parseGpuTelemetryCsv('3, [Not Supported], [N/A]\n'), [
      { index: 3, utilization_gpu_percent: null, memory_used_bytes: null },
    ]);
  });
});
