/**
 * The one streaming JSON Lines reader every results reader goes through.
 *
 *   file or stdin ──chunks (1 MiB)──► split on '\n' bytes ──► one line at a time ──► JSON.parse
 *                                     (a line may span chunks)                     │
 *                                                                                  ├─ object → yielded
 *                                                                                  └─ else   → onProblem
 *
 * Memory is bounded by the longest line, never by the file: a file of any size is read, one
 * line at a time, with the 1-based line number of each entry and of each line that is skipped.
 */

import { closeSync, createReadStream, openSync, readSync } from 'node:fs';
import { InputError } from '../errors.js';

/** One JSON object read from one line. */
export interface JsonLinesEntry {
  /** The file it was read from (`-` for standard input). */
  readonly file: string;
  /** 1-based line number. */
  readonly line: number;
  /** The parsed object. */
  readonly value: Record<string, unknown>;
}

/** A non-blank line that was skipped: not JSON, not a JSON object, or too long to hold. */
export interface JsonLinesProblem {
  /** The file it was read from (`-` for standard input). */
  readonly file: string;
  /** 1-based line number. */
  readonly line: number;
  /** Why it was skipped, e.g. `not a JSON object` or the parser's message. */
  readonly message: string;
}

/** Options of {@link readJsonLines}. */
export interface ReadJsonLinesOptions {
  /** Called once per skipped line; without it skipped lines are dropped silently. */
  onProblem?: (problem: JsonLinesProblem) => void;
  /**
   * The longest line held in memory, in bytes; a longer line is skipped and reported.
   * @default 256 MiB (below V8's string limit, so a huge line is a reported problem, not a crash)
   */
  maxLineBytes?: number;
}

/** Bytes read per chunk. */
const CHUNK_BYTES = 1 << 20;
/** Default longest line held: half of V8's ~512 MiB string limit. */
const DEFAULT_MAX_LINE_BYTES = 256 * 1024 * 1024;
const NEWLINE = 0x0a;

/**
 * Read a JSON Lines file (or standard input, as `-`) line by line. Blank lines are skipped;
 * a line that is not a JSON object is reported through `onProblem` with its line number.
 * A missing or unreadable file is an `InputError` naming the path and the cause.
 */
export async function* readJsonLines(
  file: string,
  options: ReadJsonLinesOptions = {},
): AsyncGenerator<JsonLinesEntry, void, undefined> {
  const lines = new LineSplitter(file, options);
  for await (const chunk of openStream(file)) yield* lines.push(chunk);
  yield* lines.end();
}

/**
 * {@link readJsonLines} for synchronous callers (journal recovery): the same lines, entries and
 * problems, read with `readSync` in 1 MiB chunks, so memory is still bounded by the longest line.
 */
export function* readJsonLinesSync(
  file: string,
  options: ReadJsonLinesOptions = {},
): Generator<JsonLinesEntry, void, undefined> {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (cause) {
    throw toInputError(file, cause);
  }
  try {
    const lines = new LineSplitter(file, options);
    const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
    for (;;) {
      let bytes: number;
      try {
        bytes = readSync(fd, buffer, 0, CHUNK_BYTES, null);
      } catch (cause) {
        throw toInputError(file, cause);
      }
      if (bytes === 0) break;
      // A copy: the splitter may keep the tail of this chunk while the buffer is reused.
      yield* lines.push(Buffer.from(buffer.subarray(0, bytes)));
    }
    yield* lines.end();
  } finally {
    closeSync(fd);
  }
}

// Chunks in, parsed lines out: a line may span chunks; one longer than the limit is skipped.
class LineSplitter {
  readonly #file: string;
  readonly #maxLineBytes: number;
  readonly #report: (problem: JsonLinesProblem) => void;
  #lineNumber = 0;
  // The start of a line that the chunks so far did not finish.
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  // Set while the rest of an over-long line is being skipped.
  #skipping = false;

  constructor(file: string, options: ReadJsonLinesOptions) {
    this.#file = file;
    this.#maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
    this.#report = options.onProblem ?? (() => {});
  }

  *push(buffer: Buffer): Generator<JsonLinesEntry> {
    let start = 0;
    for (;;) {
      const end = buffer.indexOf(NEWLINE, start);
      if (end === -1) break;
      if (this.#skipping) {
        this.#skipping = false;
      } else if (this.#pendingBytes === 0) {
        yield* this.#emit(buffer.subarray(start, end));
      } else {
        this.#pending.push(buffer.subarray(start, end));
        const whole = Buffer.concat(this.#pending, this.#pendingBytes + end - start);
        this.#pending = [];
        this.#pendingBytes = 0;
        yield* this.#emit(whole);
      }
      start = end + 1;
    }
    if (start < buffer.length && !this.#skipping) {
      this.#pending.push(buffer.subarray(start));
      this.#pendingBytes += buffer.length - start;
      if (this.#pendingBytes > this.#maxLineBytes) {
        this.#lineNumber += 1;
        this.#report({
          file: this.#file,
          line: this.#lineNumber,
          message: `line longer than ${this.#maxLineBytes} bytes`,
        });
        this.#pending = [];
        this.#pendingBytes = 0;
        this.#skipping = true;
      }
    }
  }

  // The last line, when the file does not end with a newline.
  *end(): Generator<JsonLinesEntry> {
    if (!this.#skipping && this.#pendingBytes > 0) {
      yield* this.#emit(Buffer.concat(this.#pending, this.#pendingBytes));
    }
  }

  *#emit(bytes: Buffer): Generator<JsonLinesEntry> {
    this.#lineNumber += 1;
    // The limit holds for every line, also one that arrived whole in a chunk (the check in
    // push() only keeps an unfinished one from growing past it).
    if (bytes.length > this.#maxLineBytes) {
      this.#report({
        file: this.#file,
        line: this.#lineNumber,
        message: `line longer than ${this.#maxLineBytes} bytes`,
      });
      return;
    }
    const entry = parseLine(bytes, this.#file, this.#lineNumber, this.#report);
    if (entry !== null) yield entry;
  }
}

/** The file (or stdin) as a stream of Buffers; open errors become an `InputError`. */
async function* openStream(file: string): AsyncGenerator<Buffer> {
  if (file === '-') {
    for await (const chunk of process.stdin) {
      yield typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    }
    return;
  }
  const stream = createReadStream(file, { highWaterMark: CHUNK_BYTES });
  try {
    for await (const chunk of stream) yield chunk as Buffer;
  } catch (cause) {
    throw toInputError(file, cause);
  } finally {
    stream.destroy();
  }
}

/** One line as an entry, or `null` when it is blank or a reported problem. */
function parseLine(
  bytes: Buffer,
  file: string,
  line: number,
  report: (problem: JsonLinesProblem) => void,
): JsonLinesEntry | null {
  let text = bytes.toString('utf8');
  if (line === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  text = text.trim();
  if (text === '') return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const message = text.startsWith('{')
      ? `not valid JSON (a torn or unfinished line?): ${(error as Error).message}`
      : `not valid JSON: ${(error as Error).message}`;
    report({ file, line, message });
    return null;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    report({ file, line, message: 'not a JSON object' });
    return null;
  }
  return { file, line, value: value as Record<string, unknown> };
}

/** A read failure as an `InputError` that names the file and says why in words. */
export function toInputError(file: string, cause: unknown): InputError {
  const code = (cause as NodeJS.ErrnoException).code;
  const why =
    code === 'ENOENT'
      ? 'no such file'
      : code === 'EISDIR'
        ? 'it is a directory'
        : code === 'EACCES' || code === 'EPERM'
          ? 'permission denied'
          : String(code ?? (cause as Error).message ?? cause);
  return new InputError(`Cannot read results file ${JSON.stringify(file)}: ${why}`, { cause });
}
