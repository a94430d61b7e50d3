import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { hostname, totalmem } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { countPhysicalCores, hostInfo } from '../../src/mixins/host-info.js';
import { makeTempDir, runMixins } from './_run-mixins.js';

const temp = makeTempDir('host');

// A fake root whose proc/cpuinfo holds `text`.
function cpuinfoRoot(name: string, text: string): string {
  const root = join(temp.dir, name);
  mkdirSync(join(root, 'proc'), { recursive: true });
  writeFileSync(join(root, 'proc', 'cpuinfo'), text);
  return root;
}

// /proc/cpuinfo blocks for `cpus` = [physical id, core id] pairs (hyper-threads repeat a pair).
function cpuinfo(cpus: [number, number][]): string {
  return cpus
    .map(
      ([physical, core], i) =>
        `processor\t: ${i}\nmodel name\t: Test CPU\nphysical id\t: ${physical}\ncore id\t\t: ${core}\n`,
    )
    .join('\n');
}

describe('host-info', () => {
  after(() => temp.remove());

  test('records hostname, operating system, CPU and RAM with microbench v1 names', () => {
    const record = runMixins([hostInfo()]);
    assert.equal(record.hostname, hostname());
    assert.equal(record.operating_system, process.platform);
    assert.equal(record.ram_total, totalmem());
    assert.ok((record.ram_total as number) > 0);
    assert.ok(typeof record.cpu_model === 'string' || record.cpu_model === null);
    assert.ok((record.cpu_cores_logical as number) >= 1);
    const physical = record.cpu_cores_physical as number | null;
    assert.ok(
      physical === null || (physical >= 1 && physical <= (record.cpu_cores_logical as number)),
    );
  });

  test('physical cores count unique (physical id, core id) pairs across sockets', () => {
    // Two sockets, two cores each, two hyper-threads per core: 8 logical, 4 physical.
    const text = cpuinfo([
      [0, 0],
      [0, 0],
      [0, 1],
      [0, 1],
      [1, 0],
      [1, 0],
      [1, 1],
      [1, 1],
    ]);
    const record = runMixins([hostInfo({ root: cpuinfoRoot('two-sockets', text) })]);
    assert.equal(record.cpu_cores_physical, 4);
  });

  test('physical cores are null when cpuinfo lacks topology lines or is missing', () => {
    const root = cpuinfoRoot(
      'no-topology',
      'processor\t: 0\nmodel name\t: ARM\n\nprocessor\t: 1\n',
    );
    assert.equal(runMixins([hostInfo({ root })]).cpu_cores_physical, null);
    assert.equal(
      runMixins([hostInfo({ root: join(temp.dir, 'nothing') })]).cpu_cores_physical,
      null,
    );
    assert.equal(countPhysicalCores(''), null);
  });

  test('unknown options are rejected', () => {
    assert.throws(
      () => hostInfo({ roots: '/' } as never),
      /Unknown option `roots` for hostInfo\(\)/,
    );
  });
});
