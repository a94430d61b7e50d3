// internal: a read-only check that `JSON.stringify` alone already encodes a value exactly as
// the rules in encode.ts would, so `encodeJson` can skip building a JSON-safe copy first.
//
// Accepted (each gives the same bytes from `JSON.stringify(value)` as from the copy):
//   strings, booleans, null, undefined, finite numbers (-0 included: both write `0`),
//   NaN (stringify writes `null`, our rule too),
//   arrays whose prototype is Array.prototype, with no `toJSON` (the copy ignores it, stringify
//     would not); holes read as undefined and become `null` either way,
//   objects whose prototype is Object.prototype or null, with no `toJSON` and no accessor
//     among their enumerable keys (a getter must run once, not once here and again there; a
//     setter-only key reads as undefined without running code, and is left out by both),
//   Dates with no own properties while Date.prototype is untouched (its toJSON gives the ISO
//     string, or null for an invalid Date, as the copy does).
// Anything else (BigInt, ±Infinity, functions, symbols, Map, Set, typed arrays, Errors, class
// instances, getters, nesting deeper than MAX_DEPTH, and so any cycle) is "not plain".
//
// Two limits, because JavaScript has no cheap test for them: an accessor on an array *index*
// (Object.defineProperty(array, 0, { get })) is read here like any element, so its getter runs
// once here and once more when stringified (a throwing one only sends the value down the slow
// path); and a Proxy's traps run here as well as in JSON.stringify.

/** Deeper values are reported as not plain; this also bounds the walk on a cycle. */
const MAX_DEPTH = 64;

// Object.prototype.__lookupGetter__ finds an accessor (own or inherited) without calling it.
const lookupGetter = (
  Object.prototype as unknown as { __lookupGetter__: (this: object, key: string) => unknown }
).__lookupGetter__;

// The Date.prototype members JSON.stringify and the slow path use, as they were at load time.
const DATE_MEMBERS = [
  'toJSON',
  'toISOString',
  'valueOf',
  'getTime',
  Symbol.toPrimitive,
] as const satisfies readonly (keyof Date)[];
const dateOriginals = DATE_MEMBERS.map((member) => Date.prototype[member]);

/**
 * Whether `JSON.stringify(value)` encodes `value` exactly as `JSON.stringify(toJsonValue(value))`
 * would without a replacer. Never throws, calls no getter on an object key, allocates nothing
 * for plain objects and arrays.
 */
export function isPlainJson(value: unknown): boolean {
  try {
    return isPlainValue(value, 0);
  } catch {
    // Only a Proxy trap or an array-index getter can throw here: let the slow path deal with it.
    return false;
  }
}

/**
 * Whether the fields `keys[from..]` of a plain record are plain by the rules of
 * {@link isPlainJson} (no accessor among them, every value plain): the part of a record that
 * is still to be encoded when the rest is known to be. Never throws.
 */
export function isPlainFields(
  record: Readonly<Record<string, unknown>>,
  keys: readonly string[],
  from: number,
): boolean {
  try {
    for (let i = from; i < keys.length; i++) {
      const key = keys[i]!;
      if (lookupGetter.call(record, key) !== undefined) return false;
      if (!isPlainValue(record[key], 1)) return false;
    }
    return true;
  } catch {
    return false;
  }
}

// One value at `depth` levels below the top.
function isPlainValue(value: unknown, depth: number): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
    case 'undefined':
      return true;
    case 'number':
      return value !== Number.POSITIVE_INFINITY && value !== Number.NEGATIVE_INFINITY;
    case 'object':
      return value === null || isPlainObject(value, depth);
    default:
      return false;
  }
}

// A non-null object: a plain array, a plain record or an untouched Date.
function isPlainObject(value: object, depth: number): boolean {
  if (depth >= MAX_DEPTH) return false;
  const proto = Object.getPrototypeOf(value);
  if (proto === Array.prototype) {
    if ('toJSON' in value) return false;
    const array = value as unknown[];
    for (let i = 0; i < array.length; i++) {
      if (!isPlainValue(array[i], depth + 1)) return false;
    }
    return true;
  }
  if (proto === Object.prototype || proto === null) {
    if ('toJSON' in value) return false;
    // for-in walks the enumerable keys JSON.stringify writes (plus any enumerable inherited
    // ones, which are merely checked too) without allocating a key array.
    for (const key in value) {
      if (lookupGetter.call(value, key) !== undefined) return false;
      if (!isPlainValue((value as Record<string, unknown>)[key], depth + 1)) return false;
    }
    return true;
  }
  return proto === Date.prototype && isUntouchedDate(value as Date);
}

// A Date that JSON.stringify turns into what the slow path writes: no own overrides, and the
// prototype members both sides call are still the built-ins.
function isUntouchedDate(date: Date): boolean {
  if (Reflect.ownKeys(date).length > 0) return false;
  for (let i = 0; i < DATE_MEMBERS.length; i++) {
    if (Date.prototype[DATE_MEMBERS[i]!] !== dateOriginals[i]) return false;
  }
  return true;
}
