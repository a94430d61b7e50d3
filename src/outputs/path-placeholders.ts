/**
 * Placeholders in outfile paths, for one file per node, process or job:
 *
 *   results-{hostname}-{pid}.jsonl      → results-node07-41822.jsonl
 *   runs/{env:SLURM_JOB_ID}/{run_id}.jsonl
 *
 * `{{` and `}}` stand for literal braces; any other brace is an error, so a typo never
 * becomes part of a file name unnoticed.
 */
import { hostname } from 'node:os';
import { OptionError } from '../errors.js';
import { RUN_ID } from '../record/run-id.js';

/** What the placeholders stand for (defaults: this process). */
export interface PathPlaceholderValues {
  /** `{hostname}` @default os.hostname() */
  readonly hostname?: string;
  /** `{pid}` @default process.pid */
  readonly pid?: number;
  /** `{run_id}` (the `mb_run_id` of this process's records) @default RUN_ID */
  readonly runId?: string;
  /** Read by `{env:NAME}` @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** The placeholders {@link expandPathPlaceholders} knows, as the error messages list them. */
export const PATH_PLACEHOLDERS = '{hostname}, {pid}, {run_id}, {env:NAME}';

/**
 * Replace the placeholders in `template`: `{hostname}`, `{pid}`, `{run_id}` and `{env:NAME}`
 * (an environment variable, which must be set and non-empty); `{{` and `}}` are literal braces.
 *
 * @param what names the option in error messages, e.g. `` `outfile` `` or `--outfile`.
 * @throws OptionError for an unknown placeholder, a lone brace, or an unset variable.
 */
export function expandPathPlaceholders(
  template: string,
  what = '`outfile`',
  values: PathPlaceholderValues = {},
): string {
  if (!template.includes('{') && !template.includes('}')) return template;
  const env = values.env ?? process.env;
  const quoted = JSON.stringify(template);
  return template.replace(/\{\{|\}\}|\{([^{}]*)\}|[{}]/g, (match, name: string | undefined) => {
    if (match === '{{') return '{';
    if (match === '}}') return '}';
    if (name === undefined) {
      throw new OptionError(
        `${what} ${quoted} has a lone '${match}'; placeholders are ${PATH_PLACEHOLDERS}, and '${match}${match}' writes a literal '${match}'`,
      );
    }
    switch (name) {
      case 'hostname':
        return values.hostname ?? hostname();
      case 'pid':
        return String(values.pid ?? process.pid);
      case 'run_id':
        return values.runId ?? RUN_ID;
    }
    const variable = /^env:([A-Za-z_][A-Za-z0-9_]*)$/.exec(name)?.[1];
    if (variable === undefined) {
      throw new OptionError(
        `${what} ${quoted} has an unknown placeholder '{${name}}'; the placeholders are ${PATH_PLACEHOLDERS} (write '{{' and '}}' for literal braces)`,
      );
    }
    const value = env[variable];
    if (value === undefined || value === '') {
      throw new OptionError(
        `${what} ${quoted} uses '{env:${variable}}', but the environment variable ${variable} is ${value === undefined ? 'not set' : 'empty'}; set it (e.g. export ${variable}=...) or remove the placeholder`,
      );
    }
    return value;
  });
}
