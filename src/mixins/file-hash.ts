import { createHash, getHashes } from 'node:crypto';
import { accessSync, closeSync, constants, openSync, readSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { OptionError } from '../errors.js';
import { describeValue, validateOptionKeys, validateStringArray } from './_options.js';
import { defineMixin, type Mixin } from './mixin.js';

/** Options of {@link fileHash}. */
export interface FileHashOptions {
  /**
   * Files to hash; keys of `file_hashes` are these strings exactly as given. Each must be an
   * existing regular file (checked at construction).
   * @default [process.argv[1]] (the main script; [] when there is none); for the CLI, the
   * command's executable and its file arguments
   */
  files?: string[];
  /** A hash algorithm `crypto.getHashes()` lists. @default 'sha256' */
  algorithm?: string;
}

const CHUNK_BYTES = 64 * 1024;

/**
 * Hashes of named files, so a record says exactly which code or data produced it:
 * `file_hashes` (`{path: hex digest}`) and `file_hash_algorithm` (left out when no file was
 * hashed). Without `files`, a library call hashes the main script and a CLI run hashes the
 * command's executable and its file arguments ({@link detectCommandFiles}). A file is re-hashed only when its size, modification time or inode changed since the
 * last call; otherwise the previous digest is reused. A file deleted after construction makes
 * the capture throw, which the bench records under `mixin_errors`.
 */
export function fileHash(options?: FileHashOptions): Mixin {
  const raw = validateOptionKeys(options, 'fileHash', ['files', 'algorithm']);
  const given = raw.files === undefined ? undefined : validateStringArray(raw.files, 'files', []);
  given?.forEach((file, i) => {
    validateRegularFile(file, `files[${i}]`);
  });
  const algorithm = validateAlgorithm(raw.algorithm);
  const scriptFiles = given ?? defaultFiles();
  const hashes = new Map<string, { stamp: string; digest: string }>();
  return defineMixin({
    name: 'file-hash',
    description: 'Hashes (SHA-256 by default) of the main script or named files',
    capture(record, ctx) {
      const files =
        given ??
        (ctx.invocation === 'cli' && ctx.command ? detectCommandFiles(ctx.command) : scriptFiles);
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

/**
 * The files a command line names, for hashing (microbench's CLI default): the executable
 * (`command[0]` looked up on PATH, or as a path) plus every later argument that is an existing
 * regular file; flags, directories and missing paths are skipped, duplicates collapse.
 */
export function detectCommandFiles(
  command: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): string[] {
  const files = new Set<string>();
  const [program, ...args] = command;
  if (program) {
    const found = findExecutable(program, env);
    if (found) files.add(found);
  }
  for (const arg of args) if (isRegularFile(arg)) files.add(arg);
  return [...files];
}

// `shutil.which`: a name with a slash is a path; otherwise the first executable file on PATH.
function findExecutable(program: string, env: NodeJS.ProcessEnv): string | undefined {
  if (program.includes('/')) return isRegularFile(program) ? program : undefined;
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir || '.', program);
    if (!isRegularFile(candidate)) continue;
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not executable by us: keep looking, like the shell does
    }
  }
  return isRegularFile(program) ? program : undefined;
}

// Whether `path` is an existing regular file (symlinks followed).
function isRegularFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
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
  return script && !script.startsWith('-') && isRegularFile(script) ? [script] : [];
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
