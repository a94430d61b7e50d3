// internal: the CLI's default mixins (microbench's CLI set, node-runtime in place of
// python-info), in order. Its own module so the CLI can read it without loading the registry.

/** Names of the mixins a CLI run collects by default. */
export const CLI_DEFAULT_MIXIN_NAMES: readonly string[] = [
  'node-runtime',
  'host-info',
  'slurm-info',
  'loaded-modules',
  'working-dir',
  'resource-usage',
];
