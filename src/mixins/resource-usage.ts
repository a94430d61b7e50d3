import { validateOptionKeys } from './_options.js';
import { defineMixin, type Mixin } from './mixin.js';

/**
 * One timed iteration's resource usage (deltas of `process.resourceUsage()` over the iteration).
 * There is no `maxrss`: the process's peak RSS is a high-water mark over its whole lifetime, not
 * the iteration's, so microbench v2 leaves it out of library records too; `peakMemory()` gives
 * the call's peak.
 */
export interface ResourceUsageEntry {
  /** User CPU time, seconds. */
  utime: number;
  /** System CPU time, seconds. */
  stime: number;
  /** Minor page faults. */
  minflt: number;
  /** Major page faults. */
  majflt: number;
  /** File-system blocks read. */
  inblock: number;
  /** File-system blocks written. */
  oublock: number;
  /** Voluntary context switches. */
  nvcsw: number;
  /** Involuntary context switches. */
  nivcsw: number;
}

const NAME = 'resource-usage';

/**
 * Resource usage per timed iteration: `resource_usage`, a list with one
 * {@link ResourceUsageEntry} per iteration (warmup excluded), from `process.resourceUsage()`
 * read just before and just after each iteration. The numbers are process-wide: other threads
 * (the telemetry sampler, libuv's pool) and overlapping async calls count too, like microbench's
 * `RUSAGE_SELF`.
 *
 * Acts only for library calls (`invocation: 'function'`). For the CLI the command's own usage
 * (`wait4` of the child) is recorded by the CLI itself under the same field, so this mixin
 * stays out of its way.
 */
export function resourceUsage(options?: Record<string, never>): Mixin {
  validateOptionKeys(options, 'resourceUsage', []);
  return defineMixin({
    name: NAME,
    description: 'CPU time, page faults, block I/O and context switches per iteration',
    capture(record, ctx) {
      if (ctx.invocation === 'function') record.resource_usage = [];
    },
    beforeIteration(_record, ctx) {
      if (ctx.invocation === 'function') ctx.scratch[NAME] = process.resourceUsage();
    },
    afterIteration(record, ctx) {
      const before = ctx.scratch[NAME] as NodeJS.ResourceUsage | undefined;
      if (ctx.invocation !== 'function' || !before) return;
      const after = process.resourceUsage();
      const list = Array.isArray(record.resource_usage) ? record.resource_usage : [];
      list.push(toUsageDelta(before, after));
      record.resource_usage = list;
    },
  });
}

/** The {@link ResourceUsageEntry} between two `process.resourceUsage()` readings. */
export function toUsageDelta(
  before: NodeJS.ResourceUsage,
  after: NodeJS.ResourceUsage,
): ResourceUsageEntry {
  return {
    utime: (after.userCPUTime - before.userCPUTime) / 1e6,
    stime: (after.systemCPUTime - before.systemCPUTime) / 1e6,
    minflt: after.minorPageFault - before.minorPageFault,
    majflt: after.majorPageFault - before.majorPageFault,
    inblock: after.fsRead - before.fsRead,
    oublock: after.fsWrite - before.fsWrite,
    nvcsw: after.voluntaryContextSwitches - before.voluntaryContextSwitches,
    nivcsw: after.involuntaryContextSwitches - before.involuntaryContextSwitches,
  };
}
