// The bounded capture of a command's output: everything up to the limit; past it, the first and
// last halves and a count of what was left out, whatever the chunk sizes.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CaptureBuffer } from '../../src/cli/_capture-buffer.js';

// Feed `data` in chunks of the given sizes (cycled).
function feed(limit: number, data: Buffer, sizes: number[]): ReturnType<CaptureBuffer['result']> {
  const buffer = new CaptureBuffer(limit);
  for (let at = 0, i = 0; at < data.length; i++) {
    const size = sizes[i % sizes.length]!;
    buffer.add(data.subarray(at, at + size));
    at += size;
  }
  return buffer.result('stdout');
}

const ascii = (length: number) =>
  Buffer.from(Array.from({ length }, (_, i) => String.fromCharCode(97 + (i % 26))).join(''));

describe('CaptureBuffer', () => {
  test('up to the limit, everything is kept as it came', () => {
    const data = ascii(1000);
    assert.deepEqual(feed(1000, data, [7, 300, 1]), { text: data.toString(), droppedBytes: 0 });
    assert.deepEqual(feed(4096, Buffer.alloc(0), [1]), { text: '', droppedBytes: 0 });
  });

  test('past it, the first and last halves stay, with a line saying how much went', () => {
    const data = ascii(10_000);
    const half = 500;
    const expected =
      `${data.subarray(0, half).toString()}\n` +
      `[microbench: 9000 bytes of stdout left out here (--capture-limit 1000: the first and last 500 bytes are kept, to whole characters)]\n` +
      `${data.subarray(data.length - half).toString()}`;
    // Chunks much smaller than the limit, about its size, and one chunk larger than all of it.
    for (const sizes of [[1], [7, 13], [499, 501], [999], [1001], [4000], [10_000], [3, 5000]]) {
      assert.deepEqual(feed(1000, data, sizes), { text: expected, droppedBytes: 9000 }, `${sizes}`);
    }
  });

  test('cuts inside multi-byte characters leave the character out whole, never U+FFFD', () => {
    // 1-, 2-, 3- and 4-byte characters in turn, so every limit cuts some of them.
    const text = 'aé€😀'.repeat(400);
    const data = Buffer.from(text);
    for (let limit = 20; limit < 60; limit++) {
      for (const sizes of [[1], [5, 3], [data.length]]) {
        const result = feed(limit, data, sizes);
        const [head, tail] = result.text.split(/\n\[microbench: .*\]\n/);
        assert.ok(head !== undefined && tail !== undefined, result.text);
        assert.ok(
          !result.text.includes('\uFFFD'),
          `limit ${limit}, chunks ${sizes}: ${result.text}`,
        );
        assert.ok(text.startsWith(head), `limit ${limit}: head ${head}`);
        assert.ok(text.endsWith(tail), `limit ${limit}: tail ${tail}`);
        // At most 3 bytes of a cut character go from each half, and the count says so.
        const half = Math.floor(limit / 2);
        const headBytes = Buffer.byteLength(head);
        const tailBytes = Buffer.byteLength(tail);
        assert.ok(headBytes <= half && headBytes >= half - 3, `head ${headBytes} of ${half}`);
        assert.ok(tailBytes <= half && tailBytes >= half - 3, `tail ${tailBytes} of ${half}`);
        assert.equal(result.droppedBytes, data.length - headBytes - tailBytes);
      }
    }
  });

  test('random chunkings and limits agree with the definition', () => {
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let round = 0; round < 200; round++) {
      const data = ascii(random(5000));
      const limit = 2 + random(3000);
      const sizes = Array.from({ length: 1 + random(5) }, () => 1 + random(1500));
      const { text, droppedBytes } = feed(limit, data, sizes);
      if (data.length <= limit) {
        assert.equal(text, data.toString());
        assert.equal(droppedBytes, 0);
        continue;
      }
      const half = Math.floor(limit / 2);
      assert.equal(droppedBytes, data.length - 2 * half);
      assert.ok(text.startsWith(data.subarray(0, half).toString()));
      assert.ok(text.endsWith(data.subarray(data.length - half).toString()));
      assert.ok(text.includes(`[microbench: ${droppedBytes} bytes of stdout left out here`));
    }
  });
});
