// Folders for outfiles, journals and reports: made level by level, so a filesystem that refuses
// new folders (procfs) is an error, not the endless loop of Node 20's recursive mkdir.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { makeDirectorySync } from '../src/_make-directory.js';

const dir = mkdtempSync(join(tmpdir(), 'mb-mkdir-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('creates missing parents, and accepts a folder that exists', () => {
  const deep = join(dir, 'a', 'b', 'c');
  makeDirectorySync(deep);
  assert.ok(statSync(deep).isDirectory());
  makeDirectorySync(deep);
  makeDirectorySync(dir);
});

test('a file in the way is an error', () => {
  const file = join(dir, 'file');
  writeFileSync(file, '');
  assert.throws(() => makeDirectorySync(file), { code: 'EEXIST' });
  assert.throws(() => makeDirectorySync(join(file, 'below')), { code: 'ENOTDIR' });
});

test('a folder procfs refuses is an error (Node 20 recursive mkdir never returns)', {
  skip: !existsSync('/proc/self') && 'needs procfs',
}, () => {
  assert.throws(() => makeDirectorySync('/proc/microbench-no-such/sub'), { code: 'ENOENT' });
});

test('microbench --outfile under /proc fails with a clear error before the command runs', {
  skip: !existsSync('/proc/self') && 'needs procfs',
}, () => {
  const bin = fileURLToPath(new URL('../dist/cli/bin.cjs', import.meta.url));
  const child = spawnSync(
    process.execPath,
    [bin, '--no-mixin', '--outfile', '/proc/microbench-no-such/out.jsonl', '--', 'true'],
    { encoding: 'utf8', timeout: 30_000, killSignal: 'SIGKILL' },
  );
  assert.equal(child.signal, null, 'ended on its own (it used to spin forever)');
  assert.equal(child.status, 1, child.stderr);
  assert.match(child.stderr, /cannot open it for appending \(ENOENT: no such file or directory\)/);
  // Checked before the command is spawned: nothing ran, so there is no record to print.
  assert.equal(child.stderr.split('\n').filter((line) => line.startsWith('{')).length, 0);
});
