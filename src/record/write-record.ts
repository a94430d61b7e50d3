/**
 * The record writers: a flat record in, one line of JSON in the bench's layout out.
 *
 *   v1: RecordEncoder (the JSON of the leading fields every record of a bench shares is built
 *       once per function name and reused)
 *   v2: the same idea per namespace: the shared fields' JSON is cached per namespace (`mb`,
 *       `call.name`, `node`...), and only the rest of each namespace is stringified per call.
 *
 * Either way the output is what `encodeJson(toLayout(record, format))` writes (the same keys
 * and values; in v2 the shared fields of a namespace come first), and anything unusual (a
 * leading field changed, a value JSON cannot hold, a replacer) takes that path itself.
 */

import { isPlainFields } from '../json/_plain-json.js';
import { appendJsonFields } from '../json/append-fields.js';
import { encodeJson, type JsonEncodeOptions } from '../json/encode.js';
import { RecordEncoder } from '../json/record-encoder.js';
import { type RecordFormat, toLayout, toV2Placement, toV2Record, V2_NAMESPACES } from './layout.js';

/** Encodes the records of one bench in one layout. */
export interface RecordWriter {
  /** The layout it writes. */
  readonly format: RecordFormat;
  /** One line of JSON (no newline) for a flat record. */
  encode(record: Readonly<Record<string, unknown>>): string;
  /**
   * The flat record as JSON, for a journal (which holds records flat, whatever the layout).
   * In v1 without a replacer it is the record's line, warnings and all, so
   * {@link lineAppended} can build the line from it; otherwise the record by the record rules,
   * warnings muted (they come when the record is written).
   */
  encodeFlat(record: Readonly<Record<string, unknown>>): string;
  /**
   * The line of a record whose last keys are `appended.fields` (added together, none of them
   * in the record before), built from the JSON of the keys before them (`appended.prefixJson`,
   * from {@link encodeFlat} before they were added, or encoded now) and of the fields
   * (`appended.json()`, or encoded now); undefined where the layout cannot be built so (v2, a
   * replacer): encode the record.
   */
  lineAppended(
    record: Readonly<Record<string, unknown>>,
    appended: AppendedFields,
  ): string | undefined;
}

/** Fields added at the end of a record, with what is known of their JSON. */
export interface AppendedFields {
  readonly fields: Readonly<Record<string, unknown>>;
  /** The JSON of the record before `fields` were added; undefined: not known. */
  readonly prefixJson?: string | undefined;
  /**
   * The JSON of `fields`, as encoding them gives it, made when a line is built (undefined:
   * not known; they are encoded then).
   */
  json?(): string | undefined;
}

// Warnings about a record's values come when it is written to the outputs, not twice.
const ignoreWarning = (): void => undefined;

/**
 * The writer of one bench's records.
 * @param base The flat record every record of the bench is copied from (read on first use).
 */
export function createRecordWriter(
  format: RecordFormat,
  base: Readonly<Record<string, unknown>>,
  options: JsonEncodeOptions = {},
): RecordWriter {
  if (format === 'v1' && options.replacer === undefined) {
    const encoder = new RecordEncoder(base, options);
    return {
      format,
      encode: (record) => encoder.encode(record),
      encodeFlat: (record) => encoder.encode(record),
      lineAppended: (record, appended) =>
        appendJsonFields(
          appended.prefixJson ??
            encoder.encode(
              record,
              Object.keys(record).length - Object.keys(appended.fields).length,
            ),
          appended.json?.() ?? encodeJson(appended.fields, options),
        ),
    };
  }
  const encoder =
    format === 'v2' ? new V2RecordEncoder(base, options) : new RecordEncoder(base, options);
  let flat: RecordEncoder | undefined;
  return {
    format,
    encode: (record) => encoder.encode(record),
    encodeFlat: (record) => {
      flat ??= new RecordEncoder(base, { warn: ignoreWarning });
      return flat.encode(record);
    },
    lineAppended: () => undefined,
  };
}

/** One line of JSON for one flat record in `format` (the CLI's and recover's one-off records). */
export function encodeRecord(
  record: Readonly<Record<string, unknown>>,
  format: RecordFormat,
  options: JsonEncodeOptions = {},
): string {
  return encodeJson(toLayout(record, format), options);
}

/** Past this many function names, the cache of namespace heads starts over. */
const MAX_HEADS = 1024;

// The cached JSON of a base's shared fields, per namespace, for one function name.
interface V2Head {
  /** The shared top-level (user) fields, as `"k":v,...` (empty when none). */
  readonly top: string;
  /** Namespaces holding shared fields, in order: index in V2_NAMESPACES, `"ns":{"k":v,...`. */
  readonly namespaces: readonly (readonly [number, string])[];
}

/** Encodes flat records of one bench in the v2 layout, reusing the JSON of shared fields. */
export class V2RecordEncoder {
  readonly #base: Readonly<Record<string, unknown>>;
  readonly #options: JsonEncodeOptions;
  #keys: readonly string[] | undefined;
  readonly #heads = new Map<string, V2Head>();

  /**
   * @param base As for {@link RecordEncoder}: the flat record every record is copied from.
   * @param options As for {@link encodeJson}; with a `replacer`, every record is encoded whole.
   */
  constructor(base: Readonly<Record<string, unknown>>, options: JsonEncodeOptions = {}) {
    this.#base = base;
    this.#options = options;
  }

  /** One line of JSON for a flat `record`, in the v2 layout. */
  encode(record: Readonly<Record<string, unknown>>): string {
    const fast = this.#options.replacer === undefined && isPlainRecordObject(record);
    const json = fast ? this.#encodeFast(record) : undefined;
    return json ?? encodeJson(toV2Record(record), this.#options);
  }

  // The cached path; undefined when the record must be encoded whole.
  #encodeFast(record: Readonly<Record<string, unknown>>): string | undefined {
    this.#keys ??= headKeys(this.#base);
    const keys = this.#keys;
    const recordKeys = Object.keys(record);
    if (keys.length === 0 || recordKeys.length < keys.length) return undefined;
    let functionName = '';
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      if (recordKeys[i] !== key) return undefined;
      const value = record[key];
      if (key === 'function_name') {
        if (typeof value !== 'string') return undefined;
        functionName = value;
      } else if (value !== this.#base[key]) {
        return undefined;
      }
    }
    if (!isPlainFields(record, recordKeys, keys.length)) return undefined;
    // The rest, nested: top-level fields, and per namespace the fields placed in it.
    let top: Record<string, unknown> | undefined;
    const groups: (Record<string, unknown> | undefined)[] = [
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ];
    for (let i = keys.length; i < recordKeys.length; i++) {
      const key = recordKeys[i]!;
      const value = record[key];
      if (value === undefined) continue;
      const placed = toV2Placement(key);
      if (placed === undefined) {
        if (key === '__proto__' || NAMESPACE_INDEX.has(key)) return undefined;
        if (top === undefined) top = {};
        top[key] = value;
        continue;
      }
      const [namespace, name] = placed;
      if (name === '__proto__' || key === 'mixin_errors') return undefined;
      const index = NAMESPACE_INDEX.get(namespace)!;
      let group = groups[index];
      if (group === undefined) {
        group = {};
        groups[index] = group;
      }
      group[name] = value;
    }
    const head = this.#head(keys, functionName);
    try {
      let out = '{';
      let sep = '';
      if (head.top !== '') {
        out += head.top;
        sep = ',';
      }
      for (const [index, prefix] of head.namespaces) {
        out += sep + prefix;
        sep = ',';
        const group = groups[index];
        if (group !== undefined) {
          groups[index] = undefined;
          const json = JSON.stringify(group);
          if (json.length > 2) out += `,${json.slice(1, -1)}`;
        }
        out += '}';
      }
      for (let index = 0; index < groups.length; index++) {
        const group = groups[index];
        if (group === undefined) continue;
        out += `${sep}"${V2_NAMESPACES[index]}":${JSON.stringify(group)}`;
        sep = ',';
      }
      if (top !== undefined) {
        const rest = JSON.stringify(top);
        if (rest.length > 2) out += sep + rest.slice(1, -1);
      }
      return `${out}}`;
    } catch {
      return undefined; // a Proxy: the whole record takes the slow path
    }
  }

  #head(keys: readonly string[], functionName: string): V2Head {
    const cached = this.#heads.get(functionName);
    if (cached !== undefined) return cached;
    const shared: Record<string, unknown> = {};
    for (const key of keys) shared[key] = key === 'function_name' ? functionName : this.#base[key];
    const nested = JSON.parse(encodeJson(toV2Record(shared), this.#options)) as Record<
      string,
      unknown
    >;
    const top: Record<string, unknown> = {};
    const namespaces: [number, string][] = [];
    for (const key of Object.keys(nested)) {
      const index = NAMESPACE_INDEX.get(key);
      if (index === undefined) top[key] = nested[key];
      else namespaces.push([index, `"${key}":{${JSON.stringify(nested[key]).slice(1, -1)}`]);
    }
    const head: V2Head = { top: JSON.stringify(top).slice(1, -1), namespaces };
    if (this.#heads.size >= MAX_HEADS) this.#heads.clear();
    this.#heads.set(functionName, head);
    return head;
  }
}

const NAMESPACE_INDEX: ReadonlyMap<string, number> = new Map(V2_NAMESPACES.map((ns, i) => [ns, i]));

// A plain object JSON.stringify writes key by key (no toJSON of its own or inherited).
function isPlainRecordObject(record: object): boolean {
  const proto = Object.getPrototypeOf(record);
  return (proto === Object.prototype || proto === null) && !('toJSON' in record);
}

// The base's leading keys whose values cannot change inside the object: strings, booleans,
// null, finite numbers, frozen arrays of those (`node_exec_argv`), and `function_name` whatever
// the base holds. Namespace names end the head (their values are merged, not copied).
function headKeys(base: Readonly<Record<string, unknown>>): string[] {
  const keys: string[] = [];
  for (const key of Object.keys(base)) {
    const value = base[key];
    const constant =
      key === 'function_name' ||
      isConstantPrimitive(value) ||
      (Array.isArray(value) && Object.isFrozen(value) && value.every(isConstantPrimitive));
    if (!constant || NAMESPACE_INDEX.has(key) || key === '__proto__') break;
    keys.push(key);
  }
  return keys;
}

function isConstantPrimitive(value: unknown): boolean {
  return (
    typeof value === 'string' ||
    typeof value === 'boolean' ||
    value === null ||
    (typeof value === 'number' && Number.isFinite(value))
  );
}
