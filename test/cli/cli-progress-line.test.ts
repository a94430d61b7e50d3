// The progress line of multi-iteration runs: only on a terminal, in place when the command
// cannot write to that terminal, one line per update otherwise.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createProgress, shouldShowProgress } from '../../src/cli/_progress.js';

// A fake terminal stream that keeps what was written.
function fakeStream(isTTY = true) {
  const writes: string[] = [];
  return { isTTY, writes, write: (text: string) => writes.push(text) };
}

describe('progress line', () => {
  test('is shown only on a terminal, for more than one run, and not with TERM=dumb', () => {
    assert.equal(shouldShowProgress(fakeStream(true), 3, {}), true);
    assert.equal(shouldShowProgress(fakeStream(false), 3, {}), false);
    assert.equal(shouldShowProgress(fakeStream(true), 1, {}), false);
    assert.equal(shouldShowProgress(fakeStream(true), 3, { TERM: 'dumb' }), false);
  });

  test('in place: redraws one line with \\r and clears it at the end', () => {
    const stream = fakeStream();
    let now = 0;
    const progress = createProgress({
      stream,
      iterations: 3,
      warmup: 1,
      inPlace: true,
      now: () => now,
    });
    progress.start('warmup', 1);
    progress.finish();
    progress.start('timed', 1);
    now = 2000;
    progress.finish(2);
    progress.start('timed', 2);
    progress.done();
    assert.equal(stream.writes[0], '\r\x1b[Kmicrobench: warmup 1/1');
    assert.equal(stream.writes[1], '\r\x1b[Kmicrobench: iteration 1/3, running 0.000s');
    assert.equal(
      stream.writes[2],
      '\r\x1b[Kmicrobench: iteration 2/3, running 0.000s, last 2.000s, mean 2.000s, about 4.000s left',
    );
    assert.equal(stream.writes.at(-1), '\r\x1b[K');
    for (const text of stream.writes) assert.equal(text.includes('\n'), false);
  });

  test('line mode: whole lines, at most one a second, nothing to clear', () => {
    const stream = fakeStream();
    let now = 0;
    const progress = createProgress({
      stream,
      iterations: 4,
      warmup: 0,
      inPlace: false,
      now: () => now,
    });
    progress.start('timed', 1);
    now = 100;
    progress.finish(0.1);
    progress.start('timed', 2); // within the second: skipped
    now = 1200;
    progress.finish(1.1);
    progress.start('timed', 3);
    progress.done();
    assert.deepEqual(stream.writes, [
      'microbench: iteration 1/4\n',
      'microbench: iteration 3/4, last 1.100s, mean 0.600s, about 1.200s left\n',
    ]);
  });
});
