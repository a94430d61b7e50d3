// internal: how error messages show a received value.

/** Describe a received value for an error message: `` `-1` (number) ``, `"x" (string)`, `an array`. */
export function describeValue(value: unknown): string {
  if (typeof value === 'function') return `a function ${value.name || '(anonymous)'}`;
  if (typeof value === 'string') return `${JSON.stringify(value)} (string)`;
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return `an object (${value.constructor?.name ?? 'Object'})`;
  return `\`${String(value)}\` (${typeof value})`;
}
