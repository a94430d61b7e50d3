// internal: the few record fields the statistics readers need, read from either layout (v1 flat,
// v2 nested). One small place, to be swapped for the record normaliser once it reads both.

/** A record as read from a results file: any JSON object. */
export type AnyRecord = Readonly<Record<string, unknown>>;

/** `record[a][b]...`, or undefined when a step is missing or not an object. */
export function valueAt(record: AnyRecord, path: readonly string[]): unknown {
  let value: unknown = record;
  for (const key of path) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/** The v1 field when the record has it, else the v2 one (`call.durations` for `run_durations`). */
function v1OrV2(record: AnyRecord, v1Key: string, v2Path: readonly string[]): unknown {
  const v1 = record[v1Key];
  return v1 !== undefined ? v1 : valueAt(record, v2Path);
}

/** Per-iteration durations (seconds) as written; non-arrays give `[]`. */
export function rawDurations(record: AnyRecord): readonly unknown[] {
  const value = v1OrV2(record, 'run_durations', ['call', 'durations']);
  return Array.isArray(value) ? value : [];
}

/** Per-iteration return codes of a CLI record, or undefined for a library record. */
export function rawReturnCodes(record: AnyRecord): readonly unknown[] | undefined {
  const value = v1OrV2(record, 'returncode', ['call', 'returncode']);
  return Array.isArray(value) ? value : undefined;
}

/** `timed_out` of a CLI record: `true`, a per-iteration list, or undefined. */
export function rawTimedOut(record: AnyRecord): unknown {
  return v1OrV2(record, 'timed_out', ['call', 'timed_out']);
}

/** `interrupted`: `true` (recovered), a signal name, or undefined/false. */
export function rawInterrupted(record: AnyRecord): unknown {
  return v1OrV2(record, 'interrupted', ['call', 'interrupted']);
}

/** The recorded exception, or undefined. */
export function rawException(record: AnyRecord): unknown {
  return v1OrV2(record, 'exception', ['call', 'exception']);
}

/** The CLI command (argument list), or undefined. */
export function rawCommand(record: AnyRecord): readonly unknown[] | undefined {
  const value = v1OrV2(record, 'command', ['call', 'command']);
  return Array.isArray(value) && value.length > 0 ? value : undefined;
}

/** The function (or `record()` block) name, or undefined. */
export function rawFunctionName(record: AnyRecord): string | undefined {
  const value = v1OrV2(record, 'function_name', ['call', 'name']);
  return typeof value === 'string' ? value : undefined;
}
