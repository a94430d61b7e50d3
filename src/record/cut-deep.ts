/**
 * Cutting values nested too deeply to walk safely. `JSON.parse` builds a value of any depth, but
 * every recursive walk of it (`JSON.stringify`, flattening, comparing) overflows the stack
 * somewhere past a few thousand levels. Readers cut what they read at a fixed depth: the part
 * below becomes a marker string that says what was cut, so a record never crashes a reader.
 */

/** How many levels of objects and arrays a reader keeps. */
export const MAX_VALUE_DEPTH = 64;

/** The text a cut part is replaced with. */
export const CUT_MARKER = `[cut: nested deeper than ${MAX_VALUE_DEPTH} levels]`;

/**
 * `value` with every object or array nested deeper than `maxDepth` levels replaced by a marker
 * string (`[cut: nested deeper than 64 levels]`). A value that is not that deep is returned as
 * it is (the same object, no copy); otherwise only the objects on the way to a cut are copied.
 * The walk itself goes at most `maxDepth` levels down, so it is safe on any value.
 */
export function cutDeep<T>(value: T, maxDepth = MAX_VALUE_DEPTH): T {
  return cutAt(value, 0, maxDepth, markerFor(maxDepth)) as T;
}

/** Whether `value` holds objects or arrays nested deeper than `maxDepth` levels. */
export function isDeeperThan(value: unknown, maxDepth = MAX_VALUE_DEPTH): boolean {
  return cutDeep(value, maxDepth) !== value;
}

// The marker for a depth limit.
function markerFor(maxDepth: number): string {
  return maxDepth === MAX_VALUE_DEPTH ? CUT_MARKER : `[cut: nested deeper than ${maxDepth} levels]`;
}

// One level of cutDeep: the same value when nothing below it is cut, else a shallow copy.
function cutAt(value: unknown, depth: number, maxDepth: number, marker: string): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (depth >= maxDepth) return marker;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      const cut = cutAt(item, depth + 1, maxDepth, marker);
      if (cut !== item) {
        copy ??= value.slice();
        copy[i] = cut;
      }
    }
    return copy ?? value;
  }
  let copy: Record<string, unknown> | undefined;
  const object = value as Record<string, unknown>;
  for (const key of Object.keys(object)) {
    const item = object[key];
    const cut = cutAt(item, depth + 1, maxDepth, marker);
    if (cut !== item) {
      copy ??= { ...object };
      copy[key] = cut;
    }
  }
  return copy ?? value;
}
