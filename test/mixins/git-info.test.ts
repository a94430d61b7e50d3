import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { OptionError } from '../../src/errors.js';
import { gitInfo, parsePorcelainStatus, readGitInfo } from '../../src/mixins/git-info.js';
import { makeTempDir, runMixins, writeScript } from './_run-mixins.js';

const temp = makeTempDir('git');
const GIT_ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: 'Test',
  GIT_AUTHOR_EMAIL: 'test@example.com',
  GIT_COMMITTER_NAME: 'Test',
  GIT_COMMITTER_EMAIL: 'test@example.com',
  GIT_CONFIG_NOSYSTEM: '1',
};

// Run git in `cwd` and return its trimmed stdout.
function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, env: GIT_ENV, encoding: 'utf8' }).trim();
}

// A new repository with one committed file on branch `main`.
function makeRepo(name: string, commit = true): string {
  const dir = join(temp.dir, name);
  mkdirSync(dir);
  git(dir, 'init', '-q', '-b', 'main');
  writeFileSync(join(dir, 'a.txt'), 'one\n');
  if (commit) {
    git(dir, 'add', 'a.txt');
    git(dir, 'commit', '-q', '-m', 'first');
  }
  return realpathSync(dir);
}

describe('git-info', () => {
  let clean: string;
  let dirty: string;
  let detached: string;
  let empty: string;
  let sub: string;

  before(() => {
    clean = makeRepo('clean');
    sub = join(clean, 'sub');
    mkdirSync(sub);
    dirty = makeRepo('dirty');
    writeFileSync(join(dirty, 'a.txt'), 'changed\n');
    detached = makeRepo('detached');
    git(detached, 'checkout', '-q', '--detach', 'HEAD');
    empty = makeRepo('empty', false);
  });
  after(() => temp.remove());

  test('a clean repository gives repo, commit, branch and dirty: false', () => {
    const record = runMixins([gitInfo({ repo: clean })]);
    assert.deepEqual(record.git, {
      repo: clean,
      commit: git(clean, 'rev-parse', 'HEAD'),
      branch: 'main',
      dirty: false,
    });
    assert.equal('git_note' in record, false);
  });

  test('a sub-directory reports the top-level directory as repo', () => {
    const record = runMixins([gitInfo({ repo: sub })]);
    assert.equal((record.git as { repo: string }).repo, clean);
  });

  test('a modified tracked file makes the repository dirty', () => {
    const record = runMixins([gitInfo({ repo: dirty })]);
    assert.equal((record.git as { dirty: boolean }).dirty, true);
  });

  test('an untracked file makes it dirty, as in microbench; ignoreUntracked leaves it out', () => {
    const repo = makeRepo('untracked');
    writeFileSync(join(repo, 'new-module.ts'), 'x');
    const record = runMixins([gitInfo({ repo })]);
    assert.equal((record.git as { dirty: boolean }).dirty, true);
    const ignoring = runMixins([gitInfo({ repo, ignoreUntracked: true })]);
    assert.equal((ignoring.git as { dirty: boolean }).dirty, false);
    // A file .gitignore names is not untracked in git's sense: the tree stays clean.
    const ignored = makeRepo('ignored');
    writeFileSync(join(ignored, '.gitignore'), 'results.jsonl\n');
    git(ignored, 'add', '.gitignore');
    git(ignored, 'commit', '-q', '-m', 'ignore results');
    writeFileSync(join(ignored, 'results.jsonl'), '{}\n');
    assert.equal((runMixins([gitInfo({ repo: ignored })]).git as { dirty: boolean }).dirty, false);
  });

  test('ignoreUntracked must be a boolean', () => {
    assert.throws(
      () => gitInfo({ ignoreUntracked: 'yes' as unknown as boolean }),
      /ignoreUntracked/,
    );
  });

  test('a detached HEAD has the commit and an empty branch (microbench rule)', () => {
    const record = runMixins([gitInfo({ repo: detached })]);
    assert.deepEqual(record.git, {
      repo: detached,
      commit: git(detached, 'rev-parse', 'HEAD'),
      branch: '',
      dirty: false,
    });
  });

  test('a repository with no commits has a null commit and does not crash', () => {
    const record = runMixins([gitInfo({ repo: empty, ignoreUntracked: true })]);
    assert.deepEqual(record.git, { repo: empty, commit: null, branch: 'main', dirty: false });
    const untracked = runMixins([gitInfo({ repo: empty })]);
    assert.equal((untracked.git as { dirty: boolean }).dirty, true, 'its one file is untracked');
    git(empty, 'add', 'a.txt');
    const staged = runMixins([gitInfo({ repo: empty })]);
    assert.equal((staged.git as { dirty: boolean }).dirty, true);
  });

  test('outside any repository the fields are null and a note says why', () => {
    const outside = join(temp.dir, 'outside');
    mkdirSync(outside);
    const record = runMixins([gitInfo({ repo: outside })]);
    assert.deepEqual(record.git, { repo: null, commit: null, branch: null, dirty: null });
    assert.match(String(record.git_note), /not a git repository/);
  });

  test('a missing git executable is a note, not a crash', () => {
    const record = runMixins([gitInfo({ repo: clean, command: join(temp.dir, 'no-such-git') })]);
    assert.deepEqual(record.git, { repo: null, commit: null, branch: null, dirty: null });
    assert.match(String(record.git_note), /not found/);
  });

  test('a hanging git is abandoned after timeoutMs and noted', () => {
    const slow = writeScript(join(temp.dir, 'slow-git'), 'exec sleep 5');
    const record = runMixins([gitInfo({ repo: clean, command: slow, timeoutMs: 200 })]);
    assert.match(String(record.git_note), /timed out after 200 ms/);
  });

  test('git runs once per mixin instance, not once per call', () => {
    const log = join(temp.dir, 'git-calls.log');
    const counting = writeScript(
      join(temp.dir, 'counting-git'),
      `echo "$1" >> '${log}'\nexec git "$@"`,
    );
    const mixin = gitInfo({ repo: clean, command: counting });
    const first = runMixins([mixin]);
    const second = runMixins([mixin]);
    runMixins([mixin]);
    assert.deepEqual(second.git, first.git);
    assert.notEqual(second.git, first.git, 'each record gets its own object');
    assert.deepEqual(readFileSync(log, 'utf8').trim().split('\n'), ['rev-parse', 'status']);
  });

  test('without `repo`, the CLI asks about its working directory (microbench’s CLI default)', () => {
    const record = runMixins([gitInfo()], { invocation: 'cli' });
    assert.deepEqual(record.git, readGitInfo(process.cwd()).git);
  });

  test('bad options fail at construction with a clear message', () => {
    assert.throws(() => gitInfo({ repo: join(temp.dir, 'nope') }), {
      name: 'OptionError',
      message: /`repo`.*does not exist/,
    });
    assert.throws(() => gitInfo({ timeoutMs: -1 }), OptionError);
    assert.throws(() => gitInfo({ repoo: '.' } as never), /Unknown option `repoo` for gitInfo\(\)/);
  });

  test('porcelain v2 parsing', () => {
    assert.deepEqual(
      parsePorcelainStatus('# branch.oid abc\n# branch.head feature/x\n1 .M N... 100644 a.txt\n'),
      { commit: 'abc', branch: 'feature/x', dirty: true },
    );
    assert.deepEqual(parsePorcelainStatus('# branch.oid (initial)\n# branch.head main\n'), {
      commit: null,
      branch: 'main',
      dirty: false,
    });
  });
});
