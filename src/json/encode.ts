/**
 * JSON encoding rules for records (DESIGN §3.10). Writing a record never throws:
 *
 * | value                         | becomes                                            |
 * |-------------------------------|----------------------------------------------------|
 * | BigInt                        | a number when it is a safe integer, else a string  |
 * | Date                          | ISO 8601 string (`toISOString()`)                  |
 * | Map                           | an object (keys stringified)                       |
 * | Set                           | an array                                           |
 * | typed arrays / ArrayBuffer    | an array of numbers                                |
 * | Error                         | `{ type, message }`                                |
 * | NaN                           | `null`                                             |
 * | Infinity / -Infinity          | `"Infinity"` / `"-Infinity"` (Python's float() reads them) |
 * | undefined                     | omitted in objects, `null` in arrays (JSON's rule) |
 * | function, symbol, circular    | `"__unencodable_as_json__"` plus one warning       |
 * | a throwing getter/toJSON/replacer | `"__unencodable_as_json__"` plus one warning   |
 *
 * A user `jsonReplacer` runs first on every value, like a Python `JSONEncoder.default`.
 */

import { setOwnKey } from './_own-key.js';
import { isPlainJson } from './_plain-json.js';

/** The placeholder microbench writes for values JSON cannot hold. */
export const UNENCODABLE = '__unencodable_as_json__';

/** A `JSON.stringify`-style replacer applied before the built-in rules. */
export type JsonReplacer = (key: string, value: unknown) => unknown;

/** Where a warning about an unencodable value goes (injected so tests need not patch globals). */
export type WarnFn = (message: string) => void;

/** Emit a `JSONEncodeWarning` process warning (the default `WarnFn`). */
export function emitJsonWarning(message: string): void {
  process.emitWarning(message, { type: 'JSONEncodeWarning', code: 'MB_JSON_ENCODE' });
}

/** Options for {@link toJsonValue} and {@link encodeJson}. */
export interface JsonEncodeOptions {
  replacer?: JsonReplacer | undefined;
  warn?: WarnFn;
}

/**
 * Convert any value into a JSON-safe tree by the rules above. `path` names the value in
 * warnings (e.g. `args[0]`).
 */
export function toJsonValue(
  value: unknown,
  path = 'value',
  options: JsonEncodeOptions = {},
): unknown {
  const warn = options.warn ?? emitJsonWarning;
  const seen = new Set<object>();
  // Without a replacer, strings, booleans and finite numbers pass through as they are: the
  // common case skips the per-value path string and try/catch (records are mostly such values).
  const passThrough = options.replacer === undefined;
  // A value whose conversion throws (toJSON, replacer, Map/Set iteration) costs only that value.
  const visit = (key: string, raw: unknown, where: string): unknown => {
    try {
      return convert(key, raw, where);
    } catch (error) {
      warn(unencodableMessage(where, `encoding it threw ${describeThrown(error)}`));
      return UNENCODABLE;
    }
  };
  const convert = (key: string, raw: unknown, where: string): unknown => {
    const v = options.replacer ? options.replacer(key, raw) : raw;
    switch (typeof v) {
      case 'string':
      case 'boolean':
        return v;
      case 'number':
        if (Number.isFinite(v)) return v;
        if (Number.isNaN(v)) return null;
        return v > 0 ? 'Infinity' : '-Infinity';
      case 'bigint':
        return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER)
          ? Number(v)
          : v.toString();
      case 'undefined':
        return undefined;
      case 'function':
      case 'symbol':
        warn(unencodableMessage(where, typeof v));
        return UNENCODABLE;
    }
    if (v === null) return null;
    const obj = v as object;
    if (seen.has(obj)) {
      warn(unencodableMessage(where, 'circular reference'));
      return UNENCODABLE;
    }
    if (obj instanceof Date) return Number.isNaN(obj.getTime()) ? null : obj.toISOString();
    if (ArrayBuffer.isView(obj) && !(obj instanceof DataView)) {
      // Numbers pass as they are, unless a replacer must see them (it runs on every value).
      return Array.from(obj as unknown as ArrayLike<number | bigint>, (x, i) =>
        typeof x === 'bigint' || !passThrough ? visit(String(i), x, `${where}[${i}]`) : x,
      );
    }
    if (obj instanceof ArrayBuffer) return Array.from(new Uint8Array(obj));
    if (obj instanceof Error) return { type: obj.name, message: obj.message };
    seen.add(obj);
    try {
      if (Array.isArray(obj)) {
        return obj.map((item, i) => {
          if (passThrough && isPlainValue(item)) return item;
          const out = visit(String(i), item, `${where}[${i}]`);
          return out === undefined ? null : out;
        });
      }
      if (obj instanceof Set) {
        return Array.from(obj, (item, i) => {
          const out = visit(String(i), item, `${where}[${i}]`);
          return out === undefined ? null : out;
        });
      }
      if (obj instanceof Map) {
        const out: Record<string, unknown> = {};
        for (const [k, item] of obj) {
          const converted = visit(String(k), item, `${where}.${String(k)}`);
          if (converted !== undefined) setOwnKey(out, String(k), converted);
        }
        return out;
      }
      const toJSON = (obj as { toJSON?: unknown }).toJSON;
      if (typeof toJSON === 'function') return visit(key, toJSON.call(obj, key), where);
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(obj)) {
        let item: unknown;
        try {
          item = (obj as Record<string, unknown>)[k];
        } catch (error) {
          warn(unencodableMessage(`${where}.${k}`, `reading it threw ${describeThrown(error)}`));
          setOwnKey(out, k, UNENCODABLE);
          continue;
        }
        if (passThrough && isPlainValue(item)) {
          setOwnKey(out, k, item);
          continue;
        }
        const converted = visit(k, item, `${where}.${k}`);
        if (converted !== undefined) setOwnKey(out, k, converted);
      }
      return out;
    } finally {
      seen.delete(obj);
    }
  };
  return visit('', value, path);
}

// A value JSON holds exactly as it is.
function isPlainValue(value: unknown): boolean {
  const type = typeof value;
  return type === 'string' || type === 'boolean' || (type === 'number' && Number.isFinite(value));
}

/**
 * Encode a value as one line of JSON by the rules above; never throws. Warnings name the value
 * `record`.
 *
 * Without a `replacer`, a value that `JSON.stringify` already encodes by these rules (plain
 * objects and arrays of strings, booleans, null, finite numbers, NaN, undefined and Dates) is
 * stringified as it is, skipping the JSON-safe copy; the output is byte-for-byte the same.
 */
export function encodeJson(value: unknown, options: JsonEncodeOptions = {}): string {
  if (options.replacer === undefined && isPlainJson(value)) {
    try {
      return JSON.stringify(value) ?? 'null';
    } catch {
      // Only a Proxy, an array-index getter that changed its answer or a string too long for
      // V8 gets here: the slow path decides.
    }
  }
  return JSON.stringify(toJsonValue(value, 'record', options)) ?? 'null';
}

// `TypeError: message` for an Error, the value itself otherwise.
function describeThrown(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  try {
    return String(error);
  } catch {
    return typeof error;
  }
}

function unencodableMessage(where: string, what: string): string {
  return (
    `${where} is not JSON encodable (${what}); it was stored as "${UNENCODABLE}". ` +
    'Convert it first, or pass a `jsonReplacer` option to MicroBench to encode it.'
  );
}
