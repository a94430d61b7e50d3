import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { after, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { OptionError } from '../../src/errors.js';
import { LinuxProcess, parseSmaps } from '../../src/telemetry/_proc.js';
import { NoSuchProcessError, ProcessInfo } from '../../src/telemetry/process-info.js';
import {
  listDescendants,
  listDescendantsByScan,
  ProcessTreeSampler,
} from '../../src/telemetry/process-tree.js';

const linux = process.platform === 'linux';
const burner = new URL('../fixtures/cpu-burner.mjs', import.meta.url).pathname;
const children: ChildProcess[] = [];

// Spawns `sh -c script`, remembered for cleanup.
function startShell(script: string): ChildProcess {
  const child = spawn('sh', ['-c', script], { stdio: 'ignore' });
  children.push(child);
  return child;
}

// Polls `read` every `everyMs` until `done` holds or `withinMs` passes; returns the last value.
async function pollUntil<T>(
  read: () => T,
  done: (value: T) => boolean,
  { everyMs = 50, withinMs = 5000 } = {},
): Promise<T> {
  const deadline = performance.now() + withinMs;
  let value = read();
  while (!done(value) && performance.now() < deadline) {
    await sleep(everyMs);
    value = read();
  }
  return value;
}

// The descendants of a shell once there are at least `count` of them.
async function waitForDescendants(pid: number, count: number): Promise<number[]> {
  const found = await pollUntil(
    () => listDescendants(pid),
    (pids) => pids.length >= count,
  );
  assert.ok(found.length >= count, `found ${found.length} descendants, wanted ${count}`);
  return found;
}

after(() => {
  for (const child of children) {
    if (child.exitCode !== null || child.pid === undefined) continue;
    // The shells' children first, then the shells.
    try {
      for (const pid of listDescendants(child.pid)) process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
    child.kill('SIGKILL');
  }
});

describe('process tree sampling', { skip: !linux && 'needs Linux /proc' }, () => {
  test('listDescendants finds a grandchild; the /proc scan fallback agrees', async () => {
    // sh -> sh (subshell) -> sleep, and sh -> sleep
    const root = startShell('(sleep 5; true) & sleep 5; wait');
    const found = await waitForDescendants(root.pid!, 3);
    const viaScan = listDescendantsByScan(root.pid!);
    assert.deepEqual([...viaScan].sort(), [...found].sort());
    const grandchildren = found.filter((pid) => new ProcessInfo(pid).ppid() !== root.pid);
    assert.equal(grandchildren.length, 1, 'one process is a grandchild');
  });

  test('listDescendants of a process without children is empty; of a dead pid it throws', async () => {
    const root = startShell('exec sleep 5');
    assert.deepEqual(listDescendants(root.pid!), []);
    root.kill('SIGKILL');
    await once(root, 'exit');
    assert.throws(() => listDescendants(root.pid!), NoSuchProcessError);
    assert.throws(() => listDescendantsByScan(root.pid!), NoSuchProcessError);
    assert.throws(() => listDescendants(-3), OptionError);
  });

  test("a tree's rss sum exceeds the root's alone, and children: false samples only the root", async () => {
    const root = startShell('sleep 5 & sleep 5');
    await waitForDescendants(root.pid!, 2);
    const tree = new ProcessTreeSampler(root.pid!, { children: true });
    const alone = new ProcessTreeSampler(root.pid!, { children: false });
    try {
      const treeSample = tree.sample();
      const rootSample = alone.sample();
      assert.equal(treeSample.num_processes, 3);
      assert.equal(rootSample.num_processes, 1);
      assert.ok(
        treeSample.rss_bytes > rootSample.rss_bytes,
        JSON.stringify([treeSample, rootSample]),
      );
      assert.equal(treeSample.cpu_percent, 0, "psutil's rule: the first sample is 0.0");
      assert.ok(typeof treeSample.pss_bytes === 'number' && treeSample.pss_bytes > 0);
      assert.ok(treeSample.pss_bytes <= treeSample.rss_bytes, 'pss does not double-count');
      assert.equal('pss_bytes' in rootSample, false, 'pss is off by default without children');
      assert.deepEqual(Object.keys(treeSample), [
        'cpu_percent',
        'rss_bytes',
        'pss_bytes',
        'num_processes',
      ]);
    } finally {
      tree.close();
      alone.close();
    }
  });

  test("a busy grandchild's CPU shows in the tree's cpu_percent, not in the root's", async () => {
    const root = startShell(`"${process.execPath}" "${burner}" 8 & wait`);
    await waitForDescendants(root.pid!, 1);
    const tree = new ProcessTreeSampler(root.pid!, { children: true, pss: false });
    const alone = new ProcessTreeSampler(root.pid!);
    try {
      assert.equal(tree.sample().cpu_percent, 0);
      alone.sample();
      await sleep(300);
      // A burning process gets a full core on an idle machine; a loaded CI machine may give it
      // far less, so the bar is a quarter core, and the shell's own share stays near zero.
      const busy = await pollUntil(
        () => tree.sample(),
        (sample) => sample.cpu_percent > 25,
        { everyMs: 250, withinMs: 6000 },
      );
      assert.ok(busy.cpu_percent > 25, `tree cpu_percent ${busy.cpu_percent}`);
      assert.equal('pss_bytes' in busy, false);
      const shell = alone.sample().cpu_percent;
      assert.ok(shell < 10, `the shell itself only waits (cpu_percent ${shell})`);
    } finally {
      tree.close();
      alone.close();
    }
  });

  test('a child that replaces an exited one is picked up; the exited one is skipped', async () => {
    const root = startShell('sleep 0.4; sleep 5; true');
    const [firstChild] = await waitForDescendants(root.pid!, 1);
    const tree = new ProcessTreeSampler(root.pid!, { children: true, pss: false });
    try {
      assert.equal(tree.sample().num_processes, 2);
      const [secondChild] = await pollUntil(
        () => listDescendants(root.pid!),
        (pids) => pids.length === 1 && pids[0] !== firstChild,
        { everyMs: 50, withinMs: 3000 },
      );
      assert.notEqual(secondChild, firstChild);
      const later = tree.sample();
      assert.equal(later.num_processes, 2);
      assert.ok(later.cpu_percent >= 0 && later.rss_bytes > 0);
    } finally {
      tree.close();
    }
  });

  test('a process that execs a bigger program after the first sample: pss follows it', async () => {
    // sh samples small, then waits for a line and execs python, which holds 64 MiB. A kept
    // smaps_rollup descriptor would go on reading the shell's old, dead memory map.
    const hold =
      'import time; b = b"x" * (64 * 1024 * 1024); print("ready", flush=True); time.sleep(30)';
    const child = spawn('sh', ['-c', `read line; exec python3 -c '${hold}'`], {
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    children.push(child);
    const sampler = new ProcessTreeSampler(child.pid!, { children: false, pss: true });
    try {
      const before = sampler.sample();
      assert.ok(before.pss_bytes! < 16 * 1024 * 1024, `the shell: ${before.pss_bytes}`);
      const ready = new Promise<void>((resolve) =>
        child.stdout!.on('data', (chunk: Buffer) => {
          if (chunk.toString().includes('ready')) resolve();
        }),
      );
      child.stdin!.end('go\n');
      await ready;
      const after = sampler.sample();
      assert.ok(after.rss_bytes >= 64 * 1024 * 1024, `rss ${after.rss_bytes}`);
      assert.ok(after.pss_bytes! >= 60 * 1024 * 1024, `pss after the exec: ${after.pss_bytes}`);
    } finally {
      sampler.close();
      child.kill('SIGKILL');
    }
  });

  // sh -> python holding 64 MiB -> (on a line from stdin) a forked python sharing those pages.
  // After the fork each python's PSS is about half its RSS; the parent's RSS does not move, so
  // only a fresh smaps_rollup read of the parent (a grandchild of the root) can see the halving.
  async function startForkingHolder(): Promise<{ child: ChildProcess; fork: () => Promise<void> }> {
    const script = [
      'import os, sys, time',
      'b = b"x" * (64 * 1024 * 1024)',
      'print("ready", flush=True)',
      'sys.stdin.readline()',
      'if os.fork() == 0: time.sleep(30); os._exit(0)',
      'print("forked", flush=True)',
      'time.sleep(30)',
    ].join('\n');
    const child = spawn('sh', ['-c', `python3 -c '${script}'; true`], {
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    children.push(child);
    let output = '';
    const seen = (word: string) =>
      new Promise<void>((resolve) => {
        const check = () => output.includes(word) && resolve();
        child.stdout!.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          check();
        });
        check();
      });
    await seen('ready');
    return {
      child,
      fork: async () => {
        child.stdin!.write('go\n');
        await seen('forked');
      },
    };
  }

  const MiB = 1024 * 1024;

  test("pssBudget 0: after the first read a process's pss moves only with its rss", async () => {
    const { child, fork } = await startForkingHolder();
    const sampler = new ProcessTreeSampler(child.pid!, { children: true, pssBudget: 0 });
    try {
      assert.ok(sampler.sample().pss_bytes! >= 60 * MiB);
      await fork();
      const after = await pollUntil(
        () => sampler.sample(),
        (sample) => sample.num_processes === 3,
      );
      assert.equal(after.num_processes, 3);
      // The parent's stale 64 MiB plus the new child's fresh half: shared pages counted 1.5 times.
      assert.ok(after.pss_bytes! >= 88 * MiB, `stale estimate: ${after.pss_bytes! / MiB} MiB`);
    } finally {
      sampler.close();
    }
  });

  test('pssBudget 1 reads every process every sample: the shared pages count once', async () => {
    const { child, fork } = await startForkingHolder();
    const sampler = new ProcessTreeSampler(child.pid!, { children: true, pssBudget: 1 });
    try {
      sampler.sample();
      await fork();
      const after = await pollUntil(
        () => sampler.sample(),
        (sample) => sample.num_processes === 3,
      );
      // Fresh: the 64 MiB once plus the shell and two interpreters (~13 MiB here); the stale
      // estimate counts the parent's pre-fork 64 MiB again with the child's half, ≥ 96 MiB.
      assert.ok(after.pss_bytes! <= 84 * MiB, `fresh: ${after.pss_bytes! / MiB} MiB`);
      assert.ok(after.pss_bytes! >= 56 * MiB, `fresh: ${after.pss_bytes! / MiB} MiB`);
    } finally {
      sampler.close();
    }
  });

  test('the default pss budget refreshes every process in turn, a grandchild included', async () => {
    const { child, fork } = await startForkingHolder();
    const sampler = new ProcessTreeSampler(child.pid!, { children: true });
    try {
      sampler.sample();
      await fork();
      // Sampling every 50 ms, the 0.1 % budget allows a fresh read of a small process every
      // few samples, so within 20 s each of the three has been read again (a loaded machine
      // makes reads slower and so rarer: the bound is generous).
      const settled = await pollUntil(
        () => sampler.sample(),
        (sample) => sample.num_processes === 3 && sample.pss_bytes! <= 84 * MiB,
        { everyMs: 50, withinMs: 20_000 },
      );
      assert.ok(settled.pss_bytes! <= 84 * MiB, `refreshed: ${settled.pss_bytes! / MiB} MiB`);
    } finally {
      sampler.close();
    }
  });

  test('RSS counted from the page tables (the fallback for a counter that reads 0) agrees with the counter', () => {
    // The kernel's RSS counters are per-CPU, and stat shows only what was folded into the total:
    // a process just exec'd can read 0 there. The sampler then counts smaps_rollup's Rss lines.
    assert.deepEqual(
      parseSmaps(
        '55d0c0000000-7ffd00000000 ---p 00000000 00:00 0 [rollup]\nRss: 1200 kB\nPss: 800 kB\nPrivate_Clean: 100 kB\nPrivate_Dirty: 500 kB\nSwap: 4 kB\n',
      ),
      { uss: 600 * 1024, pss: 800 * 1024, swap: 4 * 1024, rss: 1200 * 1024 },
    );
    const proc = new LinuxProcess(process.pid);
    try {
      const counted = proc.memoryRssCounted();
      const counter = process.memoryUsage().rss;
      assert.ok(
        Math.abs(counted - counter) <= counter * 0.25,
        `counted ${counted} B, counter ${counter} B`,
      );
    } finally {
      proc.close();
    }
  });

  test('a zombie root (exited, not yet reaped) samples as one process holding no memory', async () => {
    // `sleep 0.1` exits and stays a zombie: its parent (exec'd into `sleep 5`) never reaps it.
    const parent = spawn('sh', ['-c', 'sleep 0.1 & echo $!; exec sleep 5'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    children.push(parent);
    const [line] = await once(parent.stdout!, 'data');
    const pid = Number(String(line).trim());
    const sampler = new ProcessTreeSampler(pid, { children: true });
    try {
      assert.equal(sampler.rootExited, false);
      await pollUntil(
        () => new ProcessInfo(pid).status(),
        (status) => status === 'zombie',
      );
      const sample = sampler.sample();
      assert.equal(sampler.rootExited, true);
      assert.deepEqual(sample, {
        cpu_percent: sample.cpu_percent,
        rss_bytes: 0,
        pss_bytes: 0,
        num_processes: 1,
      });
    } finally {
      sampler.close();
    }
  });

  test('sampling a root that exited throws the gone error', async () => {
    const root = startShell('exec sleep 5');
    const sampler = new ProcessTreeSampler(root.pid!, { children: true });
    sampler.sample();
    root.kill('SIGKILL');
    await once(root, 'exit');
    assert.throws(() => sampler.sample(), NoSuchProcessError);
    sampler.close();
    assert.throws(() => new ProcessTreeSampler(root.pid!), NoSuchProcessError);
  });
});
