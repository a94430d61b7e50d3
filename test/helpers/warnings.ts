/**
 * Fail a test on a process warning it did not expect. Call {@link watchWarnings} once at the top
 * of a test file: every test then fails when a warning was emitted during it and not taken
 * with `take()`.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before } from 'node:test';

/** The warnings a test file has seen. */
export interface WarningWatch {
  /** Warnings emitted so far and not yet taken (waits for pending `emitWarning` ticks first). */
  take(): Promise<Error[]>;
}

// Process warnings are emitted on the next tick; let them arrive.
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Install a `'warning'` listener for this file and check after each test that none was left. */
export function watchWarnings(): WarningWatch {
  const seen: Error[] = [];
  const listener = (warning: Error) => {
    seen.push(warning);
  };
  before(() => {
    process.on('warning', listener);
  });
  after(() => {
    process.off('warning', listener);
  });
  afterEach(async () => {
    await settle();
    const unexpected = seen.splice(0).map((w) => `${w.name}: ${w.message}`);
    assert.deepEqual(unexpected, [], 'the test emitted process warnings it did not expect');
  });
  return {
    async take() {
      await settle();
      return seen.splice(0);
    },
  };
}
