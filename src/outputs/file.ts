import { closeSync, constants, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { BenchRecord } from '../bench/record.js';
import { OptionError } from '../errors.js';
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
 * opened on the first record and kept until `close()`.
 */
export function fileOutput(path: string, options: FileOutputOptions = {}): FileOutput {
  if (typeof path !== 'string' || path === '') {
    throw new OptionError(
      `Expected \`outfile\` to be a non-empty file path, got ${JSON.stringify(path)} (${typeof path})`,
    );
  }
  const absolute = resolve(path);
  let fd: number | undefined;
  const open = (): number => {
    if (fd === undefined) {
      if (options.mkdir !== false) mkdirSync(dirname(absolute), { recursive: true });
      fd = openSync(absolute, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT, 0o644);
    }
    return fd;
  };
  return {
    name: `file:${path}`,
    path: absolute,
    write(_record, encode) {
      writeLine(open(), `${encode()}\n`);
    },
    async flush() {},
    async close() {
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
    },
    async getResults() {
      if (!existsSync(absolute)) return [];
      return readJsonLinesFile(absolute).records;
    },
  };
}
