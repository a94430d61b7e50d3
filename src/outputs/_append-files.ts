// internal: one O_APPEND descriptor per file, shared by every output of this process that
// appends to it.
//
//   fileOutput('out.jsonl') ──┐
//   fileOutput('out.jsonl') ──┼──► { fd, dev, ino, refs } ──► out.jsonl
//   (a bench per task, never  │
//    closed) ─────────────────┘
//
// A program that makes a bench per task and never closes them would otherwise hold a
// descriptor per bench, until it runs out of them. A descriptor is shared only while the path
// still names the file it was opened on: a file deleted or replaced since (a fresh results file
// between runs) gets a descriptor of its own, so no record goes to a file that is gone.
import { closeSync, constants, fstatSync, openSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { makeDirectorySync } from '../_make-directory.js';

/** A shared descriptor and how many outputs hold it. */
export interface AppendFile {
  readonly fd: number;
  readonly dev: number;
  readonly ino: number;
  refs: number;
}

const byPath = new Map<string, AppendFile>();

/**
 * A descriptor appending to `path` (absolute), shared with the other holders of the same file;
 * pair with {@link releaseAppendFile}. With `mkdir`, missing parent folders are created.
 */
export function acquireAppendFile(path: string, mkdir: boolean): AppendFile {
  const known = byPath.get(path);
  if (known !== undefined && namesFile(path, known)) {
    known.refs++;
    return known;
  }
  if (mkdir) makeDirectorySync(dirname(path));
  const fd = openSync(path, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT, 0o644);
  const { dev, ino } = fstatSync(fd);
  const file: AppendFile = { fd, dev, ino, refs: 1 };
  byPath.set(path, file);
  return file;
}

/** Give back one hold on `file`; the last one closes the descriptor. */
export function releaseAppendFile(path: string, file: AppendFile): void {
  if (--file.refs > 0) return;
  try {
    closeSync(file.fd);
  } catch {
    // Closed already.
  }
  if (byPath.get(path) === file) byPath.delete(path);
}

// `path` still names the file `file` was opened on.
function namesFile(path: string, file: AppendFile): boolean {
  try {
    const { dev, ino } = statSync(path);
    return dev === file.dev && ino === file.ino;
  } catch {
    return false;
  }
}
