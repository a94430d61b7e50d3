import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateOptionKeys, validateString } from './_options.js';
import { once } from './_subprocess.js';
import { defineMixin, type Mixin } from './mixin.js';

/** Options of {@link cgroupLimits}. */
export interface CgroupLimitsOptions {
  /** File-system root that `proc/self/cgroup` and `sys/fs/cgroup` are read under (tests). @default '/' */
  root?: string;
}

/** The `cgroups` field: the CPU and memory limits the process runs under. */
export interface CgroupLimitFields {
  /** CPU quota in cores (`quota / period`, e.g. 2.5); null when unlimited or unreadable. */
  cpu_cores_limit: number | null;
  /** Memory limit in bytes; null when unlimited or unreadable. */
  memory_bytes_limit: number | null;
  /** The cgroup version read: 1 or 2. */
  version: 1 | 2;
}

// v1 writes "no limit" as a page-rounded 2^63; microbench treats >= 2^62 as unlimited.
const V1_UNLIMITED_BYTES = 2 ** 62;

/**
 * Container / batch-job resource limits: `cgroups` = `{cpu_cores_limit, memory_bytes_limit,
 * version}` (Linux; `{}` elsewhere or when `/proc/self/cgroup` cannot be read). cgroup v2 is used
 * when `sys/fs/cgroup/cgroup.controllers` exists (`cpu.max`, `memory.max`), else v1
 * (`cpu.cfs_quota_us` / `cpu.cfs_period_us`, `memory.limit_in_bytes`). Unlike microbench, which
 * reads only the process's own cgroup, the tightest limit between that cgroup and the root is
 * reported, since SLURM and systemd usually set limits on a parent (`job_42`) of the cgroup the
 * process sits in (`job_42/step_0/task_0`). Read once per mixin instance, at the first call.
 */
export function cgroupLimits(options?: CgroupLimitsOptions): Mixin {
  const raw = validateOptionKeys(options, 'cgroupLimits', ['root']);
  const root = validateString(raw.root, 'root', '/');
  const checkPlatform = raw.root === undefined;
  const read = once(() =>
    checkPlatform && process.platform !== 'linux' ? {} : readCgroupLimits(root),
  );
  return defineMixin({
    name: 'cgroup-limits',
    description: 'cgroup v1/v2 CPU and memory limits of the process',
    capture(record) {
      record.cgroups = { ...read() };
    },
  });
}

/** Read the cgroup limits under `root` now (uncached); `{}` when `/proc/self/cgroup` is unreadable. */
export function readCgroupLimits(root = '/'): CgroupLimitFields | Record<string, never> {
  let membership: string;
  try {
    membership = readFileSync(join(root, 'proc', 'self', 'cgroup'), 'utf8');
  } catch {
    return {};
  }
  const mount = join(root, 'sys', 'fs', 'cgroup');
  if (existsSync(join(mount, 'cgroup.controllers'))) {
    const path = findCgroupPath(membership, (controllers, id) => id === '0' && controllers === '');
    if (path === undefined) return {};
    const dirs = ancestorDirs(mount, path);
    return {
      cpu_cores_limit: tightest(dirs, (dir) => parseCpuMax(readText(join(dir, 'cpu.max')))),
      memory_bytes_limit: tightest(dirs, (dir) => parseLimit(readText(join(dir, 'memory.max')))),
      version: 2,
    };
  }
  const cpuPath = findCgroupPath(membership, (controllers) =>
    controllers.split(',').includes('cpu'),
  );
  const memoryPath = findCgroupPath(membership, (controllers) =>
    controllers.split(',').includes('memory'),
  );
  return {
    cpu_cores_limit:
      cpuPath === undefined
        ? null
        : tightest(ancestorDirs(join(mount, 'cpu'), cpuPath), (dir) =>
            parseCfsQuota(
              readText(join(dir, 'cpu.cfs_quota_us')),
              readText(join(dir, 'cpu.cfs_period_us')),
            ),
          ),
    memory_bytes_limit:
      memoryPath === undefined
        ? null
        : tightest(ancestorDirs(join(mount, 'memory'), memoryPath), (dir) => {
            const bytes = parseLimit(readText(join(dir, 'memory.limit_in_bytes')));
            return bytes !== null && bytes >= V1_UNLIMITED_BYTES ? null : bytes;
          }),
    version: 1,
  };
}

// The path of the first `id:controllers:path` line of /proc/self/cgroup that `match` accepts.
function findCgroupPath(
  membership: string,
  match: (controllers: string, id: string) => boolean,
): string | undefined {
  for (const line of membership.split('\n')) {
    const first = line.indexOf(':');
    const second = line.indexOf(':', first + 1);
    if (first < 0 || second < 0) continue;
    if (match(line.slice(first + 1, second), line.slice(0, first)))
      return line.slice(second + 1).trim();
  }
  return undefined;
}

// The cgroup's directory and its parents up to the mount point. A path that is missing under
// the mount (a container without its own cgroup namespace sees the host's path) falls back to
// the mount itself, which is then the container's own cgroup.
function ancestorDirs(mount: string, cgroupPath: string): string[] {
  const parts = cgroupPath.split('/').filter((p) => p !== '');
  if (!existsSync(join(mount, ...parts))) return [mount];
  const dirs: string[] = [];
  for (let n = parts.length; n >= 0; n--) dirs.push(join(mount, ...parts.slice(0, n)));
  return dirs;
}

// The smallest limit any of `dirs` sets, or null when none sets one.
function tightest(
  dirs: readonly string[],
  readLimit: (dir: string) => number | null,
): number | null {
  let best: number | null = null;
  for (const dir of dirs) {
    const limit = readLimit(dir);
    if (limit !== null && (best === null || limit < best)) best = limit;
  }
  return best;
}

// A file's trimmed text, or null when it cannot be read.
function readText(file: string): string | null {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return null;
  }
}

/** Cores from a v2 `cpu.max` value (`"<quota> <period>"`); null for `max` or bad input. */
export function parseCpuMax(text: string | null): number | null {
  if (!text) return null;
  const [quota, period] = text.split(/\s+/);
  if (quota === undefined || quota === 'max') return null;
  return toCores(Number(quota), Number(period ?? 100000));
}

// Cores from v1 cfs quota and period (quota -1 means unlimited).
function parseCfsQuota(quotaText: string | null, periodText: string | null): number | null {
  if (quotaText === null || periodText === null) return null;
  return toCores(Number(quotaText), Number(periodText));
}

// quota / period when both are positive numbers, else null.
function toCores(quota: number, period: number): number | null {
  if (!Number.isFinite(quota) || !Number.isFinite(period) || quota <= 0 || period <= 0) return null;
  return quota / period;
}

// Bytes from `memory.max` / `memory.limit_in_bytes`; null for `max` or bad input.
function parseLimit(text: string | null): number | null {
  if (!text || text === 'max') return null;
  const bytes = Number(text);
  return Number.isFinite(bytes) && bytes >= 0 ? bytes : null;
}
