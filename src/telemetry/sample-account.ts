/**
 * The honesty fields of a list of samples (DESIGN §7): how many were due, taken and missed,
 * and how late they came against their schedule, worked out from when each was taken.
 *
 *   anchor ── sample 0 ── anchor + 1·interval ── ... ── anchor + k·interval ── end
 *   due   = the schedule's slots up to `end` (the initial sample, then one per interval)
 *   late  = taken at − its slot (the latest slot not after it)
 *
 * The CLI's sampler (one list per iteration) and `recover` (journals of runs that were killed)
 * use it; the library's live sampler counts the same things as it samples (sampler.ts).
 */

/** Samples due, taken and missed, and their lateness. */
export interface SampleAccount {
  /** Slots from the anchor to the end: the initial sample, then one per interval (≥ taken). */
  readonly due: number;
  readonly taken: number;
  /** `due − taken`. */
  readonly missed: number;
  /** 95th percentile (nearest rank) of how late samples were, in ms; null without samples. */
  readonly latenessP95Ms: number | null;
  /** The latest sample's lateness, in ms; null without samples. */
  readonly latenessMaxMs: number | null;
}

/**
 * Account for samples taken at `takenAtMs` (epoch ms, oldest first) on a schedule of one sample
 * at `anchorMs` and one every `intervalMs` after it, until `endMs`.
 */
export function accountSamples(
  takenAtMs: readonly number[],
  anchorMs: number,
  intervalMs: number,
  endMs: number,
): SampleAccount {
  const taken = takenAtMs.length;
  const slots =
    intervalMs > 0 && Number.isFinite(endMs - anchorMs)
      ? Math.floor(Math.max(endMs - anchorMs, 0) / intervalMs) + 1
      : taken;
  const due = Math.max(slots, taken);
  const lateness: number[] = [];
  let latest = 0;
  if (intervalMs > 0) {
    for (const at of takenAtMs) {
      const since = Math.max(at - anchorMs, 0);
      const late = since - Math.floor(since / intervalMs) * intervalMs;
      lateness.push(late);
      if (late > latest) latest = late;
    }
  }
  return {
    due,
    taken,
    missed: due - taken,
    latenessP95Ms: lateness.length > 0 ? roundMs(percentile95(lateness)) : null,
    latenessMaxMs: lateness.length > 0 ? roundMs(latest) : null,
  };
}

/** A record's honesty fields for one account (a library call's numbers). */
export function accountFields(account: SampleAccount): Record<string, number | null> {
  return {
    telemetry_samples_due: account.due,
    telemetry_samples_taken: account.taken,
    telemetry_samples_missed: account.missed,
    telemetry_lateness_p95_ms: account.latenessP95Ms,
    telemetry_lateness_max_ms: account.latenessMaxMs,
  };
}

/** The same fields with one entry per iteration (a CLI record, like its `telemetry` lists). */
export function accountListFields(accounts: readonly SampleAccount[]): Record<string, unknown[]> {
  return {
    telemetry_samples_due: accounts.map((a) => a.due),
    telemetry_samples_taken: accounts.map((a) => a.taken),
    telemetry_samples_missed: accounts.map((a) => a.missed),
    telemetry_lateness_p95_ms: accounts.map((a) => a.latenessP95Ms),
    telemetry_lateness_max_ms: accounts.map((a) => a.latenessMaxMs),
  };
}

/** The 95th percentile of `values` by nearest rank (the value below which 95 % lie). */
export function percentile95(values: readonly number[]): number {
  const sorted = values.length === 1 ? values : [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(0.95 * sorted.length) - 1)]!;
}

/** Milliseconds rounded to the microsecond. */
export function roundMs(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
