// internal: `getResults({ flat: true })` — nested objects become dotted keys.
import { setOwnKey } from '../json/_own-key.js';
import type { BenchRecord } from '../record/record.js';

/**
 * Flatten nested plain objects with `.` separators (`{git: {commit}}` → `git.commit`);
 * arrays are kept as they are and an empty object disappears (microbench's rule).
 */
export function flattenRecord(record: BenchRecord): BenchRecord {
  const out: Record<string, unknown> = {};
  const visit = (prefix: string, value: Record<string, unknown>) => {
    for (const [key, item] of Object.entries(value)) {
      const name = prefix ? `${prefix}.${key}` : key;
      if (item !== null && typeof item === 'object' && !Array.isArray(item)) {
        visit(name, item as Record<string, unknown>);
      } else {
        setOwnKey(out, name, item);
      }
    }
  };
  visit('', record);
  return out as BenchRecord;
}
