// internal: one O_APPEND descriptor per file, shared by every output of this process that
// appends to it, and kept on the file its path names.
//
//   fileOutput('out.jsonl') ──┐                ┌─ path check (stat, at most every 100 ms /
//   fileOutput('out.jsonl') ──┼──► AppendFile ─┤  256 records / 1 MiB): deleted, renamed or
//   (a bench per task, never  │   { fd, refs } │  replaced ──► reopen the path, one warning
//    closed) ─────────────────┘                └─ write(2) of "\n"? + line + "\n" ──► out.jsonl
//
// A program that makes a bench per task and never closes them would otherwise hold a
// descriptor per bench, until it runs out of them.
//
// Following the path: an outfile deleted (`rm`), renamed (`mv`, logrotate) or replaced while a
// program runs used to keep receiving records through the old descriptor, into a file that was
// gone or had been moved aside. Now the path is compared with the descriptor (stat(path) against
// the dev/ino the descriptor was opened on) and, when it no longer names that file, opened
// again (created if need be), with one warning. stat costs ~1.2 µs here, a third of the whole
// per-record cost of the file output (bench/overhead.ts measures it), so the check runs at most
// every 100 ms, 256 records or 1 MiB of records, whichever comes first. Records written between
// a deletion and the check that sees it went to a file nobody can read any more: the lines since
// the last check are kept (references to strings already made) and written again to the new
// file. A renamed file keeps its lines, so they are not repeated.
//
// After a write that failed part-way (a full disk), the file may end with a fragment: the next
// record then starts with "\n", so the fragment stays one unreadable line of its own and the
// record after it is whole.
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  constants,
  fstatSync,
  openSync,
  readlinkSync,
  statSync,
  unlinkSync,
} from 'node:fs';
import { basename, dirname, join, resolve as resolvePath } from 'node:path';
import { makeDirectorySync } from '../_make-directory.js';
import { asError } from './_as-error.js';
import { PartialWriteError, type WriteSync, writeLine } from './_write-line.js';

/** The longest time between two checks that the path still names the file, in ms. */
export const PATH_CHECK_INTERVAL_MS = 100;
/** The most records written between two path checks. */
export const PATH_CHECK_MAX_RECORDS = 256;
/** The most characters of records written between two path checks (bounds the replay kept). */
export const PATH_CHECK_MAX_CHARS = 1 << 20;

/** How {@link acquireAppendFile} opens a file and reports that it followed its path. */
export interface AppendFileOptions {
  /** Create missing parent folders (at the first open and when reopening). */
  readonly mkdir: boolean;
  /** Receives the warning when the path stopped naming the file and was opened again. */
  readonly warn?: ((message: string) => void) | undefined;
  /** The `writeSync` to use (tests pass one that fails part-way). */
  readonly write?: WriteSync | undefined;
}

/** A shared append descriptor on one path; every holder writes through {@link append}. */
export class AppendFile {
  /** The absolute path this file follows. */
  readonly path: string;
  /** How many outputs hold it. */
  refs = 1;
  #fd: number;
  #dev: number;
  #ino: number;
  readonly #options: AppendFileOptions;
  // The file may end mid-line (a write failed part-way): the next record starts with "\n".
  #midLine = false;
  // Since the last path check: when it was, and the lines written since (replayed after a deletion).
  #checkedAtMs = performance.now();
  #sinceLines: string[] = [];
  #sinceChars = 0;

  constructor(path: string, options: AppendFileOptions) {
    this.path = path;
    this.#options = options;
    const { fd, dev, ino } = openAppend(path, options.mkdir);
    this.#fd = fd;
    this.#dev = dev;
    this.#ino = ino;
  }

  /** The descriptor records are written to now. */
  get fd(): number {
    return this.#fd;
  }

  /**
   * Append `line` (one JSON text, no newline) as one line, in one `write(2)`. Throws what the
   * write threw; after a partial write, a `PartialWriteError` (and the next line starts fresh).
   */
  append(line: string): void {
    if (this.#checkDue()) this.followPath();
    const text = this.#midLine ? `\n${line}\n` : `${line}\n`;
    try {
      writeLine(this.#fd, text, this.#options.write);
    } catch (error) {
      if (error instanceof PartialWriteError) this.#midLine = error.endsMidLine;
      throw error;
    }
    this.#midLine = false;
    this.#noteWritten(line);
  }

  /**
   * Append `lines` (JSON texts, no newline), one line each, in one `write(2)`: records
   * delivered together. Returns undefined when every line was written, else each line's error
   * (undefined for the lines written whole): a write that failed part-way fails the lines it
   * did not finish, one that threw before writing (or a path check that threw) fails them all.
   * The lines land together, never torn or interleaved with another writer's.
   */
  appendMany(lines: readonly string[]): (Error | undefined)[] | undefined {
    try {
      if (this.#checkDue()) this.followPath();
    } catch (error) {
      return lines.map(() => asError(error));
    }
    // Joined, not appended line by line: a long string built with += is a tree of pieces,
    // which writeSync encodes several times slower than a flat one (~2 µs per line here). The
    // newlines around are joined in too: one added after the join would make a tree again, and
    // writeSync a second copy of every line.
    const text = (this.#midLine ? ['', ...lines, ''] : [...lines, '']).join('\n');
    try {
      writeLine(this.#fd, text, this.#options.write);
    } catch (error) {
      const failure = asError(error);
      if (!(error instanceof PartialWriteError)) return lines.map(() => failure);
      this.#midLine = error.endsMidLine;
      // The lines that end within the bytes written are in the file whole.
      const errors: (Error | undefined)[] = [];
      let end = text.charCodeAt(0) === 0x0a ? 1 : 0;
      for (const line of lines) {
        end += Buffer.byteLength(line, 'utf8') + 1;
        const whole = end <= error.writtenBytes;
        errors.push(whole ? undefined : failure);
        if (whole) this.#noteWritten(line);
      }
      return errors;
    }
    this.#midLine = false;
    for (const line of lines) this.#noteWritten(line);
    return undefined;
  }

  // Is the path due a check (every PATH_CHECK_* records, characters or ms)?
  #checkDue(): boolean {
    return (
      this.#sinceLines.length >= PATH_CHECK_MAX_RECORDS ||
      this.#sinceChars >= PATH_CHECK_MAX_CHARS ||
      performance.now() - this.#checkedAtMs >= PATH_CHECK_INTERVAL_MS
    );
  }

  // A line now in the file, to write again should the file turn out deleted at the next check.
  #noteWritten(line: string): void {
    this.#sinceLines.push(line);
    this.#sinceChars += line.length + 1;
  }

  /**
   * Check now that the path still names the file; if not, open it again (creating it), write
   * again the lines a deleted file took since the last check, and warn once. Throws when the
   * path cannot be opened again (the descriptor then stays, and the next record retries).
   */
  followPath(): void {
    const now = statOrUndefined(this.path);
    if (now !== undefined && now.dev === this.#dev && now.ino === this.#ino) {
      this.#markChecked();
      return;
    }
    let oldDeleted = true;
    try {
      oldDeleted = fstatSync(this.#fd).nlink === 0;
    } catch {
      // The descriptor is unusable: treat its file as gone.
    }
    const next = openAppend(this.path, this.#options.mkdir);
    const replay = oldDeleted ? this.#sinceLines : [];
    let replayed = 0;
    try {
      for (const line of replay) {
        writeLine(next.fd, `${line}\n`, this.#options.write);
        replayed++;
      }
    } catch {
      // Not fatal: the warning says how many lines could not be written again.
    }
    try {
      closeSync(this.#fd);
    } catch {
      // Closed already.
    }
    this.#fd = next.fd;
    this.#dev = next.dev;
    this.#ino = next.ino;
    this.#midLine = false;
    this.#markChecked();
    const what =
      now === undefined
        ? oldDeleted
          ? 'was deleted'
          : 'was renamed or moved away'
        : oldDeleted
          ? 'was replaced by another file'
          : 'was renamed and another file now has its name (rotated)';
    const again =
      replay.length === 0
        ? ''
        : replayed === replay.length
          ? ` The ${replayed} record(s) written to the deleted file since the last check were written again.`
          : ` Only ${replayed} of the ${replay.length} record(s) written to the deleted file since the last check could be written again.`;
    const message =
      `The outfile ${this.path} ${what} while records were being appended to it; ` +
      `it was opened again${now === undefined ? ' (created anew)' : ''} and later records go there.${again}`;
    const warn =
      this.#options.warn ??
      ((text: string) =>
        process.emitWarning(text, {
          type: 'MicrobenchOutputWarning',
          code: 'MB_OUTFILE_REOPENED',
        }));
    warn(message);
  }

  /** Close the descriptor (errors ignored: closed already). */
  close(): void {
    try {
      closeSync(this.#fd);
    } catch {
      // Closed already.
    }
  }

  #markChecked(): void {
    this.#checkedAtMs = performance.now();
    this.#sinceLines = [];
    this.#sinceChars = 0;
  }
}

const byPath = new Map<string, AppendFile>();

/**
 * A descriptor appending to `path` (absolute), shared with the other holders of the same file;
 * pair with {@link releaseAppendFile}. Opening creates the file (and, with `mkdir`, missing
 * parent folders); a failure throws the OS error. A shared file whose path moved is followed
 * (see {@link AppendFile.followPath}) before it is handed out.
 */
export function acquireAppendFile(path: string, options: AppendFileOptions): AppendFile {
  const known = byPath.get(path);
  if (known !== undefined) {
    known.followPath();
    known.refs++;
    return known;
  }
  const file = new AppendFile(path, options);
  byPath.set(path, file);
  return file;
}

/** Give back one hold on `file`; the last one closes the descriptor. */
export function releaseAppendFile(file: AppendFile): void {
  if (--file.refs > 0) return;
  file.close();
  if (byPath.get(file.path) === file) byPath.delete(file.path);
}

/**
 * Check that `path` (absolute) can be opened for appending, as {@link acquireAppendFile} would
 * open it, and leave things as they were: no file is created at `path` (its folders, made with
 * `mkdir`, stay). Throws the OS error.
 *
 * A missing file is not created to see whether it can be: a check that created it and removed
 * it again would remove the records another process appended in between (processes that start
 * together on a new outfile lost 2–3 records in 400 that way, with a false "deleted" warning).
 * Instead a probe file with a fresh name, at least as long as the outfile's, is created and
 * removed in the folder where the outfile would be created (a dangling link's target's).
 */
export function checkAppendable(path: string, mkdir: boolean): void {
  if (byPath.has(path)) return; // open in this process already
  if (mkdir) makeDirectorySync(dirname(path));
  try {
    closeSync(openSync(path, constants.O_WRONLY | constants.O_APPEND));
    return;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const created = whereCreated(path);
  if (mkdir && created !== path) makeDirectorySync(dirname(created));
  probeCreate(created);
}

// internal ---------------------------------------------------------------------------------------

/** The most links followed to find where opening a path creates its file (as the kernel's 40). */
const MAX_LINK_HOPS = 40;

// The path whose file `open(path, O_CREAT)` creates: `path` itself, or the target a dangling
// link (or chain of links) ends at.
function whereCreated(path: string): string {
  let at = path;
  for (let hop = 0; hop < MAX_LINK_HOPS; hop++) {
    let target: string;
    try {
      target = readlinkSync(at);
    } catch {
      return at; // not a link (EINVAL) or nothing there (ENOENT): created here
    }
    at = resolvePath(dirname(at), target);
  }
  return at;
}

// Create and remove a fresh file beside `path`, named at least as long as its name, so a
// folder that refuses new files (or a name too long) fails here as the first open would.
function probeCreate(path: string): void {
  const nameBytes = Buffer.byteLength(basename(path));
  for (let attempt = 0; ; attempt++) {
    const stem = `.mb-probe-${process.pid}-${randomBytes(4).toString('hex')}`;
    const probe = join(dirname(path), stem.padEnd(nameBytes, '_'));
    let fd: number;
    try {
      fd = openSync(probe, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST' && attempt < 9) continue;
      throw renamed(error, probe, path);
    }
    closeSync(fd);
    unlinkSync(probe);
    return;
  }
}

// The probe's OS error as the outfile's own: the message names the outfile, not the probe.
function renamed(error: unknown, probe: string, path: string): unknown {
  const failure = error as NodeJS.ErrnoException;
  if (typeof failure.message === 'string')
    failure.message = failure.message.split(probe).join(path);
  if (failure.path === probe) failure.path = path;
  return failure;
}

// Open `path` for appending (creating it, and its folders with `mkdir`) and say which file it is.
function openAppend(path: string, mkdir: boolean): { fd: number; dev: number; ino: number } {
  if (mkdir) makeDirectorySync(dirname(path));
  const fd = openSync(path, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT, 0o644);
  try {
    const { dev, ino } = fstatSync(fd);
    return { fd, dev, ino };
  } catch (error) {
    closeSync(fd);
    throw error;
  }
}

// The path's dev/ino, or undefined when nothing is there (or it cannot be seen).
function statOrUndefined(path: string): { dev: number; ino: number } | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}
