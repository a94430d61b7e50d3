// internal: flattening nested samples and records into `a.b[0].c` keys.
import { flattenValue } from '../record/flatten-value.js';

/** Keys of a telemetry sample that are not measurements. */
const SAMPLE_META_KEYS = new Set(['timestamp', 'error']);

/**
 * Call `visit(path, value)` for every numeric leaf of a telemetry sample: `{rss, memory_info: {vms},
 * gpus: [{util}]}` gives `rss`, `memory_info.vms`, `gpus[0].util`. `null` leaves are visited as
 * `null` (a gap); strings, booleans and the `timestamp`/`error` keys are skipped.
 */
export function forEachNumericField(
  sample: Record<string, unknown>,
  visit: (path: string, value: number | null) => void,
): void {
  for (const key of Object.keys(sample)) {
    if (SAMPLE_META_KEYS.has(key)) continue;
    visitNumeric(key, sample[key], visit, 0);
  }
}

// Recursive step of forEachNumericField; depth-limited against pathological nesting.
function visitNumeric(
  path: string,
  value: unknown,
  visit: (path: string, value: number | null) => void,
  depth: number,
): void {
  if (typeof value === 'number') {
    if (Number.isFinite(value)) visit(path, value);
    return;
  }
  if (value === null) {
    visit(path, null);
    return;
  }
  if (typeof value !== 'object' || depth > 8) return;
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      visitNumeric(`${path}[${i}]`, item, visit, depth + 1);
    });
    return;
  }
  for (const key of Object.keys(value)) {
    visitNumeric(`${path}.${key}`, (value as Record<string, unknown>)[key], visit, depth + 1);
  }
}

/**
 * Flatten a record into `key → value` leaves, in the record's key order: objects become dotted
 * keys (`git.commit`, `package_versions.uplot`), arrays of objects become `key[i].field`, and
 * arrays of plain values stay whole (`command: ["sleep", "1"]`). Keys in `exclude` (top level)
 * are left out.
 */
export function flattenRecord(
  record: Record<string, unknown>,
  exclude: ReadonlySet<string> = new Set(),
): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const key of Object.keys(record)) {
    if (exclude.has(key)) continue;
    flattenValue(out, key, record[key]);
  }
  return out;
}

/** A flattened value as people read it: strings as they are, everything else as JSON. */
export function displayValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined) return '';
  return JSON.stringify(value) ?? String(value);
}
