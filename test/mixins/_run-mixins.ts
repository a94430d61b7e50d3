// Test helper: drive mixins through one benchmarked call the way MicroBench does
// (capture → [beforeIteration, call, afterIteration] × iterations → capturePost).
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toJsonValue } from '../../src/json/encode.js';
import type { Mixin, MixinContext } from '../../src/mixins/mixin.js';
import type { BenchRecord } from '../../src/record/record.js';

/** How {@link runMixins} should simulate the call. */
export interface SimulatedCall {
  invocation?: 'function' | 'cli';
  args?: unknown[];
  /** The CLI's command (invocation 'cli'). @default ['true'] */
  command?: string[];
  iterations?: number;
  /** The benchmarked body; its return value (last iteration) or thrown error reaches capturePost. */
  body?: () => unknown;
  /** Collects JSON warnings. */
  warnings?: string[];
}

/** Run `mixins` through one call; returns the record they built. */
export function runMixins(mixins: readonly Mixin[], call: SimulatedCall = {}): BenchRecord {
  const record = { function_name: 'f', run_durations: [] } as unknown as BenchRecord;
  const ctx: MixinContext = {
    invocation: call.invocation ?? 'function',
    functionName: 'f',
    args: call.args ?? [],
    ...(call.invocation === 'cli' ? { command: call.command ?? ['true'] } : {}),
    returned: false,
    scratch: {},
    toJsonValue: (value, what) => toJsonValue(value, what, { warn: (m) => call.warnings?.push(m) }),
  };
  for (const m of mixins) Object.assign(record, m.constantFields?.());
  for (const m of mixins) m.capture?.(record, ctx);
  for (let i = 0; i < (call.iterations ?? 1); i++) {
    for (const m of mixins) m.beforeIteration?.(record, ctx);
    let threw = false;
    try {
      const value = call.body?.();
      ctx.returnValue = value;
      ctx.returned = true;
    } catch (error) {
      ctx.error = error;
      threw = true;
    }
    for (const m of mixins) m.afterIteration?.(record, ctx);
    if (threw) break;
  }
  for (const m of mixins) m.capturePost?.(record, ctx);
  return record;
}

/** A fresh temporary directory and a function that removes it. */
export function makeTempDir(prefix: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `mb-${prefix}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Write an executable `#!/bin/sh` script at `path`. */
export function writeScript(path: string, body: string): string {
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}
