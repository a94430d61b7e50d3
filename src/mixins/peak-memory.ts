import { closeSync, constants, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { getHeapStatistics } from 'node:v8';
import { validateOptionKeys, validateString } from './_options.js';
import { defineMixin, type Mixin } from './mixin.js';

/** Options of {@link peakMemory}. */
export interface PeakMemoryOptions {
  /** File-system root that `proc/self/{clear_refs,status}` are used under (tests). @default '/' */
  root?: string;
}

const NAME = 'peak-memory';

// Per-call state kept in ctx.scratch.
interface PeakState {
  /** Whether the kernel's RSS high-water mark was reset at capture. */
  reset: boolean;
  heapPeakBytes: number;
}

/**
 * Peak memory during the call:
 * - `peak_rss_bytes`: the process's resident-set high-water mark over the call. On Linux the
 *   mark is reset at capture by writing `5` to `/proc/self/clear_refs`, then `VmHWM` is read
 *   from `/proc/self/status` after the call. Where that file is not writable (other systems,
 *   some sandboxes) it falls back to `process.resourceUsage().maxRSS`, the peak over the whole
 *   process lifetime, and says so in `peak_rss_note`. The reset is process-wide: overlapping
 *   async calls share it.
 * - `peak_heap_used_bytes`: the largest V8 `used_heap_size` of the main isolate seen at the
 *   call's boundaries (capture, before and after each iteration, capturePost). A worker cannot
 *   read the main thread's heap while it is busy, so a short-lived peak inside an iteration
 *   that the garbage collector reclaims before the iteration ends is not seen.
 *
 * Acts only for library calls (`invocation: 'function'`): for the CLI it would measure
 * microbench's own process, not the command.
 */
export function peakMemory(options?: PeakMemoryOptions): Mixin {
  const raw = validateOptionKeys(options, 'peakMemory', ['root']);
  const root = validateString(raw.root, 'root', '/');
  const clearRefsPath = join(root, 'proc', 'self', 'clear_refs');
  const statusPath = join(root, 'proc', 'self', 'status');
  const sampleHeap = (ctx: { scratch: Record<string, unknown> }): void => {
    const state = ctx.scratch[NAME] as PeakState | undefined;
    if (!state) return;
    const used = getHeapStatistics().used_heap_size;
    if (used > state.heapPeakBytes) state.heapPeakBytes = used;
  };
  return defineMixin({
    name: NAME,
    description: 'Peak RSS and peak V8 heap used during the call',
    capture(_record, ctx) {
      if (ctx.invocation !== 'function') return;
      const state: PeakState = { reset: resetHighWaterMark(clearRefsPath), heapPeakBytes: 0 };
      ctx.scratch[NAME] = state;
      sampleHeap(ctx);
    },
    beforeIteration(_record, ctx) {
      sampleHeap(ctx);
    },
    afterIteration(_record, ctx) {
      sampleHeap(ctx);
    },
    capturePost(record, ctx) {
      const state = ctx.scratch[NAME] as PeakState | undefined;
      if (!state) return;
      sampleHeap(ctx);
      const hwm = state.reset ? readHighWaterMark(statusPath) : null;
      if (hwm !== null) {
        record.peak_rss_bytes = hwm;
      } else {
        record.peak_rss_bytes = process.resourceUsage().maxRSS * 1024;
        record.peak_rss_note = state.reset
          ? 'VmHWM unreadable: process-lifetime peak from resourceUsage().maxRSS'
          : 'could not reset /proc/self/clear_refs: process-lifetime peak from resourceUsage().maxRSS';
      }
      record.peak_heap_used_bytes = state.heapPeakBytes;
    },
  });
}

// Reset the kernel's RSS high-water mark (Linux clear_refs 5); false where not possible.
function resetHighWaterMark(clearRefsPath: string): boolean {
  try {
    // O_WRONLY without O_CREAT: never create the file where it does not exist.
    const fd = openSync(clearRefsPath, constants.O_WRONLY);
    try {
      writeSync(fd, '5');
    } finally {
      closeSync(fd);
    }
    return true;
  } catch {
    return false;
  }
}

// VmHWM from /proc/self/status, in bytes; null when missing.
function readHighWaterMark(statusPath: string): number | null {
  try {
    const match = /^VmHWM:\s+(\d+)\s*kB/m.exec(readFileSync(statusPath, 'utf8'));
    return match?.[1] ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}
