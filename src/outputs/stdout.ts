import { writeSync } from 'node:fs';
import type { Output } from './output.js';

/**
 * Write each record as one JSON line to standard output (file descriptor 1), synchronously,
 * so a record is never lost when the process exits right after the call.
 */
export function stdoutOutput(options: { fd?: number } = {}): Output {
  const fd = options.fd ?? 1;
  return {
    name: 'stdout',
    write(_record, encode) {
      const data = Buffer.from(`${encode()}\n`, 'utf8');
      let offset = 0;
      while (offset < data.length) {
        try {
          offset += writeSync(fd, data, offset, data.length - offset);
        } catch (error) {
          // A non-blocking pipe that is full: wait briefly and retry.
          if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
          Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
        }
      }
    },
  };
}
