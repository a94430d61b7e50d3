import { validateOptionKeys } from './_options.js';
import { defineMixin, type Mixin } from './mixin.js';

/**
 * The value returned by the last iteration: `return_value`, converted by the bench's JSON
 * rules (`undefined` becomes `null` so the field is always there). Skipped when the call threw
 * (the record then carries `exception`) and for the CLI.
 */
export function returnValue(options?: Record<string, never>): Mixin {
  validateOptionKeys(options, 'returnValue', []);
  return defineMixin({
    name: 'return-value',
    description: 'Value returned by the benchmarked call (return_value)',
    capturePost(record, ctx) {
      if (ctx.invocation !== 'function' || !ctx.returned || 'error' in ctx) return;
      const value = ctx.toJsonValue(ctx.returnValue, 'return_value');
      record.return_value = value === undefined ? null : value;
    },
  });
}
