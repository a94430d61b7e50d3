import {
  detectScriptDir,
  validateBoolean,
  validateDirectory,
  validateOptionKeys,
  validateString,
  validateTimeoutMs,
} from './_options.js';
import { firstLine, once, runCommand } from './_subprocess.js';
import { defineMixin, type Mixin } from './mixin.js';

/** Options of {@link gitInfo}. */
export interface GitInfoOptions {
  /**
   * A directory inside the repository (checked at construction).
   * @default the main script's directory (`process.argv[1]`), else `process.cwd()`; for the
   * CLI, the working directory (microbench's CLI default)
   */
  repo?: string;
  /** The git executable. @default 'git' */
  command?: string;
  /** Give up on each git command after this many milliseconds. @default 5000 */
  timeoutMs?: number;
  /**
   * Leave untracked files out of `dirty` (only changes to tracked files count). By default an
   * untracked file makes the tree dirty, as in microbench: a new source file the benchmark may
   * import is not in the commit. @default false
   */
  ignoreUntracked?: boolean;
}

/** The `git` field of a record. */
export interface GitFields {
  /** Top-level directory of the work tree; null outside a repository. */
  repo: string | null;
  /** Commit id of HEAD; null before the first commit or outside a repository. */
  commit: string | null;
  /** Checked-out branch; `''` on a detached HEAD (microbench's rule); null outside a repository. */
  branch: string | null;
  /**
   * Whether the work tree differs from HEAD: a changed tracked file (staged or not) or an
   * untracked file (not ignored by .gitignore; left out with `ignoreUntracked`).
   */
  dirty: boolean | null;
}

/** What {@link readGitInfo} found: the fields, and a note when git could not tell. */
export interface GitInfoResult {
  readonly git: GitFields;
  /** Why the fields are null (not a repository, git not found, timed out). */
  readonly note?: string;
}

/**
 * Git state of the code being run: `git` = `{repo, commit, branch, dirty}`. Runs
 * `git rev-parse --show-toplevel` and `git status --porcelain=v2 --branch` (with
 * `--untracked-files=no` under `ignoreUntracked`) once per mixin instance and directory (at the first call, each with a time limit) and reuses
 * the answer.
 * Outside a repository, without git, or on a timeout the fields are null and `git_note` says why;
 * the call is never failed for it.
 */
export function gitInfo(options?: GitInfoOptions): Mixin {
  const raw = validateOptionKeys(options, 'gitInfo', [
    'repo',
    'command',
    'timeoutMs',
    'ignoreUntracked',
  ]);
  const repo = raw.repo === undefined ? undefined : validateDirectory(raw.repo, 'repo');
  const command = validateString(raw.command, 'command', 'git');
  const timeoutMs = validateTimeoutMs(raw.timeoutMs, 'timeoutMs', 5000);
  const ignoreUntracked = validateBoolean(raw.ignoreUntracked, 'ignoreUntracked', false);
  const scriptDir = once(detectScriptDir);
  const answers = new Map<string, GitInfoResult>();
  return defineMixin({
    name: 'git-info',
    description: 'Git repository, commit, branch and dirty state of the code',
    capture(record, ctx) {
      const dir = repo ?? (ctx.invocation === 'cli' ? process.cwd() : scriptDir());
      let answer = answers.get(dir);
      if (!answer) {
        answer = readGitInfo(dir, { command, timeoutMs, ignoreUntracked });
        answers.set(dir, answer);
      }
      const { git, note } = answer;
      record.git = { ...git };
      if (note !== undefined) record.git_note = note;
    },
  });
}

const NO_GIT: GitFields = { repo: null, commit: null, branch: null, dirty: null };

/** Ask git about the repository containing `dir` (uncached; never throws). */
export function readGitInfo(
  dir: string,
  options: { command?: string; timeoutMs?: number; ignoreUntracked?: boolean } = {},
): GitInfoResult {
  const command = options.command ?? 'git';
  const run = (args: string[]) =>
    runCommand(command, args, {
      cwd: dir,
      timeoutMs: options.timeoutMs ?? 5000,
      // Do not take index.lock: a concurrent `git commit` must not fail because of us.
      env: { ...process.env, GIT_OPTIONAL_LOCKS: '0' },
    });
  const top = run(['rev-parse', '--show-toplevel']);
  if (top.type !== 'ok') {
    const note =
      top.type === 'failed' && /not a git repository/i.test(top.stderr)
        ? `not a git repository: ${dir}`
        : top.message;
    return { git: { ...NO_GIT }, note };
  }
  const status = run(
    options.ignoreUntracked === true
      ? ['status', '--porcelain=v2', '--branch', '--untracked-files=no']
      : ['status', '--porcelain=v2', '--branch'],
  );
  const repo = firstLine(top.stdout) || null;
  if (status.type !== 'ok') return { git: { ...NO_GIT, repo }, note: status.message };
  return { git: { repo, ...parsePorcelainStatus(status.stdout) } };
}

/**
 * Commit, branch and dirty state from `git status --porcelain=v2 --branch` output:
 * `# branch.oid <id>|(initial)`, `# branch.head <name>|(detached)`, and any non-`#` line
 * means a changed tracked file (`1`, `2`, `u` lines) or an untracked one (`?`).
 */
export function parsePorcelainStatus(output: string): Omit<GitFields, 'repo'> {
  let commit: string | null = null;
  let branch: string | null = null;
  let dirty = false;
  for (const line of output.split('\n')) {
    if (line.startsWith('# branch.oid ')) {
      const oid = line.slice('# branch.oid '.length).trim();
      commit = oid === '(initial)' ? null : oid;
    } else if (line.startsWith('# branch.head ')) {
      const head = line.slice('# branch.head '.length).trim();
      branch = head === '(detached)' ? '' : head;
    } else if (line.trim() !== '' && !line.startsWith('#')) {
      dirty = true;
    }
  }
  return { commit, branch, dirty };
}
