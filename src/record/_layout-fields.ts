// internal: the few record fields the statistics readers need, read from either layout: a v2
// record is first flattened by the layout table (toFlatRecord), so only v1 names are read here.

import { toFlatRecord } from './layout.js';

/** A record as read from a results file: any JSON object. */
export type AnyRecord = Readonly<Record<string, unknown>>;

/** The record under v1's flat names (a v1 record as it is; a v2 one flattened once). */
export function flatten(record: AnyRecord): AnyRecord {
  return toFlatRecord(record);
}

/** `record[a][b]...`, or undefined when a step is missing or not an object. */
export function valueAt(record: AnyRecord, path: readonly string[]): unknown {
  let value: unknown = record;
  for (const key of path) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/** Per-iteration durations (seconds) as written; non-arrays give `[]`. */
export function rawDurations(flat: AnyRecord): readonly unknown[] {
  return Array.isArray(flat.run_durations) ? flat.run_durations : [];
}

/** Per-iteration return codes of a CLI record, or undefined for a library record. */
export function rawReturnCodes(flat: AnyRecord): readonly unknown[] | undefined {
  return Array.isArray(flat.returncode) ? flat.returncode : undefined;
}

/** The CLI command (argument list), or undefined. */
export function rawCommand(flat: AnyRecord): readonly unknown[] | undefined {
  return Array.isArray(flat.command) && flat.command.length > 0 ? flat.command : undefined;
}

/** The function (or `record()` block) name, or undefined. */
export function rawFunctionName(flat: AnyRecord): string | undefined {
  return typeof flat.function_name === 'string' ? flat.function_name : undefined;
}
