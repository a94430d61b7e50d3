/**
 * `microbench diff`: what differs between two records' metadata (package versions, host, git
 * commit, environment variables...), microbench's `envdiff`, so "why did this get slower" has an
 * answer. Both records are flattened (`git.commit`, `package_versions.uplot`, `env_HOME`) and
 * compared key by key. Pure: records in, entries or a string out.
 */

import type { AnyRecord } from '../record/_layout-fields.js';
import { flattenRecord } from './_flatten.js';

/**
 * Top-level keys left out unless `fields` names them: they differ on every run by nature
 * (timings, samples, ids, clocks) and would drown the environment differences.
 */
export const DEFAULT_DIFF_EXCLUDED_KEYS: readonly string[] = [
  'mb_run_id',
  'run_durations',
  'start_time',
  'finish_time',
  'telemetry',
  'telemetry_samples_total',
  'timings',
];

/** Options for {@link diffRecords} and {@link flattenMetadata}. */
export interface DiffOptions {
  /**
   * Compare only these keys. An entry matches the key itself and everything under it (`git`
   * matches `git.commit`; `gpus` matches `gpus[0].name`); an entry ending in `*`, `_` or `.` is a
   * plain prefix (`env_*` or `env_` matches every environment variable). When given, the default
   * exclusions do not apply.
   */
  readonly fields?: readonly string[];
  /** Top-level keys to leave out. @default DEFAULT_DIFF_EXCLUDED_KEYS */
  readonly exclude?: readonly string[];
}

/** One key that differs; `a`/`b` are the flattened values (strings, numbers, arrays...). */
export type DiffEntry =
  | { readonly type: 'added'; readonly key: string; readonly b: unknown }
  | { readonly type: 'removed'; readonly key: string; readonly a: unknown }
  | { readonly type: 'changed'; readonly key: string; readonly a: unknown; readonly b: unknown };

/** The differences between two records, in A's key order (keys only in B last). */
export interface RecordDiff {
  readonly entries: readonly DiffEntry[];
  /** How many compared keys have the same value in both. */
  readonly unchanged: number;
}

/** Options for {@link renderDiff}. */
export interface RenderDiffOptions {
  /** ANSI colours (red removed, green added, yellow changed); only for a terminal. @default false */
  readonly color?: boolean;
  /** First header line describing A, e.g. `results.jsonl:3  myFunction  2024-...`. */
  readonly labelA?: string;
  /** First header line describing B. */
  readonly labelB?: string;
}

/** A record's metadata as flat `key → value` leaves, filtered by `options` (see {@link DiffOptions}). */
export function flattenMetadata(
  record: AnyRecord,
  options: DiffOptions = {},
): Map<string, unknown> {
  const fields = options.fields;
  if (fields !== undefined && fields.length > 0) {
    const flat = flattenRecord(record, new Set(options.exclude ?? []));
    for (const key of [...flat.keys()]) {
      if (!fields.some((f) => matchesField(key, f))) flat.delete(key);
    }
    return flat;
  }
  return flattenRecord(record, new Set(options.exclude ?? DEFAULT_DIFF_EXCLUDED_KEYS));
}

/** Whether flattened `key` is selected by a `--field` entry (see {@link DiffOptions.fields}). */
export function matchesField(key: string, field: string): boolean {
  if (field.endsWith('*')) return key.startsWith(field.slice(0, -1));
  if (field.endsWith('_') || field.endsWith('.')) return key.startsWith(field);
  return key === field || key.startsWith(`${field}.`) || key.startsWith(`${field}[`);
}

/** Keys added in B, removed from A, and changed between them. */
export function diffRecords(a: AnyRecord, b: AnyRecord, options: DiffOptions = {}): RecordDiff {
  const flatA = flattenMetadata(a, options);
  const flatB = flattenMetadata(b, options);
  const entries: DiffEntry[] = [];
  let unchanged = 0;
  for (const [key, va] of flatA) {
    if (!flatB.has(key)) {
      entries.push({ type: 'removed', key, a: va });
    } else {
      const vb = flatB.get(key);
      if (JSON.stringify(va) === JSON.stringify(vb)) unchanged++;
      else entries.push({ type: 'changed', key, a: va, b: vb });
    }
  }
  for (const [key, vb] of flatB) {
    if (!flatA.has(key)) entries.push({ type: 'added', key, b: vb });
  }
  return { entries, unchanged };
}

/**
 * The diff as text, one key per line: `~ key  A → B` (changed), `- key  A` (only in A),
 * `+ key  B` (only in B), then a count line. Values are JSON (`"v20.1.0"`, `null`, `["a"]`).
 */
export function renderDiff(diff: RecordDiff, options: RenderDiffOptions = {}): string {
  const paint = (code: number, text: string): string =>
    options.color === true ? `\u001b[${code}m${text}\u001b[39m` : text;
  const lines: string[] = [];
  if (options.labelA !== undefined) lines.push(`${paint(31, '---')} A  ${options.labelA}`);
  if (options.labelB !== undefined) lines.push(`${paint(32, '+++')} B  ${options.labelB}`);
  if (lines.length > 0) lines.push('');
  const { entries, unchanged } = diff;
  if (entries.length === 0) {
    lines.push(`No differences in ${unchanged} compared field${unchanged === 1 ? '' : 's'}.`);
    return `${lines.join('\n')}\n`;
  }
  const width = Math.min(40, Math.max(...entries.map((e) => e.key.length)));
  for (const e of entries) {
    const key = e.key.padEnd(width);
    if (e.type === 'changed') {
      lines.push(`${paint(33, '~')} ${key}  ${paint(31, show(e.a))} → ${paint(32, show(e.b))}`);
    } else if (e.type === 'removed') {
      lines.push(`${paint(31, '-')} ${key}  ${paint(31, show(e.a))}`);
    } else {
      lines.push(`${paint(32, '+')} ${key}  ${paint(32, show(e.b))}`);
    }
  }
  const count = (type: DiffEntry['type']): number => entries.filter((e) => e.type === type).length;
  lines.push('');
  lines.push(
    `${entries.length} field${entries.length === 1 ? '' : 's'} differ ` +
      `(${count('changed')} changed, ${count('removed')} only in A, ${count('added')} only in B); ` +
      `${unchanged} the same.`,
  );
  return `${lines.join('\n')}\n`;
}

// A value as one line of JSON, shortened when huge.
function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length <= 300 ? text : `${text.slice(0, 299)}…`;
}
