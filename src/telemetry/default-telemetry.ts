/**
 * The sampler a bench uses when it is given a `telemetryInterval` but no telemetry function:
 * the same two fields the CLI samples for a command, so zero-effort capture works in the library
 * too. Like any telemetry function it runs on the sampler thread from its source text, so it
 * uses only its argument.
 */
import type { ProcessInfo } from './process-info.js';

/** `{ cpu_percent, rss_bytes }` of the benchmarked process (cpu_percent is 0.0 at the first sample, psutil's rule). */
export function defaultTelemetry(process: ProcessInfo): { cpu_percent: number; rss_bytes: number } {
  return { cpu_percent: process.cpuPercent(), rss_bytes: process.memoryInfo().rss };
}
