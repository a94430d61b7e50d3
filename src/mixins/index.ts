// The mixin registry: every collector by its kebab-case name, for the CLI's `--mixin` and
// `--show-mixins` and for `createMixin(name)`. One file per collector sits beside this one.
import { OptionError } from '../errors.js';
import { CLI_DEFAULT_MIXIN_NAMES } from './_cli-defaults.js';
import { describeValue } from './_options.js';
import { cgroupLimits } from './cgroup-limits.js';
import { fileHash } from './file-hash.js';
import { functionCall } from './function-call.js';
import { gitInfo } from './git-info.js';
import { hostInfo } from './host-info.js';
import { installedPackages } from './installed-packages.js';
import { loadedModules } from './loaded-modules.js';
import { loadedPackages } from './loaded-packages.js';
import type { Mixin } from './mixin.js';
import { nodeRuntime } from './node-runtime.js';
import { nvidiaSmi } from './nvidia-smi.js';
import { peakMemory } from './peak-memory.js';
import { resourceUsage } from './resource-usage.js';
import { returnValue } from './return-value.js';
import { slurmInfo } from './slurm-info.js';
import { workingDir } from './working-dir.js';

/** A mixin option the CLI exposes as a flag (microbench's `CLIArg`). */
export interface MixinCliOption {
  /** The factory option it sets, e.g. `repo`. */
  readonly option: string;
  /** The CLI flag, e.g. `--git-repo`. */
  readonly flag: string;
  /** Placeholder for help text, e.g. `DIR`. */
  readonly metavar: string;
  /** Whether the flag takes one or more values (`--hash-file FILE [FILE ...]`). */
  readonly variadic: boolean;
  /** One line for help text. */
  readonly help: string;
}

/** One registry entry: how to make the mixin and how to describe it. */
export interface MixinRegistryEntry {
  /** Make a fresh instance; `options` go to the factory, which validates them. */
  readonly create: (options?: object) => Mixin;
  /** Included by default in every `MicroBench` (unless `defaultMixins: false`). */
  readonly isDefault: boolean;
  /** Included by default by the CLI (microbench v2's CLI default set, Node flavoured). */
  readonly isCliDefault: boolean;
  /** Options the CLI exposes as flags. */
  readonly cliOptions: readonly MixinCliOption[];
}

/** What {@link listMixins} says about one mixin. */
export interface MixinInfo {
  /** Kebab-case name, e.g. `host-info`. */
  readonly name: MixinName;
  /** One line for `--show-mixins`. */
  readonly description: string;
  /** Included by default in every `MicroBench`. */
  readonly isDefault: boolean;
  /** Included by default by the CLI. */
  readonly isCliDefault: boolean;
  /** Options the CLI exposes as flags. */
  readonly cliOptions: readonly MixinCliOption[];
}

// Entry helper: factories take typed options; the registry hands them whatever it was given.
function entry(
  create: (options?: never) => Mixin,
  flags: { isDefault?: boolean; isCliDefault?: boolean; cliOptions?: MixinCliOption[] } = {},
): MixinRegistryEntry {
  return {
    create: create as (options?: object) => Mixin,
    isDefault: flags.isDefault ?? false,
    isCliDefault: flags.isCliDefault ?? false,
    cliOptions: flags.cliOptions ?? [],
  };
}

/** Every mixin by kebab-case name. */
export const MIXIN_REGISTRY = {
  'cgroup-limits': entry(cgroupLimits),
  'file-hash': entry(fileHash, {
    cliOptions: [
      {
        option: 'files',
        flag: '--hash-file',
        metavar: 'FILE',
        variadic: true,
        help: 'files to hash (default: the command and its file arguments)',
      },
      {
        option: 'algorithm',
        flag: '--hash-algorithm',
        metavar: 'ALGORITHM',
        variadic: false,
        help: 'hash algorithm (default: sha256)',
      },
    ],
  }),
  'function-call': entry(functionCall),
  'git-info': entry(gitInfo, {
    cliOptions: [
      {
        option: 'repo',
        flag: '--git-repo',
        metavar: 'DIR',
        variadic: false,
        help: 'directory inside the git repository (default: the working directory)',
      },
    ],
  }),
  'host-info': entry(hostInfo, { isCliDefault: true }),
  'installed-packages': entry(installedPackages),
  'loaded-modules': entry(loadedModules, { isCliDefault: true }),
  'loaded-packages': entry(loadedPackages),
  'node-runtime': entry(nodeRuntime, { isDefault: true, isCliDefault: true }),
  'nvidia-smi': entry(nvidiaSmi, {
    cliOptions: [
      {
        option: 'attributes',
        flag: '--nvidia-attributes',
        metavar: 'ATTR',
        variadic: true,
        help: 'nvidia-smi --query-gpu attributes (default: gpu_name memory.total)',
      },
      {
        option: 'gpus',
        flag: '--nvidia-gpus',
        metavar: 'GPU',
        variadic: true,
        help: 'GPU indexes, UUIDs or PCI bus ids (default: all)',
      },
    ],
  }),
  'peak-memory': entry(peakMemory),
  'resource-usage': entry(resourceUsage, { isCliDefault: true }),
  'return-value': entry(returnValue),
  'slurm-info': entry(slurmInfo, { isCliDefault: true }),
  'working-dir': entry(workingDir, { isCliDefault: true }),
} as const satisfies Record<string, MixinRegistryEntry>;

/** A registered mixin name. */
export type MixinName = keyof typeof MIXIN_REGISTRY;

const NAMES = Object.keys(MIXIN_REGISTRY).sort() as MixinName[];

// microbench names whose Node counterpart has another name (after MB-prefix/CamelCase folding).
const ALIASES: Readonly<Record<string, MixinName>> = {
  'python-info': 'node-runtime',
  'python-version': 'node-runtime',
  'host-cpu-cores': 'host-info',
  'host-ram-total': 'host-info',
  'global-packages': 'loaded-packages',
};

// microbench mixins with no Node counterpart, and why.
const PYTHON_ONLY: Readonly<Record<string, string>> = {
  'conda-packages': 'conda environments are Python-specific; use installed-packages',
  'line-profiler': 'line_profiler is Python-specific',
};

/**
 * The registered name for `name`: a kebab-case name (`host-info`), a microbench class name
 * (`MBHostInfo`, `MBPythonInfo` → `node-runtime`), or a factory name (`hostInfo`);
 * undefined when none matches.
 */
export function resolveMixinName(name: string): MixinName | undefined {
  const kebab = toKebab(name);
  if (kebab in MIXIN_REGISTRY) return kebab as MixinName;
  return ALIASES[kebab];
}

// `MBHostInfo` / `hostInfo` / `host_info` / `Host-Info` → `host-info`.
function toKebab(name: string): string {
  return name
    .trim()
    .replace(/^MB(?=[A-Z])/, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/_/g, '-')
    .toLowerCase();
}

/**
 * Make a fresh mixin by name (see {@link resolveMixinName} for the accepted spellings), passing
 * `options` to its factory. Throws an `OptionError` listing the available names for an unknown
 * one.
 */
export function createMixin(name: string, options?: object): Mixin {
  if (typeof name !== 'string') {
    throw new OptionError(
      `Expected a mixin name such as \`host-info\`, got ${describeValue(name)}.`,
    );
  }
  const resolved = resolveMixinName(name);
  if (resolved === undefined) {
    const why = PYTHON_ONLY[toKebab(name)];
    throw new OptionError(
      why
        ? `The mixin \`${name}\` has no Node.js counterpart: ${why}.`
        : `Unknown mixin \`${name}\`: expected one of ${NAMES.join(', ')} ` +
            '(microbench names such as MBHostInfo work too). Run `microbench --show-mixins` for descriptions.',
    );
  }
  return MIXIN_REGISTRY[resolved].create(options);
}

/** Every mixin with its one-line description, sorted by name (what `--show-mixins` prints). */
export function listMixins(): MixinInfo[] {
  return NAMES.map((name) => {
    const { create, isDefault, isCliDefault, cliOptions } = MIXIN_REGISTRY[name];
    return { name, description: create().description, isDefault, isCliDefault, cliOptions };
  });
}

/** Fresh instances of the mixins every `MicroBench` includes by default (`node-runtime`). */
export function defaultMixins(): Mixin[] {
  return NAMES.filter((name) => MIXIN_REGISTRY[name].isDefault).map((name) =>
    MIXIN_REGISTRY[name].create(),
  );
}

/**
 * Names of the mixins the CLI includes by default, in microbench's order (`node-runtime` in
 * place of `python-info`): node-runtime, host-info, slurm-info, loaded-modules, working-dir,
 * resource-usage.
 */
export const CLI_DEFAULT_MIXINS: readonly MixinName[] =
  CLI_DEFAULT_MIXIN_NAMES as readonly MixinName[];

export type { CgroupLimitFields, CgroupLimitsOptions } from './cgroup-limits.js';
export { cgroupLimits } from './cgroup-limits.js';
export type { FileHashOptions } from './file-hash.js';
export { fileHash } from './file-hash.js';
export { functionCall } from './function-call.js';
export type { GitFields, GitInfoOptions } from './git-info.js';
export { gitInfo } from './git-info.js';
export type { HostInfoFields, HostInfoOptions } from './host-info.js';
export { hostInfo } from './host-info.js';
export type { InstalledPackagesOptions } from './installed-packages.js';
export { installedPackages } from './installed-packages.js';
export type { LoadedModulesOptions } from './loaded-modules.js';
export { loadedModules } from './loaded-modules.js';
export type { LoadedPackagesOptions } from './loaded-packages.js';
export { loadedPackages } from './loaded-packages.js';
export type { Mixin, MixinContext } from './mixin.js';
export { defineMixin } from './mixin.js';
export type { NodeRuntimeFields } from './node-runtime.js';
export { nodeRuntime } from './node-runtime.js';
export type { NvidiaGpu, NvidiaSmiOptions } from './nvidia-smi.js';
export { nvidiaSmi } from './nvidia-smi.js';
export type { GpuSample, GpuTelemetry, NvidiaTelemetryOptions } from './nvidia-telemetry.js';
export {
  createNvidiaTelemetry,
  nvidiaTelemetryModule,
  withGpuTelemetry,
} from './nvidia-telemetry.js';
export type { PeakMemoryOptions } from './peak-memory.js';
export { peakMemory } from './peak-memory.js';
export type { ResourceUsageEntry } from './resource-usage.js';
export { resourceUsage } from './resource-usage.js';
export { returnValue } from './return-value.js';
export type { SlurmInfoOptions } from './slurm-info.js';
export { slurmInfo } from './slurm-info.js';
export { workingDir } from './working-dir.js';
