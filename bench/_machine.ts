// internal: what machine the benchmark ran on (stated in the output and in BENCHMARKS.md).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { formatBytes } from './_stats.js';

/** The machine and runtime a benchmark ran on. */
export interface MachineInfo {
  readonly cpuModel: string;
  readonly logicalCores: number;
  /** Distinct (physical id, core id) pairs in /proc/cpuinfo; undefined when not listed. */
  readonly physicalCores: number | undefined;
  /** CPUs this process may run on (affinity / cgroup quota), when it differs from logical cores. */
  readonly availableCores: number;
  readonly ramTotalBytes: number;
  readonly os: string;
  readonly kernel: string;
  readonly arch: string;
  readonly virtualization: string;
  readonly clocksource: string | undefined;
  readonly tmpFilesystem: string | undefined;
  readonly nodeVersion: string;
  readonly v8Version: string;
  /** 1, 5 and 15 minute load averages when the run started. */
  readonly loadAverageStart: readonly number[];
}

/** Detect the machine and runtime (Linux details from /proc and /sys; portable fallbacks). */
export function detectMachine(): MachineInfo {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model.trim() || 'unknown',
    logicalCores: cpus.length,
    physicalCores: countPhysicalCores(),
    availableCores: os.availableParallelism(),
    ramTotalBytes: os.totalmem(),
    os: readOsName() ?? `${os.type()} ${os.release()}`,
    kernel: `${os.type()} ${os.release()}`,
    arch: os.arch(),
    virtualization: detectVirtualization(),
    clocksource: readText('/sys/devices/system/clocksource/clocksource0/current_clocksource'),
    tmpFilesystem: detectFilesystem(os.tmpdir()),
    nodeVersion: process.versions.node,
    v8Version: process.versions.v8,
    loadAverageStart: os.loadavg(),
  };
}

/** The current 1, 5 and 15 minute load averages. */
export function loadAverage(): number[] {
  return os.loadavg();
}

/** Lines describing the machine, for the console and BENCHMARKS.md. */
export function renderMachine(machine: MachineInfo, loadAverageEnd?: readonly number[]): string[] {
  const cores =
    machine.physicalCores !== undefined && machine.physicalCores !== machine.logicalCores
      ? `${machine.logicalCores} logical (${machine.physicalCores} physical)`
      : `${machine.logicalCores}`;
  const available =
    machine.availableCores !== machine.logicalCores
      ? `, ${machine.availableCores} available to this process`
      : '';
  const load = (values: readonly number[]) => values.map((v) => v.toFixed(2)).join(' / ');
  return [
    `CPU: ${machine.cpuModel}, ${cores} core(s)${available}`,
    `RAM: ${formatBytes(machine.ramTotalBytes)}`,
    `OS: ${machine.os} (${machine.kernel}, ${machine.arch}), ${machine.virtualization}`,
    `Clock source: ${machine.clocksource ?? 'unknown'}; temp folder on ${machine.tmpFilesystem ?? 'unknown'}`,
    `Node.js ${machine.nodeVersion} (V8 ${machine.v8Version})`,
    `Load average (1/5/15 min) at start: ${load(machine.loadAverageStart)}` +
      (loadAverageEnd ? `; at end: ${load(loadAverageEnd)}` : ''),
  ];
}

// Distinct physical cores from /proc/cpuinfo (Linux only).
function countPhysicalCores(): number | undefined {
  const text = readText('/proc/cpuinfo');
  if (!text) return undefined;
  const cores = new Set<string>();
  let physical = '0';
  for (const line of text.split('\n')) {
    const [key, value] = line.split(':').map((s) => s.trim());
    if (key === 'physical id') physical = value ?? '0';
    if (key === 'core id') cores.add(`${physical}:${value}`);
  }
  return cores.size > 0 ? cores.size : undefined;
}

// PRETTY_NAME from /etc/os-release.
function readOsName(): string | undefined {
  const text = readText('/etc/os-release');
  const match = text ? /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(text) : null;
  return match?.[1];
}

// Container / VM hints: numbers on a virtual machine or in a container are noisier.
function detectVirtualization(): string {
  const hints: string[] = [];
  if (existsSync('/.dockerenv')) hints.push('container (docker)');
  const cpuinfo = readText('/proc/cpuinfo');
  if (cpuinfo && /^flags\s*:.*\bhypervisor\b/m.test(cpuinfo)) hints.push('virtual machine');
  return hints.length > 0 ? hints.join(', ') : 'bare metal or undetected';
}

// Filesystem type of `path` (df -T), e.g. `ext4` or `tmpfs`.
function detectFilesystem(path: string): string | undefined {
  try {
    const out = execFileSync('df', ['-PT', path], { encoding: 'utf8', timeout: 2000 });
    return out.trim().split('\n')[1]?.split(/\s+/)[1];
  } catch {
    return undefined;
  }
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** Aggregate CPU time counters of the machine (/proc/stat, clock ticks); undefined off Linux. */
export interface CpuCounters {
  readonly idle: number;
  readonly steal: number;
  readonly total: number;
}

/** Read the machine's aggregate CPU counters. */
export function readCpuCounters(): CpuCounters | undefined {
  const line = readText('/proc/stat')?.split('\n')[0];
  if (!line?.startsWith('cpu ')) return undefined;
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
  return { idle: (v[3] ?? 0) + (v[4] ?? 0), steal: v[7] ?? 0, total };
}

/** Share (0..100) of the machine's CPU time that was idle between two readings. */
export function idlePercent(
  before: CpuCounters | undefined,
  after: CpuCounters | undefined,
): number {
  if (!before || !after || after.total === before.total) return Number.NaN;
  return (100 * (after.idle - before.idle)) / (after.total - before.total);
}
