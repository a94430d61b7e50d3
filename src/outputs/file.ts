import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { OptionError } from '../errors.js';
import type { BenchRecord } from '../record/record.js';
import { type AppendFile, acquireAppendFile, releaseAppendFile } from './_append-files.js';
import { readJsonLinesFile } from './_jsonl.js';
import { writeLine } from './_write-line.js';
import type { Output } from './output.js';

/** Options of {@link fileOutput}. */
export interface FileOutputOptions {
  /** Create missing parent directories. @default true */
  mkdir?: boolean;
}

/** A JSON Lines file output. */
export interface FileOutput extends Output {
  /** Absolute path of the file. */
  readonly path: string;
  getResults(): Promise<BenchRecord[]>;
}

/**
 * Append records to a JSON Lines file. Each record is written with a single `write(2)` on
 * an `O_APPEND` descriptor, so many processes (and hosts on a POSIX shared filesystem that
 * honours O_APPEND) can share one file without torn or interleaved lines. The descriptor is
 * opened on the first record and kept until `close()`; file outputs of one process that append
 * to the same file share one descriptor, so outputs that are never closed do not pile them up.
 */
export function fileOutput(path: string, options: FileOutputOptions = {}): FileOutput {
  if (typeof path !== 'string' || path === '') {
    throw new OptionError(
      `Expected \`outfile\` to be a non-empty file path, got ${JSON.stringify(path)} (${typeof path})`,
    );
  }
  const absolute = resolve(path);
  let file: AppendFile | undefined;
  const open = (): number => {
    file ??= acquireAppendFile(absolute, options.mkdir !== false);
    return file.fd;
  };
  return {
    name: `file:${path}`,
    path: absolute,
    write(_record, encode) {
      writeLine(open(), `${encode()}\n`);
    },
    async flush() {},
    async close() {
      if (file !== undefined) releaseAppendFile(absolute, file);
      file = undefined;
    },
    async getResults() {
      if (!existsSync(absolute)) return [];
      return readJsonLinesFile(absolute).records;
    },
  };
}
