/**
 * The two record layouts, and the one table that moves a field between them.
 *
 * A record is assembled once, in the v1 layout (microbench v1's flat names: `function_name`,
 * `run_durations`, `env_HOME`...), by the library and the CLI alike. The layout a bench asked
 * for is applied when the record leaves: `v1` is the record as it is; `v2` nests it the way
 * Python microbench v2.1 does:
 *
 *   flat record ──► toLayout(record, 'v2') ──► { ...user fields, mb: {...}, call: {...},
 *                                                host: {...}, node: {...}, env: {...},
 *                                                slurm, git, cgroups, resource_usage, ... }
 *
 * The same table, read backwards, turns any v2 record (ours or Python's) into the flat view
 * every reader works on ({@link toFlatRecord}). docs/record-format.md lists every placement.
 */

import { describeValue as describe } from '../_describe.js';
import { OptionError } from '../errors.js';

/** The record layouts a bench can write. */
export type RecordFormat = 'v1' | 'v2';

/** Every {@link RecordFormat}, in the order the docs list them. */
export const RECORD_FORMATS: readonly RecordFormat[] = ['v1', 'v2'];

/** The implementation every record names (`mb_implementation` / `mb.implementation`). */
export const IMPLEMENTATION = 'microbench-ts';

/** The namespaces of a v2 record that the layout fills from flat fields. */
export type V2Namespace = 'mb' | 'call' | 'host' | 'node' | 'env' | 'python';

/** The top-level keys a v2 record reserves for its namespaces. */
export const V2_NAMESPACES: readonly V2Namespace[] = [
  'mb',
  'call',
  'host',
  'node',
  'env',
  'python',
];

/**
 * Flat (v1) name → where v2 puts it. Fields not listed stay at the top level under their own
 * name (user `fields`, `slurm`, `git`, `cgroups`, `file_hashes`, `resource_usage`, `nvidia`,
 * `loaded_modules`, `exception`, `exit_signal`, notes); `env_<NAME>` goes to `env.<NAME>` and
 * `telemetry_<what>` to `call.monitor_<what>`.
 */
export const V2_PLACEMENTS: Readonly<Record<string, readonly [V2Namespace, string]>> = {
  mb_run_id: ['mb', 'run_id'],
  mb_version: ['mb', 'version'],
  mb_implementation: ['mb', 'implementation'],
  timestamp_tz: ['mb', 'timezone'],
  duration_counter: ['mb', 'duration_counter'],
  file_hash_algorithm: ['mb', 'file_hash_algorithm'],
  function_name: ['call', 'name'],
  invocation: ['call', 'invocation'],
  args: ['call', 'args'],
  kwargs: ['call', 'kwargs'],
  return_value: ['call', 'return_value'],
  working_dir: ['call', 'working_dir'],
  run_durations: ['call', 'durations'],
  start_time: ['call', 'start_time'],
  finish_time: ['call', 'finish_time'],
  timings: ['call', 'timings'],
  telemetry: ['call', 'monitor'],
  command: ['call', 'command'],
  returncode: ['call', 'returncode'],
  timed_out: ['call', 'timed_out'],
  stdout: ['call', 'stdout'],
  stderr: ['call', 'stderr'],
  stdout_dropped_bytes: ['call', 'stdout_dropped_bytes'],
  stderr_dropped_bytes: ['call', 'stderr_dropped_bytes'],
  mixin_errors: ['call', 'capture_errors'],
  interrupted: ['call', 'interrupted'],
  peak_memory_bytes: ['call', 'peak_memory_bytes'],
  peak_rss_bytes: ['call', 'peak_rss_bytes'],
  peak_rss_note: ['call', 'peak_rss_note'],
  peak_heap_used_bytes: ['call', 'peak_heap_used_bytes'],
  hostname: ['host', 'hostname'],
  operating_system: ['host', 'os'],
  cpu_model: ['host', 'cpu_model'],
  cpu_cores_logical: ['host', 'cpu_cores_logical'],
  cpu_cores_physical: ['host', 'cpu_cores_physical'],
  ram_total: ['host', 'ram_total'],
  node_version: ['node', 'version'],
  node_executable: ['node', 'executable'],
  v8_version: ['node', 'v8_version'],
  node_exec_argv: ['node', 'exec_argv'],
  package_versions: ['node', 'package_versions'],
  package_paths: ['node', 'package_paths'],
  installed_packages_source: ['node', 'installed_packages_source'],
  loaded_packages: ['node', 'loaded_packages'],
  python_version: ['python', 'version'],
  python_executable: ['python', 'executable'],
  python_prefix: ['python', 'prefix'],
};

// The table as a Map (a lookup per field on the write path) and read backwards.
const PLACEMENT = new Map(Object.entries(V2_PLACEMENTS));
const FLAT_NAME = new Map<string, string>();
for (const [flat, [namespace, name]] of PLACEMENT) FLAT_NAME.set(`${namespace}.${name}`, flat);

const ENV_PREFIX = 'env_';
const TELEMETRY_PREFIX = 'telemetry_';
const MONITOR_PREFIX = 'monitor_';

/**
 * Where v2 puts the flat field `key`: `[namespace, name]`, or undefined for a field that stays
 * at the top level.
 */
export function toV2Placement(key: string): readonly [V2Namespace, string] | undefined {
  const placed = PLACEMENT.get(key);
  if (placed !== undefined) return placed;
  if (key.startsWith(ENV_PREFIX) && key.length > ENV_PREFIX.length) {
    return ['env', key.slice(ENV_PREFIX.length)];
  }
  if (key.startsWith(TELEMETRY_PREFIX) && key.length > TELEMETRY_PREFIX.length) {
    return ['call', MONITOR_PREFIX + key.slice(TELEMETRY_PREFIX.length)];
  }
  return undefined;
}

/** The flat (v1) name of the field `name` of a v2 namespace (`host.os` → `operating_system`). */
export function toFlatName(namespace: string, name: string): string {
  const known = FLAT_NAME.get(`${namespace}.${name}`);
  if (known !== undefined) return known;
  switch (namespace) {
    case 'env':
      return ENV_PREFIX + name;
    case 'call':
      return name.startsWith(MONITOR_PREFIX)
        ? TELEMETRY_PREFIX + name.slice(MONITOR_PREFIX.length)
        : name;
    case 'mb':
      return `mb_${name}`;
    case 'node':
    case 'python':
      return `${namespace}_${name}`;
    default:
      return name;
  }
}

/**
 * The record in the layout `format`: the flat record itself for `v1`, a fresh nested object for
 * `v2` (the flat record is left as it was; values are shared, not copied).
 */
export function toLayout(
  record: Readonly<Record<string, unknown>>,
  format: RecordFormat,
): Record<string, unknown> {
  return format === 'v2' ? toV2Record(record) : (record as Record<string, unknown>);
}

/**
 * Nest a flat record as Python microbench v2.1 does. Namespaces appear where their first field
 * was (user fields first, then `mb`, `call`...). A top-level field that takes a namespace's
 * name (a capture method writing `record.host = {...}`) is merged into it when it is a plain
 * object (the namespace's own fields win); any other value under such a name is kept as
 * `<name>_value`.
 */
export function toV2Record(record: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  let mb: Record<string, unknown> | undefined;
  let call: Record<string, unknown> | undefined;
  let host: Record<string, unknown> | undefined;
  let node: Record<string, unknown> | undefined;
  let env: Record<string, unknown> | undefined;
  let python: Record<string, unknown> | undefined;
  let clashes: [string, unknown][] | undefined;
  for (const key in record) {
    if (!Object.hasOwn(record, key)) continue;
    const value = record[key];
    if (value === undefined) continue;
    const placed = toV2Placement(key);
    if (placed === undefined) {
      if (!isNamespaceName(key)) setOwn(out, key, value);
      else if (clashes === undefined) clashes = [[key, value]];
      else clashes.push([key, value]);
      continue;
    }
    const [namespace, name] = placed;
    let target: Record<string, unknown>;
    switch (namespace) {
      case 'mb':
        if (mb === undefined) out.mb = mb = {};
        target = mb;
        break;
      case 'call':
        if (call === undefined) out.call = call = {};
        target = call;
        break;
      case 'host':
        if (host === undefined) out.host = host = {};
        target = host;
        break;
      case 'node':
        if (node === undefined) out.node = node = {};
        target = node;
        break;
      case 'env':
        if (env === undefined) out.env = env = {};
        target = env;
        break;
      default:
        if (python === undefined) out.python = python = {};
        target = python;
    }
    setOwn(target, name, key === 'mixin_errors' ? toCaptureErrors(value) : value);
  }
  if (clashes !== undefined) mergeClashes(out, clashes);
  return out;
}

/**
 * Any record, v1 or v2, ours or Python's, as one flat (v1-named) object: v2 namespaces are
 * unnested through the placement table (`call.durations` → `run_durations`, `host.os` →
 * `operating_system`, `env.HOME` → `env_HOME`, `call.capture_errors` → `mixin_errors`);
 * a v1 record is returned as it is.
 */
export function toFlatRecord(record: Readonly<Record<string, unknown>>): Record<string, unknown> {
  if (detectRecordFormat(record) !== 'v2') return record as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(record)) {
    const value = record[key];
    if (isNamespaceName(key) && isObject(value)) {
      for (const name of Object.keys(value)) {
        const flat = toFlatName(key, name);
        const item = value[name];
        setOwn(out, flat, flat === 'mixin_errors' ? fromCaptureErrors(item) : item);
      }
    } else if (!Object.hasOwn(out, key)) {
      setOwn(out, key, value);
    }
  }
  return out;
}

/**
 * `'v2'` when the record nests its call (`call` or `mb` is an object), `'v1'` otherwise: the
 * layout a record was written in, whoever wrote it.
 */
export function detectRecordFormat(record: Readonly<Record<string, unknown>>): RecordFormat {
  return isObject(record.call) || isObject(record.mb) ? 'v2' : 'v1';
}

/**
 * Check a `recordFormat` option: `'v1'` or `'v2'`; `what` names it in the error.
 * @throws OptionError naming the option, what it got and the values it takes.
 */
export function validateRecordFormat(value: unknown, what = 'recordFormat'): RecordFormat {
  if (value === 'v1' || value === 'v2') return value;
  throw new OptionError(
    `Expected \`${what}\` to be 'v1' (microbench v1's flat fields) or 'v2' (microbench v2.1's namespaces), got ${describe(value)}`,
  );
}

// ---------------------------------------------------------------------------------------------
// internal

function isNamespaceName(key: string): boolean {
  return (
    key === 'mb' ||
    key === 'call' ||
    key === 'host' ||
    key === 'node' ||
    key === 'env' ||
    key === 'python'
  );
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

// An own, enumerable key even for `__proto__` (a plain assignment would set the prototype).
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  } else {
    target[key] = value;
  }
}

// A top-level field named like a namespace: merged into it (its own fields win), else renamed.
function mergeClashes(out: Record<string, unknown>, clashes: readonly [string, unknown][]): void {
  for (const [key, value] of clashes) {
    const existing = out[key];
    if (existing === undefined) {
      setOwn(out, key, value);
    } else if (isObject(value) && isObject(existing)) {
      setOwn(out, key, { ...value, ...existing });
    } else {
      setOwn(out, `${key}_value`, value);
    }
  }
}

// v1's `mixin_errors: [{mixin, error}]` as v2's `call.capture_errors: [{method, error}]`.
function toCaptureErrors(value: unknown): unknown {
  if (!Array.isArray(value)) return value;
  return value.map((entry) => {
    if (!isObject(entry) || !('mixin' in entry)) return entry;
    const { mixin, ...rest } = entry;
    return { method: mixin, ...rest };
  });
}

// v2's `call.capture_errors: [{method, error}]` as v1's `mixin_errors: [{mixin, error}]`.
function fromCaptureErrors(value: unknown): unknown {
  if (!Array.isArray(value)) return value;
  return value.map((entry) => {
    if (!isObject(entry) || !('method' in entry)) return entry;
    const { method, ...rest } = entry;
    return { mixin: method, ...rest };
  });
}
