import { validateOptionKeys } from './_options.js';
import { defineMixin, type Mixin } from './mixin.js';

/** The fields {@link nodeRuntime} adds to a record. */
export interface NodeRuntimeFields {
  /** Node.js version without the `v` (`20.20.2`), like microbench's `python_version`. */
  node_version: string;
  /** Absolute path of the `node` binary (`process.execPath`). */
  node_executable: string;
  /** V8 version (`process.versions.v8`). */
  v8_version: string;
  /** Node's own flags (`process.execArgv`), e.g. `['--import', 'tsx']`. */
  node_exec_argv: string[];
}

/**
 * The Node.js runtime: `node_version`, `node_executable`, `v8_version`, `node_exec_argv`.
 * Included by default (like microbench's Python info); takes no options.
 */
export function nodeRuntime(options?: Record<string, never>): Mixin {
  validateOptionKeys(options, 'nodeRuntime', []);
  const version = process.versions.node;
  const executable = process.execPath;
  const v8 = process.versions.v8;
  const execArgv = [...process.execArgv];
  const fields: NodeRuntimeFields = {
    node_version: version,
    node_executable: executable,
    v8_version: v8,
    node_exec_argv: Object.freeze(execArgv) as string[],
  };
  return defineMixin({
    name: 'node-runtime',
    description: 'Node.js version, executable, V8 version and Node flags (default)',
    constantFields: () => ({ ...fields }),
  });
}
