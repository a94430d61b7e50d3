import { readFileSync } from 'node:fs';
import { cpus, hostname, totalmem } from 'node:os';
import { join } from 'node:path';
import { validateOptionKeys, validateString } from './_options.js';
import { once } from './_subprocess.js';
import { defineMixin, type Mixin } from './mixin.js';

/** Options of {@link hostInfo}. */
export interface HostInfoOptions {
  /** File-system root that `proc/cpuinfo` is read under (tests point it at a fixture). @default '/' */
  root?: string;
}

/** The fields {@link hostInfo} adds to a record. */
export interface HostInfoFields {
  /** `os.hostname()`. */
  hostname: string;
  /** `process.platform`: `linux`, `darwin`, `win32`, ... (microbench's `sys.platform`). */
  operating_system: string;
  /** Model name of the first CPU, or null when unknown. */
  cpu_model: string | null;
  /** Logical CPUs of the machine (`os.cpus().length`), or null when unknown. */
  cpu_cores_logical: number | null;
  /** Physical cores (unique physical id/core id pairs in `/proc/cpuinfo`), or null when unknown. */
  cpu_cores_physical: number | null;
  /** Total RAM in bytes (`os.totalmem()`). */
  ram_total: number;
}

/**
 * Host information: `hostname`, `operating_system`, `cpu_model`, `cpu_cores_logical`,
 * `cpu_cores_physical` and `ram_total` (bytes). Read once per mixin instance, at the first call.
 * The physical core count comes from `/proc/cpuinfo` (Linux); elsewhere it is null.
 */
export function hostInfo(options?: HostInfoOptions): Mixin {
  const raw = validateOptionKeys(options, 'hostInfo', ['root']);
  const root = validateString(raw.root, 'root', '/');
  const read = once((): HostInfoFields => detectHostInfo(root));
  return defineMixin({
    name: 'host-info',
    description: 'Host name, operating system, CPU model and core counts, total RAM',
    capture(record) {
      Object.assign(record, read());
    },
  });
}

/** Read the host fields now (uncached). */
export function detectHostInfo(root = '/'): HostInfoFields {
  const cpuList = cpus();
  return {
    hostname: hostname(),
    operating_system: process.platform,
    cpu_model: cpuList[0]?.model.trim() || null,
    cpu_cores_logical: cpuList.length > 0 ? cpuList.length : null,
    cpu_cores_physical: readPhysicalCores(root),
    ram_total: totalmem(),
  };
}

// Physical cores from /proc/cpuinfo, or null when the file or its topology lines are missing.
function readPhysicalCores(root: string): number | null {
  let text: string;
  try {
    text = readFileSync(join(root, 'proc', 'cpuinfo'), 'utf8');
  } catch {
    return null;
  }
  return countPhysicalCores(text);
}

/**
 * Count unique `(physical id, core id)` pairs in `/proc/cpuinfo` text; null when no processor
 * block carries both lines (some ARM kernels and VMs leave them out).
 */
export function countPhysicalCores(cpuinfo: string): number | null {
  const pairs = new Set<string>();
  for (const block of cpuinfo.split(/\n\s*\n/)) {
    let physical: string | undefined;
    let core: string | undefined;
    for (const line of block.split('\n')) {
      const colon = line.indexOf(':');
      if (colon < 0) continue;
      const key = line.slice(0, colon).trim();
      if (key === 'physical id') physical = line.slice(colon + 1).trim();
      else if (key === 'core id') core = line.slice(colon + 1).trim();
    }
    if (physical !== undefined && core !== undefined) pairs.add(`${physical}/${core}`);
  }
  return pairs.size > 0 ? pairs.size : null;
}
