import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type ResourceUsageEntry, resourceUsage } from '../../src/mixins/resource-usage.js';
import { runMixins } from './_run-mixins.js';

const KEYS = ['inblock', 'majflt', 'minflt', 'nivcsw', 'nvcsw', 'oublock', 'stime', 'utime'];

// Spin the CPU for about `ms` milliseconds.
function burn(ms: number): number {
  const end = performance.now() + ms;
  let x = 0;
  while (performance.now() < end) x += Math.sqrt(x + 1);
  return x;
}

describe('resource-usage', () => {
  test("one entry per timed iteration with v2.1's eight library rusage keys (no lifetime maxrss)", () => {
    const record = runMixins([resourceUsage()], { iterations: 3, body: () => burn(1) });
    const entries = record.resource_usage as ResourceUsageEntry[];
    assert.equal(entries.length, 3);
    for (const entry of entries) {
      assert.deepEqual(Object.keys(entry).sort(), KEYS);
      for (const key of KEYS) assert.ok(entry[key as keyof ResourceUsageEntry] >= 0, key);
      assert.equal('maxrss' in entry, false, "the process's lifetime peak is no iteration's");
    }
  });

  test('CPU time and page faults are deltas over the iteration', () => {
    const record = runMixins([resourceUsage()], {
      body: () => {
        burn(60);
        return Buffer.alloc(32 * 1024 * 1024, 1).length;
      },
    });
    const [entry] = record.resource_usage as ResourceUsageEntry[];
    assert.ok(entry);
    assert.ok(entry.utime + entry.stime > 0.01, `cpu ${entry.utime + entry.stime}`);
    assert.ok(entry.utime < 60, 'seconds, not microseconds');
    assert.ok(entry.minflt > 100, `minflt ${entry.minflt}`);
  });

  test("each entry is its iteration's share: the entries sum to no more than getrusage's change around the calls", () => {
    const before = process.resourceUsage();
    const record = runMixins([resourceUsage()], {
      iterations: 3,
      body: () => {
        burn(40);
        return Buffer.alloc(8 * 1024 * 1024, 1).length;
      },
    });
    const after = process.resourceUsage();
    const entries = record.resource_usage as ResourceUsageEntry[];
    const sum = (key: keyof ResourceUsageEntry) => entries.reduce((n, e) => n + e[key], 0);
    // Deltas, not running totals: a total since process start would exceed the change by far.
    const cpu =
      (after.userCPUTime - before.userCPUTime + after.systemCPUTime - before.systemCPUTime) / 1e6;
    assert.ok(
      sum('utime') + sum('stime') <= cpu + 0.001,
      `${sum('utime') + sum('stime')} s of ${cpu} s`,
    );
    assert.ok(sum('utime') + sum('stime') > 0.02, `${sum('utime') + sum('stime')} s for 3 × 40 ms`);
    const faults = after.minorPageFault - before.minorPageFault;
    assert.ok(sum('minflt') <= faults, `${sum('minflt')} of ${faults} minor faults`);
    assert.ok(sum('nvcsw') <= after.voluntaryContextSwitches - before.voluntaryContextSwitches);
    // The first buffer faults its pages in (later ones may reuse the freed memory).
    assert.ok(entries[0]!.minflt > 100, `minflt ${entries[0]!.minflt}`);
  });

  test('an iteration that throws still gets its entry', () => {
    const record = runMixins([resourceUsage()], {
      iterations: 3,
      body: () => {
        throw new Error('boom');
      },
    });
    assert.equal((record.resource_usage as unknown[]).length, 1);
  });

  test('leaves the CLI (which records the child’s own usage) alone', () => {
    assert.equal('resource_usage' in runMixins([resourceUsage()], { invocation: 'cli' }), false);
  });
});
