import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { OptionError } from '../../src/errors.js';
import { nvidiaSmi, parseNvidiaCsv } from '../../src/mixins/nvidia-smi.js';
import { makeTempDir, runMixins, writeScript } from './_run-mixins.js';

const temp = makeTempDir('nvidia');
const CAPTURE = join(import.meta.dirname, '..', 'fixtures', 'mixin-capture.ts');
const CANNED =
  'GPU-11111111-2222-3333-4444-555555555555, NVIDIA H100 80GB HBM3, 81559 MiB\n' +
  'GPU-66666666-7777-8888-9999-000000000000, NVIDIA H100 80GB HBM3, 81559 MiB\n';

// A fake nvidia-smi that logs its arguments and prints the canned CSV.
function fakeNvidiaSmi(dir: string, output = CANNED): { command: string; log: string } {
  mkdirSync(dir, { recursive: true });
  const log = join(dir, 'calls.log');
  const command = writeScript(
    join(dir, 'nvidia-smi'),
    `PATH=/usr/bin:/bin\necho "$@" >> '${log}'\ncat <<'CSV'\n${output}CSV`,
  );
  return { command, log };
}

// Run one mixin in a child process whose PATH is only `pathDir` (so a real nvidia-smi is not found).
function captureInChild(name: string, pathDir: string): Record<string, unknown> {
  const out = execFileSync(process.execPath, ['--import', 'tsx', CAPTURE, name], {
    env: { ...process.env, PATH: pathDir },
    encoding: 'utf8',
  });
  return JSON.parse(out) as Record<string, unknown>;
}

describe('nvidia-smi', () => {
  after(() => temp.remove());

  test('records one entry per GPU with the uuid and each attribute as a string', () => {
    const { command, log } = fakeNvidiaSmi(join(temp.dir, 'basic'));
    const record = runMixins([nvidiaSmi({ command })]);
    assert.deepEqual(record.nvidia, [
      {
        uuid: 'GPU-11111111-2222-3333-4444-555555555555',
        gpu_name: 'NVIDIA H100 80GB HBM3',
        'memory.total': '81559 MiB',
      },
      {
        uuid: 'GPU-66666666-7777-8888-9999-000000000000',
        gpu_name: 'NVIDIA H100 80GB HBM3',
        'memory.total': '81559 MiB',
      },
    ]);
    assert.equal('nvidia_note' in record, false);
    assert.equal(
      readFileSync(log, 'utf8').trim(),
      '--format=csv,noheader --query-gpu=uuid,gpu_name,memory.total',
    );
  });

  test('attributes and gpus options shape the query; it runs once per instance', () => {
    const { command, log } = fakeNvidiaSmi(
      join(temp.dir, 'options'),
      'GPU-1, 535.104.05, 65\nGPU-2, 535.104.05, 40\n',
    );
    const mixin = nvidiaSmi({
      command,
      attributes: ['driver_version', 'temperature.gpu'],
      gpus: [0, 'GPU-2'],
    });
    runMixins([mixin]);
    const record = runMixins([mixin]);
    assert.deepEqual(record.nvidia, [
      { uuid: 'GPU-1', driver_version: '535.104.05', 'temperature.gpu': '65' },
      { uuid: 'GPU-2', driver_version: '535.104.05', 'temperature.gpu': '40' },
    ]);
    assert.deepEqual(readFileSync(log, 'utf8').trim().split('\n'), [
      '--format=csv,noheader --query-gpu=uuid,driver_version,temperature.gpu -i 0,GPU-2',
    ]);
  });

  test('found on PATH with the default command', () => {
    const dir = join(temp.dir, 'on-path');
    fakeNvidiaSmi(dir);
    const record = captureInChild('nvidia-smi', dir);
    assert.equal((record.nvidia as unknown[]).length, 2);
  });

  test('a missing nvidia-smi is a clean skip with a note', () => {
    const empty = join(temp.dir, 'empty-path');
    mkdirSync(empty);
    const record = captureInChild('nvidia-smi', empty);
    assert.deepEqual(record, { nvidia: [], nvidia_note: 'nvidia-smi not found on PATH' });
  });

  test('a failing nvidia-smi (no driver) is noted with its message', () => {
    const command = writeScript(
      join(temp.dir, 'failing-nvidia-smi'),
      'echo "NVIDIA-SMI has failed because it couldn\'t communicate with the NVIDIA driver."\nexit 9',
    );
    const record = runMixins([nvidiaSmi({ command })]);
    assert.deepEqual(record.nvidia, []);
    assert.match(String(record.nvidia_note), /exit 9/);
  });

  test('a hanging nvidia-smi times out and is noted', () => {
    const command = writeScript(join(temp.dir, 'slow-nvidia-smi'), 'exec sleep 5');
    const record = runMixins([nvidiaSmi({ command, timeoutMs: 200 })]);
    assert.deepEqual(record.nvidia, []);
    assert.match(String(record.nvidia_note), /timed out after 200 ms/);
  });

  test('bad options fail at construction like microbench', () => {
    assert.throws(() => nvidiaSmi({ gpus: [] }), {
      name: 'OptionError',
      message: /at least one GPU.*Leave it out/,
    });
    assert.throws(() => nvidiaSmi({ gpus: ['0;rm'] }), /`gpus\[0\]`.*index.*UUID.*PCI/);
    assert.throws(() => nvidiaSmi({ gpus: [-1] }), OptionError);
    assert.throws(() => nvidiaSmi({ attributes: ['gpu_name,uuid'] }), /`attributes\[0\]`/);
    assert.throws(() => nvidiaSmi({ attributes: [] }), OptionError);
    assert.doesNotThrow(() => nvidiaSmi({ gpus: ['00000000:3B:00.0', 1] }));
  });

  test('CSV parsing keeps values as strings and tolerates a comma in a value', () => {
    assert.deepEqual(parseNvidiaCsv('GPU-1, Tesla, rev 2, 16160 MiB\n\n', ['name']), [
      { uuid: 'GPU-1', name: 'Tesla, rev 2, 16160 MiB' },
    ]);
  });
});
