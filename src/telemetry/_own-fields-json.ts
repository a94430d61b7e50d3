// internal: the JSON of a call's own record fields for its journal header, made at every start
// of a journaled call (sampler.ts writes it into the call's slot), though the worker reads it only
// for a call that runs past the journal delay. Consecutive calls of a function usually hold the
// same own fields with the same values but for `start_time` (the function's name, an empty
// `run_durations`, the same captures): their JSON is then the last one's with the new start time
// put in, instead of the fields being gathered into an object and encoded again. Once a
// function's calls have repeated their own fields, those two parts become a header template:
// sent to the worker once, and completed there with the start time (sampler.ts), so a call
// writes no header text at all.
import { setOwnKey } from '../json/_own-key.js';
import { encodeJson } from '../json/encode.js';

const ignoreWarning = (): void => undefined;

// A cached value that was an empty array (its JSON `[]`), whatever became of that array since.
const EMPTY_ARRAY = Symbol('empty array');

/** The JSON of a call's own fields around the value of `start_time`, and its id. */
export interface HeaderTemplate {
  /** Unique in this process. */
  readonly id: number;
  readonly before: string;
  readonly after: string;
}

let nextTemplateId = 0;

/** A header template's JSON for the call that started at `startTime` (its `start_time`). */
export function completeTemplate(
  template: { readonly before: string; readonly after: string },
  startTime: string,
): string {
  return `${template.before}${JSON.stringify(startTime)}${template.after}`;
}

/** Encodes the own fields (not in the bench's constant fields, or changed) of one bench's calls. */
export class OwnFieldsJson {
  // The last cacheable call's own keys and values (start_time's value not kept), and its JSON
  // before and after start_time's value; `keys` is empty while nothing is cached.
  #keys: string[] = [];
  #values: unknown[] = [];
  #before = '';
  #after = '';
  // The template of the cached parts, once a call has reused them.
  #template: HeaderTemplate | undefined;

  /** The own fields of `record` (against `base`) as JSON, as encodeJson writes them. */
  encode(
    record: Readonly<Record<string, unknown>>,
    base: Readonly<Record<string, unknown>>,
  ): string {
    const header = this.header(record, base);
    return typeof header === 'string'
      ? header
      : completeTemplate(header, record.start_time as string);
  }

  /**
   * The own fields of `record` (against `base`) as a header template, when they are the last
   * encoded call's but for `start_time`; else as JSON (encoded now, and kept for the next).
   */
  header(
    record: Readonly<Record<string, unknown>>,
    base: Readonly<Record<string, unknown>>,
  ): HeaderTemplate | string {
    if (!this.#reusable(record, base)) return this.#encode(record, base);
    this.#template ??= { id: nextTemplateId++, before: this.#before, after: this.#after };
    return this.#template;
  }

  // Are the record's own fields the cached ones but for start_time (a string)?
  #reusable(
    record: Readonly<Record<string, unknown>>,
    base: Readonly<Record<string, unknown>>,
  ): boolean {
    const keys = this.#keys;
    if (keys.length === 0) return false;
    let i = 0;
    for (const key of Object.keys(record)) {
      const value = record[key];
      if (Object.hasOwn(base, key) && base[key] === value) continue;
      if (key !== keys[i]) return false;
      if (key === 'start_time') {
        if (typeof value !== 'string') return false;
      } else {
        const cached = this.#values[i];
        if (cached === EMPTY_ARRAY ? !isEmptyArray(value) : value !== cached) return false;
      }
      i++;
    }
    return i === keys.length;
  }

  #encode(
    record: Readonly<Record<string, unknown>>,
    base: Readonly<Record<string, unknown>>,
  ): string {
    const own: Record<string, unknown> = {};
    const keys: string[] = [];
    const values: unknown[] = [];
    let cacheable = true;
    for (const key of Object.keys(record)) {
      const value = record[key];
      if (Object.hasOwn(base, key) && base[key] === value) continue;
      // A field named `__proto__` stays a field (a plain assignment would set the prototype).
      setOwnKey(own, key, value);
      if (key === '__proto__') {
        cacheable = false;
        continue;
      }
      keys.push(key);
      if (isEmptyArray(value)) values.push(EMPTY_ARRAY);
      else if (isPrimitiveJson(value)) values.push(value);
      else cacheable = false;
    }
    const json = encodeJson(own, { warn: ignoreWarning });
    this.#keys = [];
    this.#template = undefined;
    const at = keys.indexOf('start_time');
    if (!cacheable || at < 0 || typeof own.start_time !== 'string') return json;
    // The values are strings, finite numbers, booleans, null and empty arrays: their JSON is
    // JSON.stringify's, field by field, so the text splits around start_time's value.
    let before = '{';
    for (let k = 0; k < at; k++)
      before += `${JSON.stringify(keys[k])}:${JSON.stringify(own[keys[k]!])},`;
    before += '"start_time":';
    let after = '';
    for (let k = at + 1; k < keys.length; k++)
      after += `,${JSON.stringify(keys[k])}:${JSON.stringify(own[keys[k]!])}`;
    after += '}';
    if (`${before}${JSON.stringify(own.start_time)}${after}` !== json) return json;
    this.#keys = keys;
    this.#values = values;
    this.#before = before;
    this.#after = after;
    return json;
  }
}

function isEmptyArray(value: unknown): boolean {
  return (
    Array.isArray(value) && value.length === 0 && Object.getPrototypeOf(value) === Array.prototype
  );
}

// A value whose JSON cannot change while it is held: a string, boolean, null or finite number.
function isPrimitiveJson(value: unknown): boolean {
  const type = typeof value;
  return (
    type === 'string' ||
    type === 'boolean' ||
    value === null ||
    (type === 'number' && Number.isFinite(value as number))
  );
}
