// internal: the CLI's default mixins (microbench's CLI set, node-runtime in place of
// python-info), in order, by name and as instances. Its own module so the CLI can use it without
// loading the registry (index.ts), which imports every mixin.
import type { Mixin } from './mixin.js';

/** Names of the mixins a CLI run collects by default. */
export const CLI_DEFAULT_MIXIN_NAMES: readonly string[] = [
  'node-runtime',
  'host-info',
  'slurm-info',
  'loaded-modules',
  'working-dir',
  'resource-usage',
];

/**
 * Load the modules of the CLI's default mixins (one module each, all at once) and return a
 * function that makes fresh instances of them, in {@link CLI_DEFAULT_MIXIN_NAMES} order.
 */
export async function loadCliDefaultMixins(): Promise<() => Mixin[]> {
  const [nodeRuntime, hostInfo, slurmInfo, loadedModules, workingDir, resourceUsage] =
    await Promise.all([
      import('./node-runtime.js'),
      import('./host-info.js'),
      import('./slurm-info.js'),
      import('./loaded-modules.js'),
      import('./working-dir.js'),
      import('./resource-usage.js'),
    ]);
  return () => [
    nodeRuntime.nodeRuntime(),
    hostInfo.hostInfo(),
    slurmInfo.slurmInfo(),
    loadedModules.loadedModules(),
    workingDir.workingDir(),
    resourceUsage.resourceUsage(),
  ];
}
