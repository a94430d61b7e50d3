// The trust model (docs/trust.md): journals another local user cannot hijack or forge, recovers
// that race without duplicating, a deleted journal folder that loses no returned call, and a
// recover whose memory does not follow the outfile's size. The "other user" is real: nobody
// (uid 65534) through setpriv, as root.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { JOURNAL_DIR_NAME, journalDirFor } from '../../src/journal/journal.js';
import { PendingJournal } from '../../src/journal/pending.js';
import {
  OTHER_HOST_STALE_MAX_MS,
  otherHostStaleMs,
  recoverJournals,
} from '../../src/journal/recover.js';
import { CLI_PATH, ensureBuilt } from '../helpers/cli.js';
import {
  makeTempDir,
  ROOT,
  readRecords,
  sleep,
  startCrashBench,
  waitForJournalSamples,
} from './_crash-child.js';
import { DEAD_PID, T0 } from './_journals.js';

// A record as the JSON a bench journals it as.
const json = (record: unknown) => () => JSON.stringify(record);

const tmp = makeTempDir('mb-trust-');
after(() => tmp.dispose());

const isRoot = process.geteuid?.() === 0;
const hasSetpriv = spawnSync('setpriv', ['--version']).status === 0;
const NOBODY = 65534;

// Run a shell command as nobody (a real second user).
function asNobody(script: string): void {
  const run = spawnSync(
    'setpriv',
    ['--reuid=65534', '--regid=65534', '--clear-groups', 'sh', '-c', script],
    {
      encoding: 'utf8',
    },
  );
  assert.equal(run.status, 0, `as nobody: ${script}\n${run.stderr}`);
}

// A folder like /tmp: anyone may create entries, only their owner may remove them.
function sharedFolder(name: string): string {
  const dir = join(tmp.path, name);
  mkdirSync(dir);
  chmodSync(tmp.path, 0o755);
  chmodSync(dir, 0o1777);
  return dir;
}

// A root-only file outside the shared folder, which planted links point at.
function secretFile(name: string): { path: string; bytes: Buffer } {
  const path = join(tmp.path, name);
  const bytes = Buffer.from('secret line\n'.repeat(800));
  writeFileSync(path, bytes, { mode: 0o600 });
  return { path, bytes };
}

// One 300 ms call with telemetry in a child (the victim's run); how it ended.
async function victimRun(outfile: string): Promise<{ code: number | null; stderr: string }> {
  const child = startCrashBench([outfile, 'quick', '1', '0.05']);
  const exit = await child.exited;
  return { code: exit.code, stderr: exit.stderr };
}

// A hand-made journal a killed run leaves: header with the partial record and two samples.
function journalText(pid: number, index: number, outfile: string): string {
  const header = {
    type: 'header',
    format: 1,
    pid,
    pid_start_time: 1,
    hostname: hostname(),
    interval_ms: 100,
    outfile,
    timezone: 'UTC',
    anchor_epoch_ms: T0 + index,
    max_samples: null,
    record: {
      mb_run_id: `run-${index}`,
      function_name: 'work',
      start_time: new Date(T0 + index).toISOString(),
      telemetry: [],
    },
  };
  const samples = [1, 2].map((i) =>
    JSON.stringify({ type: 'sample', epoch_ms: T0 + index + i, sample: { rss: i } }),
  );
  return `${[JSON.stringify(header), ...samples].join('\n')}\n`;
}

describe('another local user cannot hijack or forge journals', () => {
  test('a planted 0777 .microbench-journal/ with symlinks: the file they point at is untouched, the records arrive, one warning names the folder and owner', async (t) => {
    if (!isRoot || !hasSetpriv) {
      t.skip('needs root and setpriv to act as a second user');
      return;
    }
    const shared = sharedFolder('planted-top');
    const secret = secretFile('secret-top');
    const outfile = join(shared, 'results.jsonl');
    // The attacker plants both layouts' folders and links named like journals.
    asNobody(
      [
        `mkdir -p ${shared}/${JOURNAL_DIR_NAME}/user-0/results.jsonl ${shared}/${JOURNAL_DIR_NAME}/results.jsonl`,
        `chmod -R 0777 ${shared}/${JOURNAL_DIR_NAME}`,
        `for i in 1 2 3 4 5 6 7 8; do ln -s ${secret.path} ${shared}/${JOURNAL_DIR_NAME}/user-0/results.jsonl/$i-1-1.journal; ln -s ${secret.path} ${shared}/${JOURNAL_DIR_NAME}/results.jsonl/$i-1-1.journal; done`,
      ].join(' && '),
    );
    const run = await victimRun(outfile);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(readFileSync(secret.path), secret.bytes, 'the linked file is byte-identical');
    const records = readRecords(outfile);
    assert.equal(records.length, 1, 'the record still reaches the outfile');
    assert.ok(records[0]!.telemetry.length >= 1);
    const warnings = run.stderr.split('\n').filter((line) => line.includes('journaling skipped'));
    assert.equal(warnings.length, 1, run.stderr);
    assert.match(
      warnings[0]!,
      new RegExp(
        `${JOURNAL_DIR_NAME} is writable by others and not sticky.*owner uid ${NOBODY}.*chmod \\+t it, or remove it`,
      ),
    );

    // Its forged journals do not reach the victim's recover either.
    const result = recoverJournals({ outfiles: [outfile] });
    assert.deepEqual(result.recovered, []);
    assert.ok(result.skipped.length >= 1, JSON.stringify(result));
    assert.match(
      result.skipped.map((s) => s.reason).join('\n'),
      /owned by uid 65534|writable by others/,
    );
    assert.deepEqual(readFileSync(secret.path), secret.bytes);
    assert.equal(readRecords(outfile).length, 1);
  });

  test('a planted user-<uid> folder inside our sticky shared folder is refused; the shared folder serves several users', async (t) => {
    if (!isRoot || !hasSetpriv) {
      t.skip('needs root and setpriv to act as a second user');
      return;
    }
    const shared = sharedFolder('planted-user');
    const secret = secretFile('secret-user');
    const outfile = join(shared, 'results.jsonl');
    // The attacker journals there first, legitimately: the shared top folder is theirs and sticky.
    asNobody(
      [
        `mkdir -m 1777 ${shared}/${JOURNAL_DIR_NAME}`,
        `mkdir -m 0777 ${shared}/${JOURNAL_DIR_NAME}/user-0`,
        `ln -s ${secret.path} ${shared}/${JOURNAL_DIR_NAME}/user-0/results.jsonl`,
      ].join(' && '),
    );
    const run = await victimRun(outfile);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(readFileSync(secret.path), secret.bytes);
    assert.equal(readRecords(outfile).length, 1);
    assert.match(
      run.stderr,
      /journaling skipped: the journal folder \S+user-0 is owned by uid 65534/,
    );

    // A group folder: nobody's own journals go in its own user folder beside ours.
    const group = sharedFolder('group');
    const groupOut = join(group, 'results.jsonl');
    const mine = startCrashBench([groupOut, 'sync', '30', '0.05']);
    const journal = await waitForJournalSamples(groupOut, 1);
    assert.equal(statSync(journal).mode & 0o777, 0o600, 'journal files are 0600');
    assert.equal(statSync(join(group, JOURNAL_DIR_NAME, 'user-0')).mode & 0o7777, 0o700);
    assert.equal(
      statSync(join(group, JOURNAL_DIR_NAME)).mode & 0o7777,
      0o1777,
      'sticky, as its folder allows',
    );
    asNobody(
      `mkdir -m 0700 ${group}/${JOURNAL_DIR_NAME}/user-${NOBODY} && touch ${group}/${JOURNAL_DIR_NAME}/user-${NOBODY}/x`,
    );
    await mine.killAndTime('SIGKILL');
    const result = recoverJournals({ outfiles: [groupOut] });
    assert.equal(result.recovered.length, 1);
    assert.equal(readRecords(groupOut)[0]!.interrupted, true);
    assert.equal(
      existsSync(join(group, JOURNAL_DIR_NAME, `user-${NOBODY}`, 'x')),
      true,
      "the other user's folder is left alone",
    );
  });
});

describe('recover', () => {
  test('three recovers at once take over the claims of a killed recoverer and give each record once', async () => {
    ensureBuilt();
    for (let round = 0; round < 3; round++) {
      const outfile = join(tmp.path, `claimed-${round}.jsonl`);
      const dir = journalDirFor(outfile);
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      for (let i = 0; i < 10; i++) {
        // Ten killed runs, each journal claimed by a recoverer that was killed in turn.
        writeFileSync(
          join(dir, `${DEAD_PID}-${i}-${T0 + i}-r.journal.recovering-${DEAD_PID}`),
          journalText(DEAD_PID, i, outfile),
        );
      }
      const runs = [0, 1, 2].map(
        () =>
          new Promise<number | null>((resolve) => {
            const child = spawn(process.execPath, [CLI_PATH, 'recover', outfile], {
              stdio: 'ignore',
              cwd: ROOT,
            });
            child.on('close', resolve);
          }),
      );
      assert.deepEqual(await Promise.all(runs), [0, 0, 0]);
      const ids = readRecords(outfile).map((r) => r.mb_run_id as string);
      assert.equal(ids.length, 10, `round ${round}: ${ids.join(' ')}`);
      assert.equal(new Set(ids).size, 10);
      assert.equal(existsSync(dir) && readdirSync(dir).length > 0, false, 'every claim is gone');
    }
  });

  test('a zombie is dead: its journal is recovered, not left alone', async () => {
    // `sleep 0.1` exits and stays a zombie: its parent (exec'd into `sleep 5`) never reaps it.
    const parent = spawn('sh', ['-c', 'sleep 0.1 & echo $!; exec sleep 5'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const pid = await new Promise<number>((resolve) =>
      parent.stdout!.once('data', (d) => resolve(Number(String(d).trim()))),
    );
    await sleep(400);
    try {
      const state = readFileSync(`/proc/${pid}/stat`, 'latin1');
      assert.equal(state.charAt(state.lastIndexOf(')') + 2), 'Z', 'the test made a zombie');
      const outfile = join(tmp.path, 'zombie.jsonl');
      const dir = journalDirFor(outfile);
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      writeFileSync(
        join(dir, `${pid}-1-${T0}-z.journal`),
        journalText(pid, 1, outfile).replace('"pid_start_time":1', '"pid_start_time":null'),
      );
      const result = recoverJournals({ outfiles: [outfile] });
      assert.deepEqual(result.live, []);
      assert.equal(result.recovered.length, 1);
    } finally {
      parent.kill('SIGKILL');
    }
  });

  test("another host's journal: dead after 3 intervals, at least 60 s, at most 1 h", () => {
    assert.equal(otherHostStaleMs(100), 60_000, 'the 60 s floor');
    assert.equal(otherHostStaleMs(30_000), 90_000, 'three intervals when longer than the floor');
    assert.equal(otherHostStaleMs(20_001), 60_003);
    assert.equal(otherHostStaleMs(1e12), OTHER_HOST_STALE_MAX_MS, 'a huge interval is capped');
    assert.equal(OTHER_HOST_STALE_MAX_MS, 3_600_000);
    assert.equal(otherHostStaleMs(undefined), 60_000);
  });

  test('a 600 MB outfile: recover streams it for record keys and stays under 400 MiB', () => {
    ensureBuilt();
    const outfile = join(tmp.path, 'big.jsonl');
    const fd = openSync(outfile, 'w');
    const pad = 'x'.repeat(64 * 1024);
    const lines: string[] = [];
    for (let i = 0; i < 100; i++) {
      lines.push(
        JSON.stringify({ mb_run_id: `old-${i}`, function_name: 'work', start_time: `t${i}`, pad }),
      );
    }
    const block = `${lines.join('\n')}\n`;
    let written = 0;
    while (written < 600 * 1024 * 1024) written += writeSync(fd, block);
    closeSync(fd);
    const dir = journalDirFor(outfile);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    for (const i of [1, 2])
      writeFileSync(
        join(dir, `${DEAD_PID}-${i}-${T0 + i}-b.journal`),
        journalText(DEAD_PID, i, outfile),
      );
    const script = `
      import { recoverJournals } from ${JSON.stringify(join(ROOT, 'src/journal/recover.ts'))};
      const result = recoverJournals({ outfiles: [${JSON.stringify(outfile)}] });
      console.log(JSON.stringify({ recovered: result.recovered.length, errors: result.errors, maxRssKiB: process.resourceUsage().maxRSS }));`;
    const run = spawnSync(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', script],
      {
        encoding: 'utf8',
        cwd: ROOT,
      },
    );
    try {
      assert.equal(run.status, 0, run.stderr);
      const seen = JSON.parse(run.stdout) as {
        recovered: number;
        errors: unknown[];
        maxRssKiB: number;
      };
      assert.deepEqual(seen.errors, []);
      assert.equal(seen.recovered, 2);
      assert.ok(seen.maxRssKiB < 400 * 1024, `peak RSS ${Math.round(seen.maxRssKiB / 1024)} MiB`);
    } finally {
      rmSync(outfile, { force: true });
    }
  });
});

describe('a deleted journal folder', () => {
  test('loses no returned call when the process is then killed', async () => {
    const outfile = join(tmp.path, 'deleted.jsonl');
    const child = startCrashBench([outfile, 'tiny-loop', '120', '0.05'], {}, 150_000);
    await child.waitForStdout('calls 1000\n');
    // The child keeps writing there: a file made while rm walks the folder fails it with ENOTEMPTY.
    rmSync(join(tmp.path, JOURNAL_DIR_NAME), { recursive: true, force: true, maxRetries: 20 });
    // Let the loop run on after the deletion (1000 more calls returned), then kill it hard.
    await child.waitForStdout('calls 2000\n');
    const exit = await child.killAndTime('SIGKILL');
    let finished = 0;
    for (const match of exit.stdout.matchAll(/calls (\d+)/g))
      finished = Math.max(finished, Number(match[1]));
    const result = recoverJournals({ outfiles: [outfile] });
    assert.deepEqual(result.errors, []);
    const records = readRecords(outfile);
    assert.ok(
      records.length >= finished,
      `${records.length} records for ${finished} returned calls (recovered ${result.recovered.length})`,
    );
  });
});

describe('a pending journal whose file is deleted', () => {
  test('writes every record still pending again to a new segment at its next check', () => {
    const outfile = join(tmp.path, 'pending-gone.jsonl');
    const dir = journalDirFor(outfile);
    const journal = new PendingJournal(dir, { outfile, timezone: 'UTC' });
    const errors: string[] = [];
    for (const sid of [1, 2, 3])
      journal.add(sid, json({ function_name: 'f', sid }), (m) => errors.push(m));
    journal.delivered(2);
    rmSync(join(tmp.path, JOURNAL_DIR_NAME), { recursive: true, force: true });
    // The file is checked every 256 records (or 100 ms): by the 300th after the deletion.
    const after = Array.from({ length: 300 }, (_, i) => 4 + i);
    for (const sid of after)
      journal.add(sid, json({ function_name: 'f', sid }), (m) => errors.push(m));
    assert.deepEqual(errors, []);
    const files = readdirSync(dir);
    assert.equal(files.length, 1, files.join(' '));
    const sids = readFileSync(join(dir, files[0]!), 'utf8')
      .split('\n')
      .filter((line) => line.includes('"type":"record"'))
      .map((line) => (JSON.parse(line) as { sid: number }).sid);
    assert.deepEqual(
      sids.sort((a, b) => a - b),
      [1, 3, ...after],
      'the undelivered records of the deleted file, and the new ones',
    );
    for (const sid of [1, 3, ...after]) journal.delivered(sid);
    journal.closeDelivered();
  });
});
