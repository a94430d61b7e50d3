import { OptionError } from '../errors.js';
import {
  describeValue,
  validateOptionKeys,
  validateString,
  validateStringArray,
  validateTimeoutMs,
} from './_options.js';
import { once, runCommand } from './_subprocess.js';
import { defineMixin, type Mixin } from './mixin.js';

/** Options of {@link nvidiaSmi}. */
export interface NvidiaSmiOptions {
  /** `nvidia-smi --query-gpu` attributes (see `nvidia-smi --help-query-gpu`). @default ['gpu_name', 'memory.total'] */
  attributes?: string[];
  /**
   * GPUs to query: zero-based indexes, UUIDs or PCI bus ids (numbers allowed). @default all GPUs
   */
  gpus?: (string | number)[];
  /** The nvidia-smi executable. @default 'nvidia-smi' */
  command?: string;
  /** Give up after this many milliseconds. @default 10000 */
  timeoutMs?: number;
}

/** One GPU in the `nvidia` field: its UUID plus each requested attribute, as nvidia-smi printed it. */
export interface NvidiaGpu {
  uuid: string;
  [attribute: string]: string;
}

/** What {@link readNvidiaGpus} found: the GPUs, and a note when nvidia-smi could not tell. */
export interface NvidiaSmiResult {
  readonly gpus: NvidiaGpu[];
  /** Why `gpus` is empty (tool missing, failed, timed out). */
  readonly note?: string;
}

const DEFAULT_ATTRIBUTES = ['gpu_name', 'memory.total'];

/**
 * NVIDIA GPUs: `nvidia` = `[{uuid, <attribute>: value}]` from
 * `nvidia-smi --format=csv,noheader --query-gpu=uuid,<attributes> [-i <gpus>]`, values kept as
 * the strings nvidia-smi prints (`"16160 MiB"`), like microbench. Run once per mixin instance
 * (at the first call, with a time limit). A missing `nvidia-smi` is a clean skip: `nvidia: []`
 * and `nvidia_note: 'nvidia-smi not found on PATH'`; a failure or timeout is noted the same way.
 */
export function nvidiaSmi(options?: NvidiaSmiOptions): Mixin {
  const raw = validateOptionKeys(options, 'nvidiaSmi', [
    'attributes',
    'gpus',
    'command',
    'timeoutMs',
  ]);
  const attributes = validateAttributes(raw.attributes);
  const gpus = validateGpus(raw.gpus);
  const command = validateString(raw.command, 'command', 'nvidia-smi');
  const timeoutMs = validateTimeoutMs(raw.timeoutMs, 'timeoutMs', 10_000);
  const read = once(() => readNvidiaGpus({ attributes, gpus, command, timeoutMs }));
  return defineMixin({
    name: 'nvidia-smi',
    description: 'NVIDIA GPU names, memory and other attributes via nvidia-smi',
    capture(record) {
      const { gpus: found, note } = read();
      record.nvidia = found.map((gpu) => ({ ...gpu }));
      if (note !== undefined) record.nvidia_note = note;
    },
  });
}

/** Run nvidia-smi now (uncached; never throws). */
export function readNvidiaGpus(options: {
  attributes?: readonly string[];
  gpus?: readonly string[] | undefined;
  command?: string;
  timeoutMs?: number;
}): NvidiaSmiResult {
  const attributes = options.attributes ?? DEFAULT_ATTRIBUTES;
  const args = ['--format=csv,noheader', `--query-gpu=uuid,${attributes.join(',')}`];
  if (options.gpus) args.push('-i', options.gpus.join(','));
  const result = runCommand(options.command ?? 'nvidia-smi', args, {
    timeoutMs: options.timeoutMs ?? 10_000,
  });
  if (result.type !== 'ok') return { gpus: [], note: result.message };
  return { gpus: parseNvidiaCsv(result.stdout, attributes) };
}

/**
 * GPUs from `--format=csv,noheader` lines (`uuid, value, value`). Fields are split on `', '`
 * (microbench's rule); should a value itself contain `', '`, the extra parts are joined back
 * into the last attribute.
 */
export function parseNvidiaCsv(output: string, attributes: readonly string[]): NvidiaGpu[] {
  const gpus: NvidiaGpu[] = [];
  for (const line of output.split('\n')) {
    if (line.trim() === '') continue;
    const parts = line.trim().split(', ');
    if (parts.length > attributes.length + 1) {
      parts.splice(attributes.length, Infinity, parts.slice(attributes.length).join(', '));
    }
    const gpu: NvidiaGpu = { uuid: parts[0] ?? '' };
    attributes.forEach((attribute, i) => {
      gpu[attribute] = parts[i + 1] ?? '';
    });
    gpus.push(gpu);
  }
  return gpus;
}

// Attribute names: non-empty, no commas or spaces (they would break the query).
function validateAttributes(value: unknown): readonly string[] {
  const attributes = validateStringArray(value, 'attributes', DEFAULT_ATTRIBUTES);
  if (attributes.length === 0) {
    throw new OptionError(
      'Expected `attributes` to list at least one nvidia-smi query attribute, got an empty array. ' +
        'Leave it out for the default (gpu_name, memory.total).',
    );
  }
  attributes.forEach((attribute, i) => {
    if (!/^[A-Za-z0-9_.]+$/.test(attribute)) {
      throw new OptionError(
        `Expected \`attributes[${i}]\` to be an nvidia-smi query attribute such as \`memory.total\`, ` +
          `got ${describeValue(attribute)}. See \`nvidia-smi --help-query-gpu\`.`,
      );
    }
  });
  return attributes;
}

// GPU ids as strings, checked like microbench: not empty, each an index, UUID or PCI bus id.
function validateGpus(value: unknown): readonly string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) {
    throw new OptionError(
      `Expected \`gpus\` to be an array of GPU indexes, UUIDs or PCI bus ids, got ${describeValue(value)}.`,
    );
  }
  if (value.length === 0) {
    throw new OptionError(
      'Expected `gpus` to list at least one GPU, got an empty array. ' +
        'Leave it out to capture data for all GPUs.',
    );
  }
  return value.map((gpu, i) => {
    const id = typeof gpu === 'number' && Number.isInteger(gpu) && gpu >= 0 ? String(gpu) : gpu;
    if (typeof id !== 'string' || !/^[0-9A-Za-z\-:.]+$/.test(id)) {
      throw new OptionError(
        `Expected \`gpus[${i}]\` to be a GPU index (zero-based), UUID or PCI bus id, got ${describeValue(gpu)}.`,
      );
    }
    return id;
  });
}
