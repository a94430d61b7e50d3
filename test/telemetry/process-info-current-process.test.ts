import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, readdirSync, readlinkSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import { OptionError, TelemetryError } from '../../src/errors.js';
import { getProcConstants } from '../../src/telemetry/_proc.js';
import { ProcessInfo } from '../../src/telemetry/process-info.js';

const linux = process.platform === 'linux';

// The fds of this process that point into /proc/<pid>/ (ProcessInfo's kept descriptors).
function procFdsOf(pid: number): number[] {
  const fds: number[] = [];
  for (const entry of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${entry}`).startsWith(`/proc/${pid}/`))
        fds.push(Number(entry));
    } catch {
      // The fd closed while we looked (readdir's own).
    }
  }
  return fds;
}

describe('ProcessInfo on the current process', { skip: !linux && 'needs Linux /proc' }, () => {
  const info = new ProcessInfo();
  after(() => info.close());

  test('defaults to process.pid and reports sane values', () => {
    assert.equal(info.pid, process.pid);
    const memory = info.memoryInfo();
    assert.ok(memory.rss > 0, `rss ${memory.rss}`);
    assert.ok(memory.vms >= memory.rss, `vms ${memory.vms} < rss ${memory.rss}`);
    const full = info.memoryFullInfo();
    assert.ok(full.uss > 0 && full.uss <= full.rss, `uss ${full.uss}, rss ${full.rss}`);
    assert.ok(full.pss >= full.uss && full.pss <= full.rss, `pss ${full.pss}`);
    assert.ok(full.swap >= 0);
    assert.ok(info.numThreads() >= 1);
    assert.ok(info.numFds() >= 3);
    assert.ok(info.memoryPeak() >= memory.rss / 2, 'VmHWM is at least a fair part of rss');
    assert.equal(info.ppid(), process.ppid);
    assert.equal(info.name(), 'node');
    assert.equal(info.status(), 'running');
    assert.equal(info.isRunning(), true);
    assert.ok(info.startTime() > 0);
    const times = info.cpuTimes();
    assert.ok(times.user > 0 && times.system >= 0);
    assert.ok(times.children_user >= 0 && times.children_system >= 0);
    const io = info.ioCounters();
    assert.ok(io.read_chars > 0, 'node read its own modules');
    assert.deepEqual(Object.keys(io), [
      'read_count',
      'write_count',
      'read_bytes',
      'write_bytes',
      'read_chars',
      'write_chars',
    ]);
    const switches = info.numCtxSwitches();
    assert.ok(switches.voluntary + switches.involuntary > 0);
  });

  test('cpuPercent is 0.0 on the first call, then a rounded non-negative number', () => {
    const fresh = new ProcessInfo();
    try {
      assert.equal(fresh.cpuPercent(), 0);
      const end = performance.now() + 50;
      while (performance.now() < end) {
        // spin so some CPU time passes
      }
      const percent = fresh.cpuPercent();
      assert.ok(percent >= 0, `${percent}`);
      assert.equal(percent, Math.round(percent * 10) / 10);
      // psutil's blocking form measures over the interval itself.
      assert.ok(fresh.cpu_percent({ interval: 0.05 }) >= 0);
    } finally {
      fresh.close();
    }
  });

  test('cpuPercent rejects a negative interval with a clear error', () => {
    assert.throws(() => info.cpuPercent(-1), /Expected `interval` of cpuPercent\(\).*got `-1`/);
  });

  test('snake_case aliases give the same values as the camelCase methods', () => {
    assert.deepEqual(Object.keys(info.memory_info()), ['rss', 'vms']);
    assert.deepEqual(Object.keys(info.memory_full_info()), ['rss', 'vms', 'uss', 'pss', 'swap']);
    assert.deepEqual(Object.keys(info.cpu_times()), [
      'user',
      'system',
      'children_user',
      'children_system',
    ]);
    assert.equal(info.num_threads(), info.numThreads());
    assert.equal(typeof info.num_fds(), 'number');
    assert.equal(typeof info.io_counters().read_count, 'number');
    assert.equal(typeof info.num_ctx_switches().voluntary, 'number');
    assert.equal(typeof info.cpu_percent(), 'number');
    assert.equal(info.is_running(), true);
  });

  test('asDict without attrs returns every cheap attribute as plain objects', () => {
    const all = info.asDict();
    assert.deepEqual(Object.keys(all), [
      'pid',
      'name',
      'ppid',
      'status',
      'cpu_percent',
      'cpu_times',
      'memory_info',
      'memory_peak',
      'num_threads',
      'num_fds',
      'io_counters',
      'num_ctx_switches',
    ]);
    assert.equal(all.pid, process.pid);
    assert.equal(Object.getPrototypeOf(all.memory_info), Object.prototype);
    assert.deepEqual(JSON.parse(JSON.stringify(all)).cpu_times, all.cpu_times);
  });

  test('as_dict takes a list or the keyword form, like the seed example', () => {
    const attrs = ['cpu_percent', 'memory_info', 'num_threads'];
    assert.deepEqual(Object.keys(info.as_dict(attrs)), attrs);
    assert.deepEqual(Object.keys(info.as_dict({ attrs })), attrs);
    assert.deepEqual(Object.keys(info.asDict(['memory_full_info'])), ['memory_full_info']);
    assert.deepEqual(Object.keys(info.as_dict({ attrs: new Set(['pid']) })), ['pid']);
  });

  test('asDict names the valid attributes when given an unknown one', () => {
    assert.throws(
      () => info.asDict(['cpu_percent', 'rss']),
      (error: unknown) =>
        error instanceof OptionError &&
        /got `rss`/.test(error.message) &&
        /'memory_info'/.test(error.message) &&
        /'num_ctx_switches'/.test(error.message),
    );
    assert.throws(
      () => info.as_dict({ attrs: 'cpu_percent' as unknown as string[] }),
      /wrap a single name in an array/,
    );
  });

  test('a bad pid is an OptionError that says what was expected', () => {
    for (const pid of [0, -1, 1.5, Number.NaN]) {
      assert.throws(
        () => new ProcessInfo(pid),
        (error: unknown) => {
          return (
            error instanceof OptionError &&
            /Expected `pid` to be a positive integer/.test(error.message)
          );
        },
      );
    }
  });

  test('ProcessInfo.unavailable is empty on Linux', () => {
    assert.deepEqual(ProcessInfo.unavailable, []);
    assert.ok(Object.isFrozen(ProcessInfo.unavailable));
  });

  test('page size and clock ticks from auxv match getconf', () => {
    const constants = getProcConstants();
    assert.equal(
      constants.pageSizeBytes,
      Number(execFileSync('getconf', ['PAGESIZE'], { encoding: 'utf8' })),
    );
    assert.equal(
      constants.clockTicksPerSecond,
      Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' })),
    );
  });

  test('memoryInfo agrees with process.memoryUsage().rss', () => {
    const ours = info.memoryInfo().rss;
    const node = process.memoryUsage.rss();
    assert.ok(Math.abs(ours - node) < 16 * 1024 * 1024, `ours ${ours}, node ${node}`);
  });

  test('kept descriptors are reused, reopened after EBADF and released by close()', () => {
    info.close(); // so only `own` holds /proc descriptors here
    const own = new ProcessInfo();
    own.memoryInfo();
    own.numThreads();
    const kept = procFdsOf(process.pid);
    assert.ok(kept.length >= 2, `kept ${kept.length}`);
    own.memoryInfo();
    assert.deepEqual(procFdsOf(process.pid), kept, 'no new descriptors per read');
    // Close them behind its back: the next reads reopen them.
    for (const fd of kept) closeSync(fd);
    assert.ok(own.memoryInfo().rss > 0);
    assert.ok(own.numThreads() >= 1);
    own.close();
    assert.deepEqual(procFdsOf(process.pid), []);
    // Still usable after close().
    assert.ok(own.memoryInfo().rss > 0);
    own.close();
  });

  test('errors are TelemetryErrors with a stable code', () => {
    assert.throws(
      () => new ProcessInfo(2 ** 31),
      (error: unknown) => {
        return error instanceof TelemetryError && error.code === 'ERR_MB_TELEMETRY';
      },
    );
  });
});
