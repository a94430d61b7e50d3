// The `microbench` executable (dist/cli/bin.cjs) runs the CLI bundle with the V8 code cache the
// build made, and runs it just the same when the cache is missing, foreign or damaged.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ensureBuilt, makeTempDir, ROOT } from '../helpers/cli.js';

const BUILT = join(ROOT, 'dist', 'cli');

describe('the microbench executable and its code cache', () => {
  const tmp = makeTempDir();
  let version = '';
  before(() => {
    ensureBuilt();
    version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string })
      .version;
  });
  after(() => tmp.dispose());

  // A copy of the built executable in its own folder, two levels below a package.json (where
  // the bundle looks for its version), to damage at will.
  function copyBuilt(name: string): string {
    const dir = join(tmp.path, name, 'dist', 'cli');
    mkdirSync(dir, { recursive: true });
    copyFileSync(join(ROOT, 'package.json'), join(tmp.path, name, 'package.json'));
    for (const file of ['bin.cjs', 'bundle.cjs', 'bundle.cache']) {
      copyFileSync(join(BUILT, file), join(dir, file));
    }
    return dir;
  }

  // `bin.cjs --version` from `dir`, asked to say what became of the cache, prints the version
  // and says `stderr`.
  function assertVersionRuns(dir: string, stderr: string, message?: string): void {
    const run = spawnSync(process.execPath, [join(dir, 'bin.cjs'), '--version'], {
      env: { ...process.env, MICROBENCH_CODE_CACHE_REPORT: '1' },
      encoding: 'utf8',
    });
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout, `microbench ${version}\n`);
    assert.equal(run.stderr, stderr, message);
  }

  test('the build tags the cache with the bundle build id, and V8 accepts it', () => {
    const bundle = readFileSync(join(BUILT, 'bundle.cjs'), 'utf8');
    const id = /^[^\n]*\n\/\/ microbench-build ([0-9a-f]{16})\n/.exec(bundle)?.[1];
    assert.ok(id, 'the bundle names its build on its second line');
    const cache = readFileSync(join(BUILT, 'bundle.cache'));
    assert.equal(cache.subarray(0, 17).toString(), `${id}\n`);
    assertVersionRuns(BUILT, 'microbench: code cache accepted\n');
  });

  test('a missing cache: the CLI runs without one', () => {
    const dir = copyBuilt('missing');
    rmSync(join(dir, 'bundle.cache'));
    assertVersionRuns(dir, 'microbench: code cache none\n');
  });

  test('a cache from another build is never offered to V8', () => {
    const dir = copyBuilt('foreign');
    const cache = readFileSync(join(dir, 'bundle.cache'));
    writeFileSync(
      join(dir, 'bundle.cache'),
      Buffer.concat([Buffer.from('0123456789abcdef\n'), cache.subarray(17)]),
    );
    assertVersionRuns(dir, 'microbench: code cache none\n');
  });

  test('a damaged cache with the right tag: V8 rejects it and the CLI still runs', () => {
    const dir = copyBuilt('damaged');
    const cache = readFileSync(join(dir, 'bundle.cache'));
    writeFileSync(join(dir, 'bundle.cache'), cache.subarray(0, 17 + 64)); // cut short
    assertVersionRuns(dir, 'microbench: code cache rejected\n');
  });

  test('a bundle without a build id runs through Node’s own loader', () => {
    const dir = copyBuilt('untagged');
    const bundle = readFileSync(join(dir, 'bundle.cjs'), 'utf8');
    writeFileSync(join(dir, 'bundle.cjs'), bundle.replace(/\/\/ microbench-build [0-9a-f]+\n/, ''));
    assertVersionRuns(dir, '', 'no cache was looked at');
  });

  test('a wrapped command runs and its record is written from the cached bundle', () => {
    const result = spawnSync(
      process.execPath,
      [join(BUILT, 'bin.cjs'), '--', 'sh', '-c', 'exit 3'],
      {
        encoding: 'utf8',
      },
    );
    assert.equal(result.status, 3, result.stderr);
    const record = JSON.parse(result.stdout) as { returncode: number[]; mb_version: string };
    assert.deepEqual(record.returncode, [3]);
    assert.equal(record.mb_version, version);
  });
});
