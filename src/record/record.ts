/** One telemetry sample: when it was taken, and what the telemetry function returned. */
export interface TelemetrySample {
  /** ISO 8601 with microseconds and the bench timezone's offset, e.g. `2024-01-01T00:01:30.123456+00:00`. */
  timestamp: string;
  /**
   * Present when the telemetry function threw or returned a non-object: `true` in library
   * records (the message is in the record's `telemetry_errors`, once), the message elsewhere.
   */
  error?: string | true;
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
  /**
   * Samples due while the call ran: the initial one, then one per interval (library records with
   * telemetry). CLI records hold this and the four fields below as lists, one entry per iteration.
   */
  telemetry_samples_due?: number;
  /** Samples taken (before any thinning). */
  telemetry_samples_taken?: number;
  /** Due samples not taken (`due − taken`). */
  telemetry_samples_missed?: number;
  /** Why samples were missed (present only when some were): `sampler behind`, `machine overloaded`, `telemetry function hung`, `too many concurrent calls`. */
  telemetry_missed_cause?: string;
  /** How late samples were against their schedule (ms): 95th percentile, and the maximum; null without samples. */
  telemetry_lateness_p95_ms?: number | null;
  telemetry_lateness_max_ms?: number | null;
  /** Each distinct telemetry-function error once, with the number of samples it failed (those samples hold `error: true`). */
  telemetry_errors?: { message: string; count: number }[];
  /** The sampler thread's scheduling during the call, and any wait for the worker to start (ms, untimed). */
  telemetry_sampler?: {
    priority: string;
    nice: number | null;
    policy: string | null;
    tid: number | null;
    startup_wait_ms?: number;
  };
  timings?: SubTiming[];
  exception?: RecordedException;
  /** `true` for a record recovered from a journal, or the signal name when a signal ended the call. */
  interrupted?: boolean | string;
  [field: string]: unknown;
}
