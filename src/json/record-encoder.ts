/**
 * The JSON encoder of one bench's records.
 *
 * Every record a bench writes starts as a copy of the bench's base record: the run id, the
 * versions, the timezone and counter names, the function name and the constant mixin fields,
 * in that order. Their JSON is the same in every record of a function, so it is built once per
 * function name and reused; only the fields after it (timings, timestamps, captures, telemetry)
 * are stringified per call. The output is byte for byte what {@link encodeJson} gives for the
 * whole record: a record whose leading fields differ from the base (a capture method changed
 * one, a field was deleted, an integer-like key moved to the front) is encoded whole.
 */
import { setOwnKey } from './_own-key.js';
import { isPlainFields } from './_plain-json.js';
import { encodeJson, type JsonEncodeOptions } from './encode.js';

/** Function names whose head is kept; past this many, the cache starts over. */
const MAX_HEADS = 1024;

/** Encodes the records of one bench, reusing the JSON of their shared leading fields. */
export class RecordEncoder {
  readonly #base: Readonly<Record<string, unknown>>;
  readonly #options: JsonEncodeOptions;
  // The base's leading keys whose values are primitives (the reusable head), once known.
  #keys: readonly string[] | undefined;
  // Function name → the head's JSON without its closing brace ('' when it encodes to `{}`).
  readonly #heads = new Map<string, string>();

  /**
   * @param base The record every record of the bench is copied from; read on first use, so
   *   it must be complete by then. Its `function_name` may differ per record.
   * @param options As for {@link encodeJson}; with a `replacer`, every record is encoded whole
   *   (a replacer may treat the same field differently from call to call).
   */
  constructor(base: Readonly<Record<string, unknown>>, options: JsonEncodeOptions = {}) {
    this.#base = base;
    this.#options = options;
  }

  /**
   * One line of JSON for `record`, as `encodeJson(record, options)` would write it; with
   * `keyCount`, for the record's first `keyCount` keys only (as if the rest were not there).
   */
  encode(record: Readonly<Record<string, unknown>>, keyCount?: number): string {
    if (this.#options.replacer !== undefined || !isPlainRecordObject(record)) {
      return this.#whole(record, keyCount);
    }
    this.#keys ??= headKeys(this.#base);
    const keys = this.#keys;
    if (keys.length === 0) return this.#whole(record, keyCount);
    const recordKeys = Object.keys(record);
    if (keyCount !== undefined && keyCount < recordKeys.length) recordKeys.length = keyCount;
    if (recordKeys.length < keys.length) return this.#whole(record, keyCount);
    let functionName = '';
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      if (recordKeys[i] !== key) return this.#whole(record, keyCount);
      const value = record[key];
      if (key === 'function_name') {
        if (typeof value !== 'string') return this.#whole(record, keyCount);
        functionName = value;
      } else if (value !== this.#base[key]) {
        return this.#whole(record, keyCount);
      }
    }
    // The rest must be plain too (no BigInt, no cycle, no getter...): otherwise the whole
    // record takes encodeJson's slow path, warnings and all, exactly as without this class.
    if (!isPlainFields(record, recordKeys, keys.length)) return this.#whole(record, keyCount);
    const tail: Record<string, unknown> = {};
    for (let i = keys.length; i < recordKeys.length; i++) {
      const key = recordKeys[i]!;
      setOwnKey(tail, key, record[key]);
    }
    let tailJson: string;
    try {
      tailJson = JSON.stringify(tail);
    } catch {
      return this.#whole(record, keyCount); // a Proxy: the slow path decides
    }
    const head = this.#head(keys, functionName);
    if (head === '') return tailJson;
    if (tailJson === '{}') return `${head}}`;
    return `${head},${tailJson.slice(1)}`;
  }

  // encodeJson of the record, or of its first `keyCount` keys.
  #whole(record: Readonly<Record<string, unknown>>, keyCount: number | undefined): string {
    if (keyCount === undefined) return encodeJson(record, this.#options);
    const keys = Object.keys(record);
    if (keyCount >= keys.length) return encodeJson(record, this.#options);
    const first: Record<string, unknown> = {};
    for (let i = 0; i < keyCount; i++) setOwnKey(first, keys[i]!, record[keys[i]!]);
    return encodeJson(first, this.#options);
  }

  #head(keys: readonly string[], functionName: string): string {
    let head = this.#heads.get(functionName);
    if (head !== undefined) return head;
    const fields: Record<string, unknown> = {};
    for (const key of keys)
      setOwnKey(fields, key, key === 'function_name' ? functionName : this.#base[key]);
    const json = encodeJson(fields, this.#options);
    head = json === '{}' ? '' : json.slice(0, -1);
    if (this.#heads.size >= MAX_HEADS) this.#heads.clear();
    this.#heads.set(functionName, head);
    return head;
  }
}

// A plain object JSON.stringify writes key by key (no toJSON of its own or inherited).
function isPlainRecordObject(record: object): boolean {
  const proto = Object.getPrototypeOf(record);
  return (proto === Object.prototype || proto === null) && !('toJSON' in record);
}

// The base's leading keys up to the first whose value is not a string, boolean, null or finite
// number (`function_name` counts as a string whatever the base holds): values that cannot
// change inside the object, so an identical value means identical JSON.
function headKeys(base: Readonly<Record<string, unknown>>): string[] {
  const keys: string[] = [];
  for (const key of Object.keys(base)) {
    const value = base[key];
    const primitive =
      key === 'function_name' ||
      typeof value === 'string' ||
      typeof value === 'boolean' ||
      value === null ||
      (typeof value === 'number' && Number.isFinite(value));
    if (!primitive) break;
    keys.push(key);
  }
  return keys;
}
