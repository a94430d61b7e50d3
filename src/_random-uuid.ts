// internal: a random UUID without loading Web Crypto.
//
// `crypto.randomUUID()` is the obvious call, but its first use loads Node's whole crypto layer
// (key objects, Web Crypto, hashing: about 5 ms on a small VM), a large share of the CLI's start-up
// for one identifier. Sixteen bytes from the kernel's generator give the same kind of UUID.
import { closeSync, openSync, readSync } from 'node:fs';

/**
 * A random version 4 UUID (`xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx`), from `/dev/urandom` where
 * the system has one, else from `crypto.randomUUID()`.
 */
export function randomUuid(): string {
  const bytes = readSystemRandom(16);
  if (bytes === undefined) return globalThis.crypto.randomUUID();
  bytes[6] = (bytes[6]! & 0x0f) | 0x40; // version 4
  bytes[8] = (bytes[8]! & 0x3f) | 0x80; // RFC 9562 variant
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

// `length` bytes from /dev/urandom; undefined where it cannot be read (Windows, a bare chroot).
function readSystemRandom(length: number): Buffer | undefined {
  let fd: number | undefined;
  try {
    fd = openSync('/dev/urandom', 'r');
    const bytes = Buffer.alloc(length);
    let filled = 0;
    while (filled < length) {
      const n = readSync(fd, bytes, filled, length - filled, null);
      if (n <= 0) return undefined;
      filled += n;
    }
    return bytes;
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
