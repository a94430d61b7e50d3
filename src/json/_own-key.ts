// internal: storing a key as an own data property, whatever its name.
//
// A plain assignment `out[key] = value` with the key `__proto__` calls Object.prototype's
// accessor instead: it sets (or, for a non-object, ignores) the prototype, and the key vanishes
// from the record and its JSON. Record fields come from users (`fields`, `--field KEY=VALUE`),
// so every copy of them stores keys through these helpers.

/** Store `value` under `key` as an own, enumerable property of `out` (also for `__proto__`). */
export function setOwnKey(out: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(out, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  } else {
    out[key] = value;
  }
}

/**
 * A shallow copy of `source`'s own enumerable string keys, in order, into a plain object; like
 * `Object.assign({}, source)` (and as fast when `source` has no own `__proto__` key) except that
 * an own `__proto__` is copied as a key.
 */
export function copyOwnKeys<T extends object>(source: T): T {
  if (!Object.hasOwn(source, '__proto__')) return Object.assign({}, source);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(source))
    setOwnKey(out, key, (source as Record<string, unknown>)[key]);
  return out as T;
}
