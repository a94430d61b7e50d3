// internal: the environment fields that make two measurements comparable or not, read from
// flat (v1-named) records, kept as a few distinct values per benchmark, and their differences.

import { type AnyRecord, valueAt } from '../record/_layout-fields.js';

/** One environment field: its name in reports, and where a flat record keeps it. */
interface EnvironmentField {
  readonly name: string;
  readonly paths: readonly (readonly string[])[];
}

// Table of the fields compared: host, CPU, runtime, OS, cgroup limits, git dirty state.
const ENVIRONMENT_FIELDS: readonly EnvironmentField[] = [
  { name: 'hostname', paths: [['hostname']] },
  { name: 'cpu_model', paths: [['cpu_model']] },
  { name: 'cpu_cores_logical', paths: [['cpu_cores_logical']] },
  { name: 'cpu_cores_physical', paths: [['cpu_cores_physical']] },
  { name: 'ram_total', paths: [['ram_total']] },
  { name: 'operating_system', paths: [['operating_system']] },
  { name: 'mb_implementation', paths: [['mb_implementation']] },
  { name: 'node_version', paths: [['node_version']] },
  { name: 'v8_version', paths: [['v8_version']] },
  { name: 'python_version', paths: [['python_version']] },
  { name: 'cgroups.cpu_cores_limit', paths: [['cgroups', 'cpu_cores_limit']] },
  { name: 'cgroups.memory_bytes_limit', paths: [['cgroups', 'memory_bytes_limit']] },
  { name: 'git.dirty', paths: [['git', 'dirty']] },
];

/** At most this many distinct values are kept per field (more are summed up as "…"). */
const MAX_VALUES = 4;

/** Distinct values of each environment field seen in a set of records (JSON text). */
export type EnvironmentValues = Map<string, Set<string>>;

/** A field whose values differ between two sets of records. */
export interface EnvironmentDifference {
  readonly field: string;
  /** Values on the baseline side (JSON text), empty when no record carries the field. */
  readonly baseline: readonly string[];
  readonly candidate: readonly string[];
}

/** Note the (flat) record's environment fields in `into`. */
export function noteEnvironment(into: EnvironmentValues, record: AnyRecord): void {
  for (const field of ENVIRONMENT_FIELDS) {
    let value: unknown;
    for (const path of field.paths) {
      value = valueAt(record, path);
      if (value !== undefined) break;
    }
    if (value === undefined) continue;
    let values = into.get(field.name);
    if (values === undefined) {
      values = new Set();
      into.set(field.name, values);
    }
    if (values.size >= MAX_VALUES) continue;
    // Most records of a benchmark share their environment: skip encoding a value seen last time.
    if (value !== null && typeof value === 'object') {
      values.add(JSON.stringify(value));
    } else if (LAST_SEEN.get(values) !== value) {
      LAST_SEEN.set(values, value);
      values.add(JSON.stringify(value));
    }
  }
}

// The primitive value last added to each set of values (a set never loses a value).
const LAST_SEEN = new WeakMap<Set<string>, unknown>();

/** Merge several benchmarks' environment values into one (a whole side). */
export function mergeEnvironments(sources: readonly EnvironmentValues[]): EnvironmentValues {
  const merged: EnvironmentValues = new Map();
  for (const source of sources) {
    for (const [field, values] of source) {
      let into = merged.get(field);
      if (into === undefined) {
        into = new Set();
        merged.set(field, into);
      }
      for (const v of values) if (into.size < MAX_VALUES) into.add(v);
    }
  }
  return merged;
}

/** The fields whose sets of values differ, in the table's order. */
export function diffEnvironments(
  baseline: EnvironmentValues,
  candidate: EnvironmentValues,
): EnvironmentDifference[] {
  const out: EnvironmentDifference[] = [];
  for (const { name } of ENVIRONMENT_FIELDS) {
    const a = baseline.get(name) ?? new Set<string>();
    const b = candidate.get(name) ?? new Set<string>();
    if (a.size === b.size && [...a].every((v) => b.has(v))) continue;
    out.push({ field: name, baseline: [...a], candidate: [...b] });
  }
  return out;
}

/** `node_version 20.20.2 → 22.1.0; hostname a → (not recorded)`: differences as one line. */
export function renderEnvironmentDifferences(
  differences: readonly EnvironmentDifference[],
): string {
  const side = (values: readonly string[]) =>
    values.length === 0
      ? '(not recorded)'
      : values.map((v) => (v.startsWith('"') ? (JSON.parse(v) as string) : v)).join(' / ');
  return differences.map((d) => `${d.field} ${side(d.baseline)} → ${side(d.candidate)}`).join('; ');
}
