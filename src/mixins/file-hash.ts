import { createHash, getHashes } from 'node:crypto';
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { OptionError } from '../errors.js';
import { describeValue, validateOptionKeys, validateStringArray } from './_options.js';
import { defineMixin, type Mixin } from './mixin.js';

/** Options of {@link fileHash}. */
export interface FileHashOptions {
  /**
   * Files to hash; keys of `file_hashes` are these strings exactly as given. Each must be an
   * existing regular file (checked at construction).
   * @default [process.argv[1]] (the main script), or [] when there is none
   */
  files?: string[];
  /** A hash algorithm `crypto.getHashes()` lists. @default 'sha256' */
  algorithm?: string;
}

const CHUNK_BYTES = 64 * 1024;

/**
 * Hashes of named files, so a record says exactly which code or data produced it:
 * `file_hashes` (`{path: hex digest}`) and `file_hash_algorithm` (left out when no file was
 * hashed). A file is re-hashed only when its size, modification time or inode changed since the
 * last call; otherwise the previous digest is reused. A file deleted after construction makes
 * the capture throw, which the bench records under `mixin_errors`.
 */
export function fileHash(options?: FileHashOptions): Mixin {
  const raw = validateOptionKeys(options, 'fileHash', ['files', 'algorithm']);
  const files =
    raw.files === undefined ? defaultFiles() : validateStringArray(raw.files, 'files', []);
  files.forEach((file, i) => {
    validateRegularFile(file, `files[${i}]`);
  });
  const algorithm = validateAlgorithm(raw.algorithm);
  const hashes = new Map<string, { stamp: string; digest: string }>();
  return defineMixin({
    name: 'file-hash',
    description: 'Hashes (SHA-256 by default) of the main script or named files',
    capture(record) {
      const out: Record<string, string> = {};
      for (const file of files) {
        const stat = statSync(file);
        const stamp = `${stat.size}:${stat.mtimeMs}:${stat.ctimeMs}:${stat.ino}`;
        let known = hashes.get(file);
        if (known?.stamp !== stamp) {
          known = { stamp, digest: hashFile(file, algorithm) };
          hashes.set(file, known);
        }
        out[file] = known.digest;
      }
      record.file_hashes = out;
      if (files.length > 0) record.file_hash_algorithm = algorithm;
    },
  });
}

/** The hex digest of a file's content, read in 64 KiB chunks. */
export function hashFile(file: string, algorithm = 'sha256'): string {
  const hash = createHash(algorithm);
  const fd = openSync(file, 'r');
  try {
    const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
    for (;;) {
      const n = readSync(fd, buffer, 0, CHUNK_BYTES, null);
      if (n === 0) break;
      hash.update(buffer.subarray(0, n));
    }
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}

// The main script, when there is one on disk (not `node -e`, not the REPL).
function defaultFiles(): string[] {
  const script = process.argv[1];
  if (!script || script.startsWith('-')) return [];
  try {
    return statSync(script).isFile() ? [script] : [];
  } catch {
    return [];
  }
}

// Throw an OptionError unless `file` is an existing regular file.
function validateRegularFile(file: string, name: string): void {
  let isFile: boolean;
  try {
    isFile = statSync(file).isFile();
  } catch {
    throw new OptionError(
      `Expected \`${name}\` to be an existing file, got ${describeValue(file)}, which does not exist. ` +
        'Check the path (relative paths are resolved against the working directory).',
    );
  }
  if (!isFile) {
    throw new OptionError(
      `Expected \`${name}\` to be a regular file, got ${describeValue(file)}, which is a directory or special file.`,
    );
  }
}

// The algorithm as crypto.getHashes() spells it (matched case-insensitively), else an OptionError.
function validateAlgorithm(value: unknown): string {
  if (value === undefined) return 'sha256';
  const available = getHashes();
  const match =
    typeof value === 'string'
      ? (available.find((h) => h === value) ??
        available.find((h) => h.toLowerCase() === value.toLowerCase()))
      : undefined;
  if (match === undefined) {
    throw new OptionError(
      'Expected `algorithm` to be a hash algorithm listed by crypto.getHashes() ' +
        `(e.g. sha256, sha512, sha3-256, md5), got ${describeValue(value)}.`,
    );
  }
  return match;
}
