// internal: the CLI's bounded capture of a wrapped command's stdout/stderr (`--capture-limit`).
//
//   bytes ──► head (first limit/2) ──► tail (latest limit/2, older chunks dropped) ──► text
//             with a marker line between them saying how many bytes were left out

/** What one run captured of a stream, and how many bytes in its middle were left out. */
export interface CapturedText {
  readonly text: string;
  readonly droppedBytes: number;
}

/**
 * The bytes of a stream with bounded memory: all of them up to `limit`; past it, the first
 * limit/2 bytes and the most recent limit/2 bytes (a long log's start and its end, where an
 * error usually is), and a count of the bytes in between.
 */
export class CaptureBuffer {
  readonly #half: number;
  readonly #limit: number;
  // Every chunk while the total is within the limit; past it, the first half only.
  readonly #head: Buffer[] = [];
  readonly #tail: Buffer[] = [];
  #tailBytes = 0;
  #total = 0;

  constructor(limit: number) {
    this.#limit = limit;
    this.#half = Math.floor(limit / 2);
  }

  add(chunk: Buffer): void {
    const wasUnder = this.#total <= this.#limit;
    this.#total += chunk.length;
    if (wasUnder) {
      // Everything so far is in the head; the chunk that crosses the limit moves what is past
      // the first half to the tail.
      this.#head.push(chunk);
      if (this.#total > this.#limit) this.#spillHead();
    } else {
      this.#tail.push(chunk);
      this.#tailBytes += chunk.length;
    }
    while (this.#tail.length > 1 && this.#tailBytes - this.#tail[0]!.length >= this.#half) {
      this.#tailBytes -= this.#tail.shift()!.length;
    }
  }

  /** The text kept (UTF-8), with a line where bytes were left out, and their count. */
  result(name: string): CapturedText {
    if (this.#total <= this.#limit) {
      return { text: Buffer.concat(this.#head).toString('utf8'), droppedBytes: 0 };
    }
    // Both cuts land on character boundaries: a multi-byte character split by a cut is left
    // out whole rather than shown as U+FFFD.
    const head = Buffer.concat(this.#head);
    const headEnd = completeEnd(head);
    let tail = Buffer.concat(this.#tail);
    if (tail.length > this.#half) tail = tail.subarray(tail.length - this.#half);
    tail = tail.subarray(characterStart(tail));
    const kept = head.subarray(0, headEnd);
    const droppedBytes = this.#total - kept.length - tail.length;
    const note = `\n[microbench: ${droppedBytes} bytes of ${name} left out here (--capture-limit ${this.#limit}: the first and last ${this.#half} bytes are kept, to whole characters)]\n`;
    return { text: kept.toString('utf8') + note + tail.toString('utf8'), droppedBytes };
  }

  // The head holds more than its half: move the excess to the tail (empty until now).
  #spillHead(): void {
    const head = Buffer.concat(this.#head);
    this.#head.length = 0;
    this.#head.push(head.subarray(0, this.#half));
    const rest = head.subarray(this.#half);
    this.#tail.push(rest);
    this.#tailBytes = rest.length;
  }
}

// UTF-8: the length of a sequence from its lead byte (1 for ASCII and for bytes that cannot lead).
function sequenceLength(lead: number): number {
  if (lead >= 0xf0 && lead <= 0xf7) return 4;
  if (lead >= 0xe0) return lead <= 0xef ? 3 : 1;
  if (lead >= 0xc0) return 2;
  return 1;
}

const isContinuation = (byte: number): boolean => (byte & 0xc0) === 0x80;

// Where `bytes` ends without a character cut short: before a last sequence that is incomplete.
function completeEnd(bytes: Buffer): number {
  let start = bytes.length - 1;
  while (start > 0 && bytes.length - start < 4 && isContinuation(bytes[start]!)) start--;
  if (start < 0 || isContinuation(bytes[start]!)) return bytes.length; // not UTF-8 text here
  return start + sequenceLength(bytes[start]!) > bytes.length ? start : bytes.length;
}

// Where the first whole character of `bytes` starts (past up to three continuation bytes).
function characterStart(bytes: Buffer): number {
  let start = 0;
  while (start < 3 && start < bytes.length && isContinuation(bytes[start]!)) start++;
  return start < bytes.length && isContinuation(bytes[start]!) ? 0 : start;
}
