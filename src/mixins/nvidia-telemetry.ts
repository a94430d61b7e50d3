// A ready-made GPU telemetry sampler. This module runs on the telemetry sampler thread when
// named as a `telemetryModule`:
//
//   new MicroBench({ telemetryModule: nvidiaTelemetryModule, telemetryInterval: 1 })
//     ──► sampler worker imports this file ──► default export, once per sample
//     ──► nvidia-smi --query-gpu=index,utilization.gpu,memory.used ──► { gpus: [...] }
//
// or combined with your own sampler in a module of yours:
//
//   // sampler.ts, named by telemetryModule: new URL('./sampler.js', import.meta.url)
//   export default withGpuTelemetry((p) => ({ rss: p.memoryInfo().rss }));
import { runCommand } from './_subprocess.js';

/** One GPU in a telemetry sample. */
export interface GpuSample {
  /** nvidia-smi's zero-based GPU index. */
  index: number;
  /** GPU utilisation over nvidia-smi's last sample period, percent; null when not reported. */
  utilization_gpu_percent: number | null;
  /** Device memory in use, bytes; null when not reported. */
  memory_used_bytes: number | null;
}

/** The fields GPU telemetry adds to a sample. */
export interface GpuTelemetry {
  gpus: GpuSample[];
  /** Why `gpus` is empty (nvidia-smi missing, failed or timed out). */
  gpu_note?: string;
}

/** Options of {@link createNvidiaTelemetry}. */
export interface NvidiaTelemetryOptions {
  /** The nvidia-smi executable. @default 'nvidia-smi' */
  command?: string;
  /** Give up on one sample after this many milliseconds. @default 2000 */
  timeoutMs?: number;
}

/** The URL of this module, to pass as a bench's `telemetryModule`. */
export const nvidiaTelemetryModule: URL = new URL(import.meta.url);

const QUERY = ['--query-gpu=index,utilization.gpu,memory.used', '--format=csv,noheader,nounits'];
const MIB = 1024 * 1024;

/**
 * Make a GPU sampler: each call runs nvidia-smi (bounded by `timeoutMs`) and returns
 * `{gpus: [{index, utilization_gpu_percent, memory_used_bytes}]}`. It never throws: without
 * nvidia-smi it returns `{gpus: [], gpu_note: 'nvidia-smi not found on PATH'}` and stops trying
 * (one spawn, not one per sample); a failure or timeout is noted in that sample only.
 */
export function createNvidiaTelemetry(options: NvidiaTelemetryOptions = {}): () => GpuTelemetry {
  const command = options.command ?? 'nvidia-smi';
  const timeoutMs = options.timeoutMs ?? 2000;
  let missing: string | undefined;
  return () => {
    if (missing !== undefined) return { gpus: [], gpu_note: missing };
    const result = runCommand(command, QUERY, { timeoutMs });
    if (result.type === 'ok') return { gpus: parseGpuTelemetryCsv(result.stdout) };
    if (result.type === 'not-found') missing = result.message;
    return { gpus: [], gpu_note: result.message };
  };
}

/**
 * Wrap a telemetry function so each of its samples also carries the GPU fields
 * (`gpus`, and `gpu_note` when there are none). For use inside a `telemetryModule`.
 */
export function withGpuTelemetry<P, T extends object>(
  telemetry: (process: P) => T,
  options: NvidiaTelemetryOptions = {},
): (process: P) => T & GpuTelemetry {
  const sampleGpus = createNvidiaTelemetry(options);
  return (process) => ({ ...telemetry(process), ...sampleGpus() });
}

/** `index, utilization.gpu, memory.used` CSV lines (nounits) → {@link GpuSample}s. */
export function parseGpuTelemetryCsv(output: string): GpuSample[] {
  const gpus: GpuSample[] = [];
  for (const line of output.split('\n')) {
    if (line.trim() === '') continue;
    const [index, utilization, memoryMiB] = line.split(',').map((part) => part.trim());
    const memory = toNumber(memoryMiB);
    gpus.push({
      index: toNumber(index) ?? gpus.length,
      utilization_gpu_percent: toNumber(utilization),
      memory_used_bytes: memory === null ? null : Math.round(memory * MIB),
    });
  }
  return gpus;
}

// A number from nvidia-smi's text, or null for `[N/A]`, `[Not Supported]` and the like.
function toNumber(text: string | undefined): number | null {
  if (text === undefined || text === '') return null;
  const value = Number(text);
  return Number.isFinite(value) ? value : null;
}

const sampleGpus = createNvidiaTelemetry();

/** The sampler worker's entry: GPU utilisation and memory for one sample (ignores its argument). */
export default function nvidiaTelemetry(_process?: unknown): GpuTelemetry {
  return sampleGpus();
}
