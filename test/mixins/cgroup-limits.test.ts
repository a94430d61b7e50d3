import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, describe, test } from 'node:test';
import { cgroupLimits, parseCpuMax, readCgroupLimits } from '../../src/mixins/cgroup-limits.js';
import { makeTempDir, runMixins } from './_run-mixins.js';

const temp = makeTempDir('cgroup');
let roots = 0;

// A fake file-system root holding `files` ({relative path: content}).
function fakeRoot(files: Record<string, string>): string {
  const root = join(temp.dir, `root-${roots++}`);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  mkdirSync(root, { recursive: true });
  return root;
}

describe('cgroup-limits', () => {
  after(() => temp.remove());

  test('cgroup v2: cpu.max quota/period in cores and memory.max in bytes', () => {
    const root = fakeRoot({
      'proc/self/cgroup': '0::/job\n',
      'sys/fs/cgroup/cgroup.controllers': 'cpu memory\n',
      'sys/fs/cgroup/job/cpu.max': '400000 100000\n',
      'sys/fs/cgroup/job/memory.max': '17179869184\n',
    });
    const record = runMixins([cgroupLimits({ root })]);
    assert.deepEqual(record.cgroups, {
      cpu_cores_limit: 4,
      memory_bytes_limit: 17179869184,
      version: 2,
    });
  });

  test('cgroup v2: `max` means no limit (null)', () => {
    const root = fakeRoot({
      'proc/self/cgroup': '0::/\n',
      'sys/fs/cgroup/cgroup.controllers': 'cpu memory\n',
      'sys/fs/cgroup/cpu.max': 'max 100000\n',
      'sys/fs/cgroup/memory.max': 'max\n',
    });
    assert.deepEqual(readCgroupLimits(root), {
      cpu_cores_limit: null,
      memory_bytes_limit: null,
      version: 2,
    });
  });

  test('cgroup v2: a limit set on a parent (SLURM job) applies to a task cgroup', () => {
    const root = fakeRoot({
      'proc/self/cgroup': '0::/slurm/job_42/step_0/task_0\n',
      'sys/fs/cgroup/cgroup.controllers': 'cpu memory\n',
      'sys/fs/cgroup/slurm/job_42/cpu.max': '250000 100000\n',
      'sys/fs/cgroup/slurm/job_42/memory.max': '8589934592\n',
      'sys/fs/cgroup/slurm/job_42/step_0/memory.max': 'max\n',
      'sys/fs/cgroup/slurm/job_42/step_0/task_0/cpu.max': 'max 100000\n',
      'sys/fs/cgroup/slurm/job_42/step_0/task_0/memory.max': '17179869184\n',
    });
    assert.deepEqual(readCgroupLimits(root), {
      cpu_cores_limit: 2.5,
      memory_bytes_limit: 8589934592,
      version: 2,
    });
  });

  test('cgroup v2: missing limit files give null fields', () => {
    const root = fakeRoot({
      'proc/self/cgroup': '0::/x\n',
      'sys/fs/cgroup/cgroup.controllers': '',
      'sys/fs/cgroup/x/cgroup.procs': '',
    });
    assert.deepEqual(readCgroupLimits(root), {
      cpu_cores_limit: null,
      memory_bytes_limit: null,
      version: 2,
    });
  });

  test('cgroup v2 without a `0::` line gives {}', () => {
    const root = fakeRoot({
      'proc/self/cgroup': '1:name=systemd:/\n',
      'sys/fs/cgroup/cgroup.controllers': '',
    });
    assert.deepEqual(readCgroupLimits(root), {});
  });

  test('cgroup v1: cfs quota/period and memory.limit_in_bytes', () => {
    const root = fakeRoot({
      'proc/self/cgroup': '5:memory:/job\n4:cpu,cpuacct:/job\n0::/\n',
      'sys/fs/cgroup/cpu/job/cpu.cfs_quota_us': '200000\n',
      'sys/fs/cgroup/cpu/job/cpu.cfs_period_us': '100000\n',
      'sys/fs/cgroup/memory/job/memory.limit_in_bytes': '4294967296\n',
    });
    assert.deepEqual(readCgroupLimits(root), {
      cpu_cores_limit: 2,
      memory_bytes_limit: 4294967296,
      version: 1,
    });
  });

  test('cgroup v1: quota -1 and a huge memory limit mean no limit', () => {
    const root = fakeRoot({
      'proc/self/cgroup': '5:memory:/\n4:cpu,cpuacct:/\n',
      'sys/fs/cgroup/cpu/cpu.cfs_quota_us': '-1\n',
      'sys/fs/cgroup/cpu/cpu.cfs_period_us': '100000\n',
      'sys/fs/cgroup/memory/memory.limit_in_bytes': '9223372036854771712\n',
    });
    assert.deepEqual(readCgroupLimits(root), {
      cpu_cores_limit: null,
      memory_bytes_limit: null,
      version: 1,
    });
  });

  test('a cgroup path missing under the mount (no cgroup namespace) reads the mount itself', () => {
    const root = fakeRoot({
      'proc/self/cgroup': '0::/docker/abc123\n',
      'sys/fs/cgroup/cgroup.controllers': '',
      'sys/fs/cgroup/cpu.max': '150000 100000\n',
    });
    assert.equal((readCgroupLimits(root) as { cpu_cores_limit: number }).cpu_cores_limit, 1.5);
  });

  test('an unreadable /proc/self/cgroup gives {}', () => {
    const root = fakeRoot({});
    assert.deepEqual(runMixins([cgroupLimits({ root })]).cgroups, {});
  });

  test('the real system: the version the mounts say, and limits no looser than our own cgroup sets', (t) => {
    const cgroups = runMixins([cgroupLimits()]).cgroups as Record<string, unknown>;
    if (process.platform !== 'linux') {
      assert.deepEqual(cgroups, {});
      return;
    }
    if (!existsSync('/proc/self/cgroup')) {
      t.skip('no /proc/self/cgroup here');
      return;
    }
    const v2 = existsSync('/sys/fs/cgroup/cgroup.controllers');
    assert.equal(cgroups.version, v2 ? 2 : 1);
    assert.deepEqual(Object.keys(cgroups).sort(), [
      'cpu_cores_limit',
      'memory_bytes_limit',
      'version',
    ]);
    // Read our own (leaf) cgroup's files directly: the mixin reports the tightest limit of the
    // leaf and its ancestors, so it is never looser than the leaf's, and null only if the leaf has none.
    const membership = readFileSync('/proc/self/cgroup', 'utf8').split('\n');
    const pathOf = (match: (controllers: string, id: string) => boolean) => {
      for (const line of membership) {
        const [id, controllers, path] = line.split(':');
        if (path !== undefined && match(controllers!, id!)) return path;
      }
      return undefined;
    };
    const read = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8').trim() : null);
    let leafMemory: number | null = null;
    let leafCpu: number | null = null;
    if (v2) {
      const dir = join('/sys/fs/cgroup', pathOf((c, id) => id === '0' && c === '') ?? '/');
      const mem = read(join(dir, 'memory.max'));
      leafMemory = mem === null || mem === 'max' ? null : Number(mem);
      leafCpu = parseCpuMax(read(join(dir, 'cpu.max')));
    } else {
      const memDir = join(
        '/sys/fs/cgroup/memory',
        pathOf((c) => c.split(',').includes('memory')) ?? '/',
      );
      const mem = Number(read(join(memDir, 'memory.limit_in_bytes')) ?? Number.NaN);
      leafMemory = Number.isFinite(mem) && mem < 2 ** 60 ? mem : null;
      const cpuDir = join('/sys/fs/cgroup/cpu', pathOf((c) => c.split(',').includes('cpu')) ?? '/');
      const quota = Number(read(join(cpuDir, 'cpu.cfs_quota_us')) ?? -1);
      const period = Number(read(join(cpuDir, 'cpu.cfs_period_us')) ?? 0);
      leafCpu = quota > 0 && period > 0 ? quota / period : null;
    }
    for (const [field, leaf] of [
      ['memory_bytes_limit', leafMemory],
      ['cpu_cores_limit', leafCpu],
    ] as const) {
      const value = cgroups[field];
      if (leaf !== null)
        assert.ok(typeof value === 'number' && value <= leaf, `${field} ${value} vs leaf ${leaf}`);
      if (value !== null) assert.ok(typeof value === 'number' && value > 0, `${field} ${value}`);
    }
  });

  test('cpu.max parsing', () => {
    assert.equal(parseCpuMax('50000 100000'), 0.5);
    assert.equal(parseCpuMax('max'), null);
    assert.equal(parseCpuMax('garbage'), null);
    assert.equal(parseCpuMax(null), null);
  });

  test('options are validated', () => {
    assert.throws(
      () => cgroupLimits({ root: 3 } as never),
      /Expected `root` to be a non-empty string/,
    );
  });
});
