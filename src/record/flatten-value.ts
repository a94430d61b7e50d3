/**
 * One nested record value as flat `path → leaf` entries, the way every reader that makes
 * columns or rows of a record spells them (`microbench diff`, the report's metadata, `export`):
 * objects become dotted paths (`git.commit`), lists of objects `key[i].field`, and lists of plain
 * values, empty objects and anything deeper than 8 levels stay one leaf.
 */

/** Most levels walked below a top-level key before the rest is kept as one leaf. */
const MAX_DEPTH = 8;

/** Add the leaves of `value`, found at `path`, to `out`. */
export function flattenValue(out: Map<string, unknown>, path: string, value: unknown): void {
  flattenAt(out, path, value, 0);
}

function flattenAt(out: Map<string, unknown>, path: string, value: unknown, depth: number): void {
  if (value === null || typeof value !== 'object' || depth > MAX_DEPTH) {
    out.set(path, value);
    return;
  }
  if (Array.isArray(value)) {
    if (value.length > 0 && value.every((v) => v !== null && typeof v === 'object')) {
      value.forEach((item, i) => {
        flattenAt(out, `${path}[${i}]`, item, depth + 1);
      });
    } else {
      out.set(path, value);
    }
    return;
  }
  const keys = Object.keys(value);
  if (keys.length === 0) {
    out.set(path, value);
    return;
  }
  for (const key of keys) {
    flattenAt(out, `${path}.${key}`, (value as Record<string, unknown>)[key], depth + 1);
  }
}
