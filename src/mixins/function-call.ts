import { validateOptionKeys } from './_options.js';
import { defineMixin, type Mixin } from './mixin.js';

/**
 * The benchmarked call's arguments: `args`, one JSON value per argument, converted by the
 * bench's JSON rules (a value JSON cannot hold becomes `"__unencodable_as_json__"` plus a
 * warning naming `args[i]`). `[]` for `bench.record()` and the CLI.
 */
export function functionCall(options?: Record<string, never>): Mixin {
  validateOptionKeys(options, 'functionCall', []);
  return defineMixin({
    name: 'function-call',
    description: 'Arguments of the benchmarked call (args)',
    capture(record, ctx) {
      record.args = ctx.args.map((arg, i) => {
        const value = ctx.toJsonValue(arg, `args[${i}]`);
        return value === undefined ? null : value;
      });
    },
  });
}
