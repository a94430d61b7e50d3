import { describeValue as describe } from '../_describe.js';
import { OptionError } from '../errors.js';
import type { JsonReplacer } from '../json/encode.js';
import type { Mixin } from '../mixins/mixin.js';
import type { Output } from '../outputs/output.js';
import {
  type RecordFormat,
  V2_NAMESPACES,
  type V2Namespace,
  validateRecordFormat,
} from '../record/layout.js';
import { resolveTimezone, type Timezone } from '../record/timestamp.js';
import { defaultTelemetry } from '../telemetry/default-telemetry.js';
import type { ProcessInfo } from '../telemetry/process-info.js';
import type { SamplerPriority } from '../telemetry/protocol.js';
import { closestName } from './_did-you-mean.js';

/**
 * A telemetry function: runs on the sampler worker thread with a {@link ProcessInfo} for the
 * benchmarked process and returns the fields of one sample. It is shipped to the worker by its
 * source text, so it may use only its argument and globals (like a static method).
 */
export type TelemetryFunction = (process: ProcessInfo) => object;

/**
 * Options of `new MicroBench(options)`. Each may also be given as a static member of a
 * subclass (the seed's "class variables"); a constructor option wins over a static member.
 */
export interface MicroBenchOptions {
  /** JSON Lines file to append records to. Default: an in-memory buffer. */
  outfile?: string;
  /** Outputs (sinks) to deliver records to; several at once. Exclusive with `outfile`. */
  outputs?: Output[];
  /** Timed calls per benchmarked call. @default 1 */
  iterations?: number;
  /** Untimed, unsampled calls before the timed ones. @default 0 */
  warmup?: number;
  /** `UTC`, a fixed offset (`+05:30`) or an IANA zone for timestamps. @default 'UTC' */
  timezone?: string;
  /** Clock for durations, returning milliseconds (like `performance.now`). @default performance.now */
  durationCounter?: () => number;
  /** Static fields added (first) to every record. */
  fields?: Record<string, unknown>;
  /** Environment variables captured as `env_<NAME>` (null when unset). */
  envVars?: string[];
  /** Package names whose installed versions are recorded in `package_versions`. */
  captureVersions?: string[];
  /** Metadata collectors, added to the default `node-runtime` mixin. */
  mixins?: Mixin[];
  /** Leave out the default mixins (`node-runtime`). @default true */
  defaultMixins?: boolean;
  /** Applied to every value before the built-in JSON rules. */
  jsonReplacer?: JsonReplacer;
  /**
   * Telemetry function run on the sampler thread (enables telemetry). Without one, a
   * `telemetryInterval` alone samples `cpu_percent` and `rss_bytes`, as the CLI does.
   */
  telemetry?: TelemetryFunction;
  /** v2 alias of `telemetry`. */
  monitor?: TelemetryFunction;
  /** Module (URL or path) whose default export is the telemetry function; for samplers needing imports. */
  telemetryModule?: string | URL;
  /** Seconds between samples; fractions allowed. @default 60 */
  telemetryInterval?: number;
  /** v2 alias of `telemetryInterval`. */
  monitorInterval?: number;
  /** Seconds to wait for the sampler to stop before abandoning it. @default 30 */
  telemetryTimeout?: number;
  /** v2 alias of `telemetryTimeout`. */
  monitorTimeout?: number;
  /** Keep at most this many samples per record, thinning evenly (first and last kept). */
  telemetryMaxSamples?: number;
  /**
   * How the sampler thread asks the OS to run it on time. `'raised'`: the best nice value the
   * process may set (−20 as root or with CAP_SYS_NICE, what RLIMIT_NICE allows otherwise,
   * silently normal where nothing is allowed); `'realtime'`: SCHED_FIFO (through util-linux's
   * `chrt`) where permitted, else as `'raised'`; `'normal'`: leave it. One sampler thread serves
   * the process: it follows the latest bench made. Records say what it got (`telemetry_sampler`).
   * @default 'raised'
   */
  telemetryPriority?: SamplerPriority;
  /**
   * Journal telemetry samples next to the outfile as they are taken, so a killed run can be
   * recovered with `microbench recover`. Only with `outfile`. @default true
   */
  journal?: boolean;
  /**
   * Catch SIGINT/SIGTERM during an asynchronous benchmarked call to write the record
   * (`"interrupted": "SIGINT"`) before re-raising the signal. @default true
   */
  handleSignals?: boolean;
  /**
   * The layout of the records: `'v1'`, microbench v1's flat fields (`function_name`,
   * `run_durations`...), or `'v2'`, Python microbench v2.1's namespaces (`mb.*`, `call.*`,
   * `host.*`, `env.*`; docs/record-format.md). @default 'v1'
   */
  recordFormat?: RecordFormat;
}

/** Options after defaults, aliases and validation. */
export interface ResolvedMicroBenchOptions {
  readonly outfile: string | undefined;
  readonly outputs: readonly Output[] | undefined;
  readonly iterations: number;
  readonly warmup: number;
  readonly timezone: Timezone;
  readonly durationCounter: () => number;
  readonly durationCounterName: string;
  readonly fields: Readonly<Record<string, unknown>>;
  readonly envVars: readonly string[];
  readonly captureVersions: readonly string[];
  readonly mixins: readonly Mixin[];
  readonly defaultMixins: boolean;
  readonly jsonReplacer: JsonReplacer | undefined;
  readonly telemetry: TelemetryFunction | undefined;
  readonly telemetryModule: string | undefined;
  readonly telemetryIntervalS: number;
  readonly telemetryTimeoutS: number;
  readonly telemetryMaxSamples: number | undefined;
  readonly telemetryPriority: SamplerPriority;
  readonly journal: boolean;
  readonly handleSignals: boolean;
  readonly recordFormat: RecordFormat;
}

const OPTION_NAMES = [
  'outfile',
  'outputs',
  'iterations',
  'warmup',
  'timezone',
  'durationCounter',
  'fields',
  'envVars',
  'captureVersions',
  'mixins',
  'defaultMixins',
  'jsonReplacer',
  'telemetry',
  'monitor',
  'telemetryModule',
  'telemetryInterval',
  'monitorInterval',
  'telemetryTimeout',
  'monitorTimeout',
  'telemetryMaxSamples',
  'telemetryPriority',
  'journal',
  'handleSignals',
  'recordFormat',
] as const satisfies readonly (keyof MicroBenchOptions)[];

/** Option names accepted by `MicroBench` (and as static members). */
export const MICROBENCH_OPTION_NAMES: readonly string[] = OPTION_NAMES;

/**
 * Merge static members of `benchClass` (and its ancestors) with constructor `options`
 * (options win), apply defaults and aliases, and validate everything.
 */
export function resolveMicroBenchOptions(
  options: MicroBenchOptions | undefined,
  benchClass: Function,
): ResolvedMicroBenchOptions {
  if (
    options !== undefined &&
    (options === null || typeof options !== 'object' || Array.isArray(options))
  ) {
    throw new OptionError(
      `Expected MicroBench options to be an object, got ${describe(options)}. Pass e.g. new MicroBench({ outfile: 'results.jsonl' })`,
    );
  }
  const given = options ?? {};
  for (const key of Object.keys(given)) {
    if (!(OPTION_NAMES as readonly string[]).includes(key)) {
      const hint = closestName(key, OPTION_NAMES);
      throw new OptionError(
        `Unknown MicroBench option \`${key}\`.${hint ? ` Did you mean \`${hint}\`?` : ''} Valid options: ${OPTION_NAMES.join(', ')}`,
      );
    }
  }
  const statics = benchClass as unknown as Record<string, unknown>;
  const pick = <K extends keyof MicroBenchOptions>(key: K): MicroBenchOptions[K] | undefined =>
    (given[key] !== undefined ? given[key] : statics[key]) as MicroBenchOptions[K] | undefined;

  const telemetry = pickAliased(pick('telemetry'), pick('monitor'), 'telemetry', 'monitor');
  const interval = pickAliased(
    pick('telemetryInterval'),
    pick('monitorInterval'),
    'telemetryInterval',
    'monitorInterval',
  );
  const timeout = pickAliased(
    pick('telemetryTimeout'),
    pick('monitorTimeout'),
    'telemetryTimeout',
    'monitorTimeout',
  );

  const outfile = pick('outfile');
  const outputs = pick('outputs');
  if (outfile !== undefined && outputs !== undefined) {
    throw new OptionError(
      '`outfile` and `outputs` are mutually exclusive; use outputs: [fileOutput(path), ...] to combine a file with other outputs',
    );
  }
  if (outfile !== undefined && (typeof outfile !== 'string' || outfile === '')) {
    throw new OptionError(
      `Expected \`outfile\` to be a non-empty file path, got ${describe(outfile)}`,
    );
  }
  if (outputs !== undefined) {
    if (!Array.isArray(outputs)) {
      throw new OptionError(
        `Expected \`outputs\` to be an array of outputs, got ${describe(outputs)}`,
      );
    }
    outputs.forEach((o, i) => {
      if (
        o === null ||
        typeof o !== 'object' ||
        typeof (o as { write?: unknown }).write !== 'function'
      ) {
        throw new OptionError(
          `Expected \`outputs[${i}]\` to be an output with a write() method (e.g. fileOutput('x.jsonl')), got ${describe(o)}`,
        );
      }
    });
  }

  const durationCounter = pick('durationCounter') ?? performanceNow;
  if (typeof durationCounter !== 'function') {
    throw new OptionError(
      `Expected \`durationCounter\` to be a function returning milliseconds (like performance.now), got ${describe(durationCounter)}`,
    );
  }

  const timezoneName = pick('timezone') ?? 'UTC';
  if (typeof timezoneName !== 'string') {
    throw new OptionError(
      `Expected \`timezone\` to be a string such as "UTC" or "Europe/Paris", got ${describe(timezoneName)}`,
    );
  }
  let timezone: Timezone;
  try {
    timezone = resolveTimezone(timezoneName);
  } catch (cause) {
    throw new OptionError((cause as Error).message, { cause });
  }

  const telemetryModuleRaw = pick('telemetryModule');
  if (telemetry !== undefined && typeof telemetry !== 'function') {
    throw new OptionError(
      `Expected \`telemetry\` to be a function (process) => object, got ${describe(telemetry)}. Define it as a static method or pass a function`,
    );
  }
  if (
    telemetryModuleRaw !== undefined &&
    !(typeof telemetryModuleRaw === 'string' || telemetryModuleRaw instanceof URL)
  ) {
    throw new OptionError(
      `Expected \`telemetryModule\` to be a URL or a file path of a module whose default export is the telemetry function, got ${describe(telemetryModuleRaw)}`,
    );
  }
  if (telemetry !== undefined && telemetryModuleRaw !== undefined) {
    throw new OptionError('Give either `telemetry` or `telemetryModule`, not both');
  }

  const fields = pick('fields') ?? {};
  if (fields === null || typeof fields !== 'object' || Array.isArray(fields)) {
    throw new OptionError(
      `Expected \`fields\` to be an object of static record fields, got ${describe(fields)}`,
    );
  }
  const mixins = pick('mixins') ?? [];
  if (!Array.isArray(mixins))
    throw new OptionError(`Expected \`mixins\` to be an array of mixins, got ${describe(mixins)}`);
  mixins.forEach((m, i) => {
    if (m === null || typeof m !== 'object' || typeof (m as { name?: unknown }).name !== 'string') {
      throw new OptionError(
        `Expected \`mixins[${i}]\` to be a mixin object (e.g. hostInfo()), got ${describe(m)}. Did you pass the factory without calling it?`,
      );
    }
  });
  const jsonReplacer = pick('jsonReplacer');
  if (jsonReplacer !== undefined && typeof jsonReplacer !== 'function') {
    throw new OptionError(
      `Expected \`jsonReplacer\` to be a function (key, value) => value, got ${describe(jsonReplacer)}`,
    );
  }

  const recordFormat = validateRecordFormat(pick('recordFormat') ?? 'v1');
  if (recordFormat === 'v2') {
    for (const key of Object.keys(fields)) {
      if (V2_NAMESPACES.includes(key as V2Namespace)) {
        throw new OptionError(
          `\`fields.${key}\`: '${key}' is a namespace of the v2 record layout (${V2_NAMESPACES.join(', ')}); choose another field name`,
        );
      }
    }
  }

  return {
    outfile,
    outputs,
    iterations: validateCount(pick('iterations') ?? 1, 'iterations', 1),
    warmup: validateCount(pick('warmup') ?? 0, 'warmup', 0),
    timezone,
    durationCounter,
    durationCounterName:
      durationCounter === performanceNow ? 'performance.now' : durationCounter.name || 'anonymous',
    fields,
    envVars: validateNames(pick('envVars') ?? [], 'envVars'),
    captureVersions: validateNames(pick('captureVersions') ?? [], 'captureVersions'),
    mixins,
    defaultMixins: validateBoolean(pick('defaultMixins') ?? true, 'defaultMixins'),
    jsonReplacer,
    // An interval without a function samples what the CLI samples.
    telemetry:
      telemetry ??
      (interval !== undefined && telemetryModuleRaw === undefined ? defaultTelemetry : undefined),
    telemetryModule:
      telemetryModuleRaw === undefined
        ? undefined
        : telemetryModuleRaw instanceof URL
          ? telemetryModuleRaw.href
          : telemetryModuleRaw,
    telemetryIntervalS: validateSeconds(
      interval ?? 60,
      pick('telemetryInterval') === undefined && interval !== undefined
        ? 'monitorInterval'
        : 'telemetryInterval',
    ),
    telemetryTimeoutS: validateSeconds(
      timeout ?? 30,
      pick('telemetryTimeout') === undefined && timeout !== undefined
        ? 'monitorTimeout'
        : 'telemetryTimeout',
    ),
    telemetryMaxSamples: validateMaxSamples(pick('telemetryMaxSamples')),
    telemetryPriority: validatePriority(pick('telemetryPriority') ?? 'raised'),
    journal: validateBoolean(pick('journal') ?? true, 'journal'),
    handleSignals: validateBoolean(pick('handleSignals') ?? true, 'handleSignals'),
    recordFormat,
  };
}

// The default duration counter (milliseconds).
function performanceNow(): number {
  return performance.now();
}

// v1 name and v2 alias: either may be given; both with different values is a mistake.
function pickAliased<T>(
  v1: T | undefined,
  v2: T | undefined,
  v1Name: string,
  v2Name: string,
): T | undefined {
  if (v1 !== undefined && v2 !== undefined && v1 !== v2) {
    throw new OptionError(
      `Both \`${v1Name}\` and its v2 alias \`${v2Name}\` are set, to different values (${describe(v1)} and ${describe(v2)}). Set only one of them`,
    );
  }
  return v1 ?? v2;
}

/** Throw unless `value` is a positive finite number of seconds. */
export function validateSeconds(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new OptionError(
      `Expected \`${name}\` to be a positive number of seconds, got ${describe(value)}. Fractions are allowed, e.g. ${name}: 0.5`,
    );
  }
  return value;
}

function validateCount(value: unknown, name: string, min: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new OptionError(
      `Expected \`${name}\` to be an integer >= ${min}, got ${describe(value)}`,
    );
  }
  return value;
}

function validateMaxSamples(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 2) {
    throw new OptionError(
      `Expected \`telemetryMaxSamples\` to be an integer >= 2 (the first and last samples are always kept), got ${describe(value)}`,
    );
  }
  return value;
}

const PRIORITIES: readonly SamplerPriority[] = ['raised', 'realtime', 'normal'];

function validatePriority(value: unknown): SamplerPriority {
  if (!PRIORITIES.includes(value as SamplerPriority)) {
    throw new OptionError(
      `Expected \`telemetryPriority\` to be 'raised', 'realtime' or 'normal', got ${describe(value)}. Use 'normal' to leave the sampler thread's priority alone`,
    );
  }
  return value as SamplerPriority;
}

function validateBoolean(value: unknown, name: string): boolean {
  if (typeof value !== 'boolean')
    throw new OptionError(`Expected \`${name}\` to be true or false, got ${describe(value)}`);
  return value;
}

function validateNames(value: unknown, name: string): string[] {
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string' || v === '')) {
    throw new OptionError(
      `Expected \`${name}\` to be an array of names (strings), got ${describe(value)}`,
    );
  }
  return value as string[];
}
