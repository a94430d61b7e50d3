import { validateOptionKeys } from './_options.js';
import { defineMixin, type Mixin } from './mixin.js';

/**
 * The working directory at the time of the call: `working_dir` (`process.cwd()`, read on every
 * call since a program may `chdir`). For the CLI it is also the command's working directory.
 */
export function workingDir(options?: Record<string, never>): Mixin {
  validateOptionKeys(options, 'workingDir', []);
  return defineMixin({
    name: 'working-dir',
    description: 'Working directory of the call',
    capture(record) {
      record.working_dir = process.cwd();
    },
  });
}
