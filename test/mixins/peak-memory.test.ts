import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { peakMemory } from '../../src/mixins/peak-memory.js';
import { makeTempDir, runMixins } from './_run-mixins.js';

const temp = makeTempDir('peak');
const MiB = 1024 * 1024;

// Run a full garbage collection (so a freed Buffer's memory goes back to the system).
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

// A fake root with proc/self/status (VmHWM in kB) and, optionally, a writable clear_refs.
function fakeProc(name: string, hwmKb: number, clearRefs: boolean): string {
  const root = join(temp.dir, name);
  mkdirSync(join(root, 'proc', 'self'), { recursive: true });
  writeFileSync(
    join(root, 'proc', 'self', 'status'),
    `Name:\tnode\nVmHWM:\t  ${hwmKb} kB\nVmRSS:\t 100 kB\n`,
  );
  if (clearRefs) writeFileSync(join(root, 'proc', 'self', 'clear_refs'), '');
  return root;
}

describe('peak-memory', () => {
  after(() => temp.remove());

  test('peak RSS and peak heap cover memory held during the call', () => {
    let held: unknown;
    const record = runMixins([peakMemory()], {
      iterations: 2,
      body: () => {
        held = {
          rss: Buffer.alloc(64 * MiB, 1),
          heap: Array.from({ length: 1_000_000 }, (_, i) => ({ i })),
        };
        return 0;
      },
    });
    assert.ok(held);
    assert.ok(
      (record.peak_rss_bytes as number) >= 64 * MiB,
      `peak_rss_bytes ${record.peak_rss_bytes}`,
    );
    assert.ok(
      (record.peak_heap_used_bytes as number) >= 16 * MiB,
      `heap ${record.peak_heap_used_bytes}`,
    );
  });

  test('on Linux the high-water mark is reset per call, so a later small call reports less', (t) => {
    if (!existsSync('/proc/self/clear_refs')) {
      t.skip('this kernel has no /proc/self/clear_refs, so the high-water mark cannot be reset');
      return;
    }
    let big: Buffer | undefined = Buffer.alloc(200 * MiB, 1);
    const bigRecord = runMixins([peakMemory()], { body: () => big?.length });
    if ('peak_rss_note' in bigRecord) {
      t.skip(`clear_refs is not writable here: ${String(bigRecord.peak_rss_note)}`);
      return;
    }
    assert.ok(
      (bigRecord.peak_rss_bytes as number) >= 200 * MiB,
      `the big call's peak ${bigRecord.peak_rss_bytes} holds its 200 MiB`,
    );
    big = undefined;
    collectGarbage();
    const small = runMixins([peakMemory()], { body: () => 1 });
    assert.equal('peak_rss_note' in small, false);
    assert.ok(
      (small.peak_rss_bytes as number) < (bigRecord.peak_rss_bytes as number) - 100 * MiB,
      `small ${small.peak_rss_bytes} vs big ${bigRecord.peak_rss_bytes}`,
    );
  });

  test('reads VmHWM after writing 5 to clear_refs (fake /proc)', () => {
    const root = fakeProc('with-clear-refs', 123456, true);
    const record = runMixins([peakMemory({ root })]);
    assert.equal(readFileSync(join(root, 'proc', 'self', 'clear_refs'), 'utf8'), '5');
    assert.equal(record.peak_rss_bytes, 123456 * 1024);
    assert.equal('peak_rss_note' in record, false);
  });

  test('falls back to the process-lifetime maxRSS with a note when clear_refs is absent', () => {
    const root = fakeProc('without-clear-refs', 1, false);
    const record = runMixins([peakMemory({ root })]);
    assert.equal(existsSync(join(root, 'proc', 'self', 'clear_refs')), false, 'never created');
    assert.ok(
      (record.peak_rss_bytes as number) >= process.resourceUsage().maxRSS * 1024 - 64 * MiB,
    );
    assert.match(String(record.peak_rss_note), /process-lifetime peak/);
  });

  test('does nothing for the CLI (it would measure microbench, not the command)', () => {
    const record = runMixins([peakMemory()], { invocation: 'cli' });
    assert.equal('peak_rss_bytes' in record, false);
    assert.equal('peak_heap_used_bytes' in record, false);
  });
});
