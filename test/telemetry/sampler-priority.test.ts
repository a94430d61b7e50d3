import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { whyNobodyCannotRead } from '../helpers/second-user.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const linux = process.platform === 'linux';
const isRoot = process.getuid?.() === 0;
const POLICY = { SCHED_OTHER: 0, SCHED_FIFO: 1 } as const;

interface Seen {
  sampler: { priority: string; nice: number | null; policy: string | null; tid: number | null };
  threads: Record<string, { nice: number; policy: number }>;
}

// Run the fixture (as `prefix`, e.g. another user) and return the record's claim and /proc's.
function run(
  priority: string,
  prefix: string[] = [],
): { claimed: Seen['sampler']; proc: { nice: number; policy: number }; stderr: string } {
  const command = [
    ...prefix,
    process.execPath,
    '--import',
    'tsx',
    'test/fixtures/telemetry-priority.ts',
    priority,
  ];
  const child = spawnSync(command[0]!, command.slice(1), {
    cwd: root,
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.equal(child.status, 0, child.stderr);
  const seen = JSON.parse(child.stdout) as Seen;
  assert.ok(seen.sampler.tid !== null, 'the record names the sampler thread');
  const proc = seen.threads[String(seen.sampler.tid)];
  assert.ok(
    proc,
    `thread ${seen.sampler.tid} is one of the process's: ${Object.keys(seen.threads)}`,
  );
  return { claimed: seen.sampler, proc, stderr: child.stderr };
}

const skipUnlessRoot = !linux
  ? 'needs Linux /proc'
  : !isRoot
    ? 'needs root (to be allowed a raised priority)'
    : false;

test('as root, the sampler thread raises itself to nice -20, and the record says so', {
  skip: skipUnlessRoot,
}, () => {
  const { claimed, proc } = run('default');
  assert.equal(proc.nice, -20, 'what /proc says of the sampler thread');
  assert.equal(claimed.priority, 'raised');
  assert.equal(claimed.nice, proc.nice);
  assert.equal(claimed.policy, 'SCHED_OTHER');
  assert.equal(proc.policy, POLICY.SCHED_OTHER);
});

test("telemetryPriority: 'normal' leaves the thread alone, and the record says so", {
  skip: skipUnlessRoot,
}, () => {
  const { claimed, proc } = run('normal');
  assert.equal(proc.nice, 0);
  assert.equal(claimed.priority, 'not requested');
  assert.equal(claimed.nice, 0);
});

test("telemetryPriority: 'realtime' as root gives the thread SCHED_FIFO, and the record says so", {
  skip: skipUnlessRoot,
}, (t) => {
  const chrt = spawnSync('chrt', ['--version']);
  if (chrt.error) return t.skip('chrt (util-linux) is not installed');
  const { claimed, proc } = run('realtime');
  assert.equal(proc.policy, POLICY.SCHED_FIFO, 'what /proc says of the sampler thread');
  assert.equal(claimed.priority, 'realtime');
  assert.equal(claimed.policy, 'SCHED_FIFO');
});

test('a user who may not raise priorities: the sampler stays normal, silently, and the record says so', {
  skip: skipUnlessRoot,
}, (t) => {
  const setpriv = spawnSync('setpriv', ['--version']);
  if (setpriv.error) return t.skip('setpriv (util-linux) is not installed');
  const unreadable = whyNobodyCannotRead(
    fileURLToPath(new URL('../../node_modules/tsx/package.json', import.meta.url)),
  );
  if (unreadable) return t.skip(unreadable);
  const nobody = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'];
  const { claimed, proc, stderr } = run('default', nobody);
  // Silently: no warning about it (a busy machine may still warn about missed samples).
  const others = stderr
    .split('\n')
    .filter((l) => /Warning/.test(l) && !/MB_TELEMETRY_MISSED/.test(l));
  assert.deepEqual(others, [], 'silently');
  assert.equal(proc.nice, 0, 'not permitted: unchanged');
  assert.equal(claimed.priority, 'normal');
  assert.equal(claimed.nice, proc.nice);
});
