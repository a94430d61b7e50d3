// internal: one JSON line onto a file descriptor, in one write(2) when the kernel takes it all.
import { writeSync } from 'node:fs';

/** The two forms of `fs.writeSync` {@link writeLine} uses (tests pass one that writes short). */
export interface WriteSync {
  (fd: number, text: string): number;
  (fd: number, data: Buffer, offset: number, length: number): number;
}

/**
 * A write that failed after part of the text had reached the file (a disk that filled up
 * mid-record): the file now ends with a fragment, unless the bytes written ended on a newline.
 */
export class PartialWriteError extends Error {
  /** Bytes of the text that reached the file before the failure. */
  readonly writtenBytes: number;
  /** Bytes of the whole text. */
  readonly totalBytes: number;
  /** The file ends mid-line: the written bytes do not end with `\n`. */
  readonly endsMidLine: boolean;

  constructor(writtenBytes: number, totalBytes: number, endsMidLine: boolean, cause: unknown) {
    const why = cause instanceof Error ? cause.message : String(cause);
    super(
      `${why} (after ${writtenBytes} of ${totalBytes} bytes of the record had been written; ` +
        'that fragment stays in the file as one unreadable line, and the next record starts on a fresh line)',
      { cause },
    );
    this.name = 'PartialWriteError';
    this.writtenBytes = writtenBytes;
    this.totalBytes = totalBytes;
    this.endsMidLine = endsMidLine;
  }
}

/**
 * Write `text` to `fd`. The string goes straight to `writeSync`, which encodes it to UTF-8
 * without a JavaScript Buffer (cheaper per record than `Buffer.from` then write). A short write
 * (rare: disk full, a signal) returns a byte count, which cannot index the string, so the rest
 * is completed from a Buffer: the line is never torn, though then another process's line
 * could land in between.
 *
 * A write that throws before anything was written rethrows the error as it is; one that throws
 * after some bytes were written throws a {@link PartialWriteError} saying how many, and whether
 * the file now ends mid-line.
 */
export function writeLine(fd: number, text: string, write: WriteSync = writeSync): void {
  const written = write(fd, text);
  const length = Buffer.byteLength(text, 'utf8');
  if (written >= length) return;
  const data = Buffer.from(text, 'utf8');
  let offset = written;
  try {
    while (offset < length) offset += write(fd, data, offset, length - offset);
  } catch (error) {
    if (offset === 0) throw error;
    throw new PartialWriteError(offset, length, data[offset - 1] !== 0x0a, error);
  }
}
