import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { NoSuchProcessError, ProcessInfo } from '../../src/telemetry/process-info.js';
import { listDescendants } from '../../src/telemetry/process-tree.js';

const linux = process.platform === 'linux';
const fixture = (name: string): string => new URL(`../fixtures/${name}`, import.meta.url).pathname;
const children: ChildProcess[] = [];
const tempDirs: string[] = [];

// Spawns a command, remembers it for cleanup and waits for its 'ready' line when asked.
async function start(command: string, args: string[], waitForReady = true): Promise<ChildProcess> {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  let seen = '';
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk) => {
      seen += String(chunk);
      if (seen.includes('ready')) resolve();
    });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`${command} exited (${code}) before 'ready'`)));
  });
  if (waitForReady) await ready;
  else ready.catch(() => {});
  return child;
}

// Polls `read` every `everyMs` until `done` holds or `withinMs` passes; returns the last value.
async function pollUntil<T>(
  read: () => T,
  done: (value: T) => boolean,
  { everyMs = 250, withinMs = 6000 } = {},
): Promise<T> {
  const deadline = performance.now() + withinMs;
  let value = read();
  while (!done(value) && performance.now() < deadline) {
    await sleep(everyMs);
    value = read();
  }
  return value;
}

after(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

describe('ProcessInfo on child processes', { skip: !linux && 'needs Linux /proc' }, () => {
  test('cpuPercent is 0.0 first, then well above 0 while a cpu-burner child spins', async () => {
    const child = await start(process.execPath, [fixture('cpu-burner.mjs'), '8']);
    const info = new ProcessInfo(child.pid);
    try {
      assert.equal(info.cpuPercent(), 0);
      const percent = await pollUntil(
        () => info.cpuPercent(),
        (value) => value > 20,
      );
      assert.ok(percent > 20, `cpu_percent stayed at ${percent}`);
      // A fifth of a core over the first poll is 50 ms of CPU: on a loaded machine the child
      // may need a little longer to reach 0.1 s.
      const user = await pollUntil(
        () => info.cpuTimes().user,
        (value) => value > 0.1,
      );
      assert.ok(user > 0.1, `user CPU time stayed at ${user} s`);
    } finally {
      info.close();
      child.kill('SIGKILL');
    }
  });

  test("oneshot reads each file once: inside it a burning child's CPU time stands still, outside it moves", async () => {
    const child = await start(process.execPath, [fixture('cpu-burner.mjs'), '8']);
    const info = new ProcessInfo(child.pid);
    const busyWait = (ms: number) => {
      const end = performance.now() + ms;
      while (performance.now() < end);
    };
    const cpu = () => {
      const t = info.cpuTimes();
      return t.user + t.system;
    };
    try {
      const inside = info.oneshot(() => {
        const first = cpu();
        busyWait(60);
        return { first, second: cpu(), threads: info.numThreads() };
      });
      assert.equal(inside.second, inside.first, 'one read of stat inside oneshot');
      assert.ok(inside.threads >= 1);
      // Outside, each call reads afresh: the child's CPU time grows (10 ms ticks; give it time).
      const before = cpu();
      const after = await pollUntil(cpu, (value) => value > before);
      assert.ok(after > before, `cpu time stayed at ${before}`);
    } finally {
      info.close();
    }
  });

  test("a memory-grower child's rss rises across reads", async () => {
    const child = await start(process.execPath, [fixture('memory-grower.mjs'), '16', '50', '20']);
    const info = new ProcessInfo(child.pid);
    try {
      const before = info.memoryInfo().rss;
      const grown = 64 * 1024 * 1024;
      const rss = await pollUntil(
        () => info.memory_info().rss,
        (value) => value > before + grown,
        { everyMs: 100 },
      );
      assert.ok(rss > before + grown, `rss went from ${before} to ${rss}`);
      const full = info.memoryFullInfo();
      assert.ok(full.uss > grown, `uss ${full.uss}`);
      assert.ok(info.memoryPeak() >= full.rss - 4096 * 16);
    } finally {
      info.close();
      child.kill('SIGKILL');
    }
  });

  test("a process that exited is 'gone': at construction and for a kept object", async () => {
    const child = await start(process.execPath, [
      '-e',
      'process.stdout.write("ready\\n"); setInterval(() => {}, 1000)',
    ]);
    const pid = child.pid!;
    const info = new ProcessInfo(pid);
    assert.equal(info.isRunning(), true);
    info.memoryInfo();
    info.numThreads();
    child.kill('SIGKILL');
    await once(child, 'exit');
    assert.equal(info.isRunning(), false);
    const gone = (error: unknown): boolean =>
      error instanceof NoSuchProcessError &&
      error.reason === 'ESRCH' &&
      error.pid === pid &&
      error.message.startsWith(`process ${pid} is gone`);
    assert.throws(() => info.memoryInfo(), gone);
    assert.throws(() => info.cpuPercent(), gone);
    assert.throws(() => info.ioCounters(), gone, 'a file opened after the exit');
    assert.throws(() => info.memoryFullInfo(), gone);
    assert.throws(() => info.numFds(), gone);
    assert.throws(() => info.asDict(), gone);
    assert.throws(() => new ProcessInfo(pid), gone);
    info.close();
  });

  test("a name with spaces and parentheses ('a b) Z 1 (c') is parsed after the last ')'", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mb-comm-'));
    tempDirs.push(dir);
    const strange = join(dir, 'a b) Z 1 (c');
    symlinkSync(process.execPath, strange);
    const child = await start(strange, [
      '-e',
      'process.stdout.write("ready\\n"); setInterval(() => {}, 1000)',
    ]);
    const info = new ProcessInfo(child.pid);
    try {
      assert.equal(info.name(), 'a b) Z 1 (c');
      // A parser splitting at the first ')' would read the fake state 'Z' from the name.
      assert.ok(['running', 'sleeping'].includes(info.status()), info.status());
      assert.equal(info.ppid(), process.pid);
      assert.ok(info.numThreads() >= 2, 'node runs several threads');
      assert.ok(info.memoryInfo().rss > 0);
      assert.ok(info.cpuTimes().user >= 0);
    } finally {
      info.close();
      child.kill('SIGKILL');
    }
  });

  test('a zombie (Vm* lines gone from status) still reads, with zero memory', async () => {
    // The background sleep's parent execs into `sleep 10`, which never waits for it.
    const parent = await start('sh', ['-c', 'sleep 0.1 & exec sleep 10'], false);
    const zombiePid = await pollUntil(
      () => listDescendants(parent.pid!)[0],
      (pid) => pid !== undefined && new ProcessInfo(pid).status() === 'zombie',
      { everyMs: 50, withinMs: 5000 },
    );
    assert.ok(zombiePid !== undefined);
    const zombie = new ProcessInfo(zombiePid);
    assert.equal(zombie.status(), 'zombie');
    try {
      assert.equal(zombie.isRunning(), true, "psutil's rule: a zombie still exists");
      assert.deepEqual(zombie.memoryInfo(), { rss: 0, vms: 0 });
      assert.deepEqual(zombie.memoryFullInfo(), { rss: 0, vms: 0, uss: 0, pss: 0, swap: 0 });
      assert.equal(zombie.memoryPeak(), 0);
      assert.equal(zombie.numFds(), 0);
      assert.equal(zombie.cpuPercent(), 0);
      assert.equal(typeof zombie.numCtxSwitches().voluntary, 'number');
    } finally {
      zombie.close();
      parent.kill('SIGKILL');
    }
  });
});
