import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { OptionError } from '../errors.js';
import { readJsonLines } from '../record/read-jsonl.js';
import type { BenchRecord } from '../record/record.js';
import {
  type AppendFile,
  acquireAppendFile,
  checkAppendable,
  releaseAppendFile,
} from './_append-files.js';
import { asError } from './_as-error.js';
import type { Output } from './output.js';
import { expandPathPlaceholders } from './path-placeholders.js';

/** Options of {@link fileOutput}. */
export interface FileOutputOptions {
  /** Create missing parent directories. @default true */
  mkdir?: boolean;
  /**
   * Receives the warning given when the file was deleted, renamed or replaced and its path
   * opened again. @default a `MicrobenchOutputWarning` process warning
   */
  warn?: (message: string) => void;
}

/** A JSON Lines file output. */
export interface FileOutput extends Output {
  /** Absolute path of the file, placeholders replaced. */
  readonly path: string;
  /** Checks that the path still names the file (following it if not; see {@link fileOutput}). */
  flush(): Promise<void>;
  /** Releases the descriptor (the next record opens it again). */
  close(): Promise<void>;
  getResults(): Promise<BenchRecord[]>;
}

/**
 * Append records to a JSON Lines file. Each record is written with a single `write(2)` on
 * an `O_APPEND` descriptor, so the processes of one machine can share one file without torn or
 * interleaved lines (on a network filesystem, appends from different machines can interleave:
 * give each node its own file with a placeholder, or use Redis).
 *
 * `path` may hold placeholders: `{hostname}`, `{pid}`, `{run_id}`, `{env:NAME}` (see
 * {@link expandPathPlaceholders}). The path is checked here (an existing file opened for
 * appending, a missing one's folder shown to accept a new file; its folders are created, the file
 * itself only by the first record), so an unwritable path is an `OptionError` now rather than a
 * lost record later. The descriptor is opened on the first
 * record and kept until `close()`; file outputs of one process that append to the same file share one
 * descriptor, so outputs that are never closed do not pile them up. When the file is deleted,
 * renamed or replaced, its path is opened again (with one warning) and later records go there;
 * after a write that failed part-way (a full disk), the next record starts on a fresh line.
 *
 * @throws OptionError for an empty path, a bad placeholder, or a file that cannot be opened
 *   for appending (naming the path and the OS error).
 */
export function fileOutput(path: string, options: FileOutputOptions = {}): FileOutput {
  if (typeof path !== 'string' || path === '') {
    throw new OptionError(
      `Expected \`outfile\` to be a non-empty file path, got ${JSON.stringify(path)} (${typeof path})`,
    );
  }
  const expanded = expandPathPlaceholders(path, '`outfile`');
  const absolute = resolve(expanded);
  const openOptions = { mkdir: options.mkdir !== false, warn: options.warn };
  validateOutfileWritable(absolute, openOptions);
  let file: AppendFile | undefined;
  return {
    name: `file:${expanded}`,
    path: absolute,
    write(_record, encode) {
      file ??= acquireAppendFile(absolute, openOptions);
      file.append(encode());
    },
    // Records delivered together (the records one telemetry sample completes): one write(2).
    writeBatch(batch) {
      file ??= acquireAppendFile(absolute, openOptions);
      const lines: string[] = [];
      // A record that cannot be encoded fails alone (its error here); the others are written.
      let unencoded: (Error | undefined)[] | undefined;
      for (const [i, { encode }] of batch.entries()) {
        try {
          lines.push(encode());
        } catch (error) {
          unencoded ??= [];
          unencoded[i] = asError(error);
        }
      }
      const written = file.appendMany(lines);
      if (unencoded === undefined) return written;
      // The write's errors are by line: line k is the k-th record that was encoded.
      const errors: (Error | undefined)[] = [];
      let line = 0;
      for (let i = 0; i < batch.length; i++) {
        errors.push(unencoded[i] ?? written?.[line]);
        if (unencoded[i] === undefined) line++;
      }
      return errors;
    },
    // A deleted file's recent lines are written again to the new one now, not at the next check.
    async flush() {
      file?.followPath();
    },
    async close() {
      if (file === undefined) return;
      const held = file;
      file = undefined;
      try {
        held.followPath();
      } finally {
        releaseAppendFile(held);
      }
    },
    async getResults() {
      if (!existsSync(absolute)) return [];
      const records: BenchRecord[] = [];
      for await (const entry of readJsonLines(absolute)) records.push(entry.value as BenchRecord);
      return records;
    },
  };
}

/**
 * Check that `path` (absolute) can be opened for appending as {@link fileOutput} will open it
 * (creating no file at `path`), or throw an `OptionError` naming the path and
 * the OS error (with it as `cause`); `what` names the option in the message.
 */
export function validateOutfileWritable(
  path: string,
  options: { readonly mkdir: boolean },
  what = '`outfile`',
): void {
  try {
    checkAppendable(path, options.mkdir);
  } catch (cause) {
    throw new OptionError(
      `${what} ${JSON.stringify(path)}: cannot open it for appending (${describeOsError(cause)}). Choose a path in a folder you can write to`,
      { cause },
    );
  }
}

// `ENOENT: no such file or directory` from a Node system error; its message otherwise.
function describeOsError(error: unknown): string {
  const { code, message } = error as NodeJS.ErrnoException;
  if (typeof code === 'string' && typeof message === 'string') {
    const why = /^[A-Z]+: ([^,]+)/.exec(message)?.[1];
    return why ? `${code}: ${why}` : message;
  }
  return error instanceof Error ? error.message : String(error);
}
