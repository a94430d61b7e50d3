/** One telemetry sample: when it was taken, and what the telemetry function returned. */
export interface TelemetrySample {
  /** ISO 8601 with microseconds and the bench timezone's offset, e.g. `2024-01-01T00:01:30.123456+00:00`. */
  timestamp: string;
  /** Present when the telemetry function threw or returned a non-object. */
  error?: string;
  [field: string]: unknown;
}

/** `{type, message}` of an error thrown by the benchmarked code. */
export interface RecordedException {
  type: string;
  message: string;
}

/** One `{name, duration}` sub-timing from `bench.time(label)`. */
export interface SubTiming {
  name: string;
  /** Seconds. */
  duration: number;
}

/**
 * A result record, with microbench v1's flat field names so Python's
 * `pandas.read_json(path, lines=True)` loads it. Mixins and `fields` add more keys.
 */
export interface BenchRecord {
  mb_run_id: string;
  mb_version: string;
  timestamp_tz: string;
  duration_counter: string;
  function_name: string;
  /** Seconds, one per timed iteration (including one that threw). */
  run_durations: number[];
  start_time: string;
  finish_time: string;
  /** Present when telemetry is configured (a flat list), or for CLI records (one list per iteration). */
  telemetry?: TelemetrySample[] | TelemetrySample[][];
  /** How many samples were taken in all when `telemetryMaxSamples` thinned the list. */
  telemetry_samples_total?: number;
  timings?: SubTiming[];
  exception?: RecordedException;
  /** `true` for a record recovered from a journal, or the signal name when a signal ended the call. */
  interrupted?: boolean | string;
  [field: string]: unknown;
}
