import type { BenchRecord } from '../record/record.js';

/**
 * What a mixin is told about the call being benchmarked. One context object lives for
 * one benchmarked call (all its iterations), so `scratch` can hold per-call state that must
 * not leak between overlapping async calls.
 */
export interface MixinContext {
  /** `'function'` for wrap/method/record/recordOnExit, `'cli'` for a command run by the CLI. */
  readonly invocation: 'function' | 'cli';
  /** The function name, record name or command basename. */
  readonly functionName: string;
  /** Arguments of the benchmarked call (empty for `record()` and the CLI). */
  readonly args: readonly unknown[];
  /** The wrapped command (CLI only). */
  readonly command?: readonly string[];
  /** The value returned by the last iteration (set before `capturePost`, absent when it threw). */
  returnValue?: unknown;
  /** `true` once the call has returned a value (so `returnValue: undefined` is told apart). */
  returned: boolean;
  /** The error thrown by the call, if any (set before `capturePost`). */
  error?: unknown;
  /** Per-call private state; key it by your mixin's name. */
  readonly scratch: Record<string, unknown>;
  /**
   * Convert a value the way the bench's JSON encoder will, so a mixin can store
   * arguments/return values safely (`"__unencodable_as_json__"` plus a warning when impossible).
   */
  readonly toJsonValue: (value: unknown, what: string) => unknown;
}

/**
 * A metadata collector. Hooks are synchronous so a wrapped sync function stays sync;
 * a collector that needs a subprocess runs it once per mixin instance and caches the result.
 * A hook that throws never loses the record: the bench records
 * `mixin_errors: [{mixin, error}]` and carries on.
 */
export interface Mixin {
  /** Kebab-case name, used by the CLI's `--mixin` (e.g. `host-info`). */
  readonly name: string;
  /** One line for `--show-mixins`. */
  readonly description: string;
  /**
   * Fields that cannot change while the process runs (runtime, host): gathered once when a
   * bench is created and copied into every record, so they cost nothing per call.
   */
  constantFields?(): Record<string, unknown>;
  /** Runs before the call (before timing starts); adds fields to `record`. */
  capture?(record: BenchRecord, ctx: MixinContext): void;
  /** Runs just before each timed iteration (inside the call, outside the timed window). */
  beforeIteration?(record: BenchRecord, ctx: MixinContext): void;
  /** Runs just after each timed iteration. */
  afterIteration?(record: BenchRecord, ctx: MixinContext): void;
  /** Runs after the call (after `finish_time`); may read `ctx.returnValue` / `ctx.error`. */
  capturePost?(record: BenchRecord, ctx: MixinContext): void;
}

/** Identity helper that types a mixin object literal. */
export function defineMixin<T extends Mixin>(mixin: T): T {
  return mixin;
}
