/**
 * Where journals live, and the rules that keep other local users out of them (docs/trust.md).
 *
 *   <outfile dir>/.microbench-journal/           shared: sticky when others may write in it
 *                 └── user-<uid>/                 one per user: 0700, owned by that user
 *                     └── <outfile name>/         0700
 *                         └── <pid>-<session>-<epoch ms>-<random>.journal    0600, O_EXCL
 *
 * Results folders are often shared (a group project folder, /tmp, a cluster's scratch). Every
 * folder is checked with lstat before a journal is written into it: a symlink, a folder owned by
 * another user, or one that others may write in (unless sticky, for the shared top folder) is
 * never written through; the caller skips journaling with one warning that names the folder,
 * the owner found and the fix. Journal files are created with O_CREAT|O_EXCL|O_NOFOLLOW, mode
 * 0600 and a random part in their names, so nothing planted in advance is ever opened.
 */
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  constants,
  lstatSync,
  mkdirSync,
  openSync,
  rmdirSync,
  type Stats,
  statSync,
  unlinkSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { makeDirectorySync } from '../_make-directory.js';
import { JournalError } from '../errors.js';

/** Name of the folder, next to an outfile, that holds its telemetry journals. */
export const JOURNAL_DIR_NAME = '.microbench-journal';

/** This process's effective uid (what owns the journals it writes); -1 where there are no uids. */
export const EFFECTIVE_UID: number = process.geteuid?.() ?? -1;

/** The per-user folder name inside `.microbench-journal/`. */
export function userDirName(uid: number = EFFECTIVE_UID): string {
  return `user-${uid < 0 ? 'any' : uid}`;
}

/**
 * Where this user's journals of `outfile` live:
 * `<outfile's folder>/.microbench-journal/user-<uid>/<outfile name>/`.
 */
export function journalDirFor(outfile: string): string {
  const absolute = resolve(outfile);
  return join(dirname(absolute), JOURNAL_DIR_NAME, userDirName(), basename(absolute));
}

/**
 * Where journals of `outfile` lived before per-user folders
 * (`<outfile's folder>/.microbench-journal/<outfile name>/`); `recover` still reads them.
 */
export function legacyJournalDirFor(outfile: string): string {
  const absolute = resolve(outfile);
  return join(dirname(absolute), JOURNAL_DIR_NAME, basename(absolute));
}

/**
 * The outfile a journal folder belongs to (the inverse of {@link journalDirFor}, and of the
 * legacy layout): recovered records go where the journal lies, whatever the writing process's
 * working directory was.
 */
export function outfileForJournalDir(dir: string): string {
  const absolute = resolve(dir);
  let parent = dirname(absolute);
  if (/^user-(\d+|any)$/.test(basename(parent))) parent = dirname(parent);
  return join(dirname(parent), basename(absolute));
}

/** A unique journal file name: `<pid>-<session>-<epoch ms>-<random>.journal`. */
export function journalFileName(sid: number, epochMs: number): string {
  return `${process.pid}-${sid}-${Math.floor(epochMs)}-${randomHex12()}.journal`;
}

/**
 * The name of a telemetry session's journal file: like {@link journalFileName}, with the random
 * part drawn once per bench (`token`, from {@link journalNameToken}), so the sampler worker and
 * the main thread derive the same name from the session id without telling each other.
 */
export function sessionJournalFileName(sid: number, epochMs: number, token: string): string {
  return `${process.pid}-${sid}-${Math.floor(epochMs)}-${token}.journal`;
}

/** 12 random hex digits for {@link sessionJournalFileName}. */
export function journalNameToken(): string {
  return randomHex12();
}

// 6 random bytes as 12 hex digits, from a pool drawn 3 KiB at a time: a name per call (a
// telemetry call's journal) paid one randomBytes() call each, ~10 µs on a slow host.
const RANDOM_POOL_BYTES = 6 * 512;
let randomPool: Buffer | undefined;
let randomOffset = RANDOM_POOL_BYTES;
function randomHex12(): string {
  if (randomPool === undefined || randomOffset + 6 > RANDOM_POOL_BYTES) {
    randomPool = randomBytes(RANDOM_POOL_BYTES);
    randomOffset = 0;
  }
  const hex = randomPool.toString('hex', randomOffset, randomOffset + 6);
  randomOffset += 6;
  return hex;
}

/**
 * Why a folder or file found at `path` may not be written through (or read by `recover`), or
 * undefined when it may: it must not be a symlink, must be owned by this user and must not be
 * writable by group or others.
 */
export function untrustedReason(
  path: string,
  stats: Stats,
  kind: 'folder' | 'file',
): string | undefined {
  const what = kind === 'folder' ? 'journal folder' : 'journal file';
  if (stats.isSymbolicLink()) {
    return `the ${what} ${path} is a symbolic link; remove it (journals are never written through links)`;
  }
  if (kind === 'folder' ? !stats.isDirectory() : !stats.isFile()) {
    return `${path} is not a ${kind === 'folder' ? 'folder' : 'regular file'}; remove it`;
  }
  if (EFFECTIVE_UID >= 0 && stats.uid !== EFFECTIVE_UID) {
    return `the ${what} ${path} is owned by uid ${stats.uid}, not by this user (uid ${EFFECTIVE_UID}); remove it, or run as its owner`;
  }
  if ((stats.mode & 0o022) !== 0) {
    return `the ${what} ${path} is writable by others (mode ${(stats.mode & 0o7777).toString(8)}); chmod go-w it, or remove it`;
  }
  return undefined;
}

/**
 * Create (or check) the folders of journal folder `dir` ({@link journalDirFor}) and open a new
 * journal file in it for appending: O_CREAT|O_EXCL|O_NOFOLLOW, mode 0600. A folder that cannot
 * be trusted is a `JournalError` whose message names it, the owner found and the fix; a folder
 * removed by another process meanwhile is made again (three tries).
 */
export function createJournalFile(dir: string, name: string): { fd: number; path: string } {
  const path = join(dir, name);
  const flags =
    constants.O_WRONLY |
    constants.O_APPEND |
    constants.O_CREAT |
    constants.O_EXCL |
    constants.O_NOFOLLOW;
  for (let attempt = 0; ; attempt++) {
    try {
      prepareJournalDir(dir);
      return { fd: openSync(path, flags, 0o600), path };
    } catch (error) {
      // Another process that journals beside us deletes the folders its last journal leaves
      // empty (removeJournalFile): one may go between any two of our steps, from a mkdir in it
      // to the open. Start again (a tight loop of such processes can win a few rounds in a row;
      // each costs some µs); a check that fails (JournalError) is not retried.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || attempt >= 49) throw error;
    }
  }
}

// Make and check `.microbench-journal/`, `user-<uid>/` and `<outfile name>/` of `dir`.
function prepareJournalDir(dir: string): void {
  const user = dirname(dir);
  const top = dirname(user);
  const results = dirname(top);
  let resultsStats = statSync(results, { throwIfNoEntry: false });
  if (resultsStats === undefined) {
    makeDirectorySync(results);
    resultsStats = statSync(results);
  }
  // The shared top folder: others may create their own user folder in it where they may write
  // in the results folder, but (sticky) not rename or remove ours. Its owner may be anyone (in a
  // group folder, whoever journaled first); what is trusted is the user folder below it.
  ensureFolder(top, 0o1000 | (resultsStats.mode & 0o777), (path, stats) => {
    if (stats.isSymbolicLink() || !stats.isDirectory())
      return untrustedReason(path, stats, 'folder');
    if ((stats.mode & 0o022) !== 0 && (stats.mode & 0o1000) === 0) {
      return `the journal folder ${path} is writable by others and not sticky (mode ${(stats.mode & 0o7777).toString(8)}, owner uid ${stats.uid}); chmod +t it, or remove it`;
    }
    return undefined;
  });
  ensureFolder(user, 0o700, (path, stats) => untrustedReason(path, stats, 'folder'));
  ensureFolder(dir, 0o700, (path, stats) => untrustedReason(path, stats, 'folder'));
}

// Create `path` with exactly `mode`, or check the folder found there.
function ensureFolder(
  path: string,
  mode: number,
  check: (path: string, stats: Stats) => string | undefined,
): void {
  // lstat first: a folder that is there already (the common case) costs no failed mkdir.
  let stats = lstatSync(path, { throwIfNoEntry: false });
  if (stats === undefined) {
    try {
      mkdirSync(path, mode & 0o777);
      // mkdir's mode is cut by the umask (and never sets the sticky bit): set it on what we made.
      chmodSync(path, mode);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    stats = lstatSync(path);
  }
  const why = check(path, stats);
  if (why !== undefined) throw new JournalError(`journaling skipped: ${why}`);
}

/**
 * Delete a journal file, then its outfile's journal folder, the user folder and
 * `.microbench-journal/` if they are left empty. Every step is tried on its own: another thread
 * or process may have done some of them already (or be using the folders).
 */
export function removeJournalFile(path: string): void {
  for (const remove of [
    () => unlinkSync(path),
    () => rmdirSync(dirname(path)),
    () => rmdirSync(dirname(dirname(path))),
    () => rmdirSync(dirname(dirname(dirname(path)))),
  ]) {
    try {
      remove();
    } catch {
      // Gone already, or the folder is still in use.
    }
  }
}
