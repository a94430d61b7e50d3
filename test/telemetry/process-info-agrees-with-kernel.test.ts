// Two-sided checks of ProcessInfo on the current process: each counter lies between what Node's
// own view of the same kernel accounting reads just before and just after it (getrusage through
// process.cpuUsage() and process.resourceUsage()), not merely `>= 0`.
import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { after, describe, test } from 'node:test';
import { ProcessInfo } from '../../src/telemetry/process-info.js';

// /proc/self/stat counts CPU time in clock ticks (10 ms); getrusage in microseconds.
const TICK_SLACK_S = 0.05;

function spin(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // keep the CPU busy
  }
}

describe('ProcessInfo agrees with the kernel', {
  skip: process.platform !== 'linux' && 'needs Linux /proc',
}, () => {
  const info = new ProcessInfo();
  after(() => info.close());

  test('cpuTimes: user and system between getrusage just before and just after', () => {
    spin(200);
    const before = process.cpuUsage();
    const times = info.cpuTimes();
    const afterUsage = process.cpuUsage();
    for (const [key, lo, hi] of [
      ['user', before.user, afterUsage.user],
      ['system', before.system, afterUsage.system],
    ] as const) {
      const value = times[key];
      assert.ok(
        value >= lo / 1e6 - TICK_SLACK_S && value <= hi / 1e6 + TICK_SLACK_S,
        `${key} ${value} s, getrusage ${lo / 1e6}–${hi / 1e6} s`,
      );
    }
    assert.ok(times.user >= 0.15, `user ${times.user} s after a 200 ms spin`);
  });

  test('numCtxSwitches between getrusage just before and just after', () => {
    const before = process.resourceUsage();
    const switches = info.numCtxSwitches();
    const afterUsage = process.resourceUsage();
    // /proc counts the main thread's switches (the process's under a oneshot), getrusage the
    // whole process's: the main thread's are at most the process's.
    assert.ok(switches.voluntary >= 1, `voluntary ${switches.voluntary}`);
    assert.ok(
      switches.voluntary <= afterUsage.voluntaryContextSwitches,
      `voluntary ${switches.voluntary} vs ${before.voluntaryContextSwitches}–${afterUsage.voluntaryContextSwitches}`,
    );
    assert.ok(
      switches.involuntary <= afterUsage.involuntaryContextSwitches,
      `involuntary ${switches.involuntary} vs ≤ ${afterUsage.involuntaryContextSwitches}`,
    );
  });

  test('cpuPercent after a spin: more than 0, at most 100 % per core', () => {
    const fresh = new ProcessInfo();
    try {
      fresh.cpuPercent();
      spin(300);
      const percent = fresh.cpuPercent();
      assert.ok(percent > 10, `${percent} % while spinning`);
      assert.ok(percent <= 100 * availableParallelism() + 5, `${percent} %`);
    } finally {
      fresh.close();
    }
  });
});
