// internal: the metadata of many runs as a tally: per flattened key, how many runs have it and its
// most common values with their counts (bounded: a few values per key, a few hundred keys).

import type { AnyRecord } from '../record/_layout-fields.js';
import { displayValue, flattenRecord } from './_flatten.js';

/** One value of a key and how many runs hold it. */
export interface TalliedValue {
  readonly text: string;
  readonly runs: number;
}

/** One flattened metadata key across a group's runs. */
export interface MetadataRow {
  readonly key: string;
  /** Runs that have the key. */
  readonly runs: number;
  /** Its values, most common first (at most a few). */
  readonly values: readonly TalliedValue[];
  /** Runs holding a value not listed in `values` (there were more distinct values than kept). */
  readonly otherRuns: number;
  /** True when every run of the group has the key with one same value. */
  readonly same: boolean;
}

/** Top-level keys left out of the metadata (charted, in the runs table, or different every run). */
const EXCLUDED = new Set([
  'telemetry',
  'run_durations',
  'telemetry_samples_total',
  'timings',
  'mb_run_id',
  'start_time',
  'finish_time',
  'call',
]);
const MAX_KEYS = 400;
const MAX_VALUES_PER_KEY = 6;
const MAX_VALUE_CHARS = 300;

/** Metadata of runs, tallied key by key as they are read. */
export class MetadataTally {
  readonly #keys = new Map<string, { runs: number; values: Map<string, number>; other: number }>();
  #runs = 0;
  #droppedKeys = 0;

  /** Count one record's metadata. */
  add(record: AnyRecord): void {
    this.#runs++;
    for (const [key, value] of flattenRecord(record, EXCLUDED)) {
      let entry = this.#keys.get(key);
      if (entry === undefined) {
        if (this.#keys.size >= MAX_KEYS) {
          this.#droppedKeys++;
          continue;
        }
        entry = { runs: 0, values: new Map(), other: 0 };
        this.#keys.set(key, entry);
      }
      entry.runs++;
      const text = clip(displayValue(value));
      const seen = entry.values.get(text);
      if (seen !== undefined) entry.values.set(text, seen + 1);
      else if (entry.values.size < MAX_VALUES_PER_KEY) entry.values.set(text, 1);
      else entry.other++;
    }
  }

  /** Keys beyond the limit that were not tallied (counted once per run). */
  get droppedKeys(): number {
    return this.#droppedKeys;
  }

  /** The rows, keys in first-seen order. */
  finish(): MetadataRow[] {
    return [...this.#keys].map(([key, e]) => {
      const values = [...e.values]
        .map(([text, runs]) => ({ text, runs }))
        .sort((a, b) => b.runs - a.runs);
      return {
        key,
        runs: e.runs,
        values,
        otherRuns: e.other,
        same: e.runs === this.#runs && values.length === 1 && e.other === 0,
      };
    });
  }
}

// Shorten a huge value (a return value, a long list) for the table.
function clip(text: string): string {
  return text.length <= MAX_VALUE_CHARS
    ? text
    : `${text.slice(0, MAX_VALUE_CHARS)}… (${text.length} characters)`;
}
