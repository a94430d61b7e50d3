// internal: one JSON line onto a file descriptor, in one write(2) when the kernel takes it all.
import { writeSync } from 'node:fs';

/** The two forms of `fs.writeSync` {@link writeLine} uses (tests pass one that writes short). */
export interface WriteSync {
  (fd: number, text: string): number;
  (fd: number, data: Buffer, offset: number, length: number): number;
}

/**
 * Write `line` to `fd`. The string goes straight to `writeSync`, which encodes it to UTF-8
 * without a JavaScript Buffer (cheaper per record than `Buffer.from` then write). A short write
 * (rare: disk full, a signal) returns a byte count, which cannot index the string, so the rest
 * is completed from a Buffer: the line is never torn, though then another process's line
 * could land in between.
 */
export function writeLine(fd: number, line: string, write: WriteSync = writeSync): void {
  const written = write(fd, line);
  const length = Buffer.byteLength(line, 'utf8');
  if (written >= length) return;
  const data = Buffer.from(line, 'utf8');
  let offset = written;
  while (offset < length) offset += write(fd, data, offset, length - offset);
}
