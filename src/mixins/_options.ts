// internal: validation of mixin factory options, with messages that name the option, what was
// expected, what was received and how to fix it (STYLE "Errors").
import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { describeValue } from '../_describe.js';
import { OptionError } from '../errors.js';

export { describeValue };

/**
 * Check that `options` is undefined or a plain object whose keys are all in `known`;
 * returns it (or `{}`). `factory` names the mixin factory in messages, e.g. `gitInfo`.
 */
export function validateOptionKeys<T extends object>(
  options: T | undefined,
  factory: string,
  known: readonly (keyof T & string)[],
): Partial<T> {
  if (options === undefined) return {};
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new OptionError(
      `Expected the options of ${factory}() to be an object, got ${describeValue(options)}. ` +
        `Call it as ${factory}() or ${factory}({ ... }).`,
    );
  }
  for (const key of Object.keys(options)) {
    if (!(known as readonly string[]).includes(key)) {
      const expected =
        known.length === 0
          ? 'it takes no options'
          : `expected ${known.map((k) => `\`${k}\``).join(', ')}`;
      throw new OptionError(
        `Unknown option \`${key}\` for ${factory}(): ${expected}. Check the spelling.`,
      );
    }
  }
  return options;
}

/** A non-empty string option, or `fallback` when undefined. */
export function validateString(value: unknown, name: string, fallback: string): string {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || value === '') {
    throw new OptionError(
      `Expected \`${name}\` to be a non-empty string, got ${describeValue(value)}.`,
    );
  }
  return value;
}

/** A boolean option, or `fallback` when undefined. */
export function validateBoolean(value: unknown, name: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') {
    throw new OptionError(`Expected \`${name}\` to be true or false, got ${describeValue(value)}.`);
  }
  return value;
}

/** A positive finite number of milliseconds, or `fallback` when undefined. */
export function validateTimeoutMs(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new OptionError(
      `Expected \`${name}\` to be a positive number of milliseconds, got ${describeValue(value)}.`,
    );
  }
  return value;
}

/** An array of non-empty strings, or `fallback` when undefined. */
export function validateStringArray(
  value: unknown,
  name: string,
  fallback: readonly string[],
): readonly string[] {
  if (value === undefined) return fallback;
  if (!Array.isArray(value)) {
    throw new OptionError(
      `Expected \`${name}\` to be an array of strings, got ${describeValue(value)}.`,
    );
  }
  value.forEach((item, i) => {
    if (typeof item !== 'string' || item === '') {
      throw new OptionError(
        `Expected \`${name}[${i}]\` to be a non-empty string, got ${describeValue(item)}.`,
      );
    }
  });
  return [...(value as string[])];
}

/** An existing directory path option (checked now, so a typo fails at construction). */
export function validateDirectory(value: unknown, name: string): string {
  const dir = validateString(value, name, '');
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new OptionError(
      `Expected \`${name}\` to be an existing directory, got ${describeValue(value)}` +
        `${existsSync(dir) ? ', which is not a directory' : ', which does not exist'}.`,
    );
  }
  return dir;
}

/** An environment object (`{NAME: value}`), or `process.env` when undefined. */
export function validateEnv(value: unknown, name: string): NodeJS.ProcessEnv {
  if (value === undefined) return process.env;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new OptionError(
      `Expected \`${name}\` to be an object of environment variables, got ${describeValue(value)}.`,
    );
  }
  return value as NodeJS.ProcessEnv;
}

/** The directory a repository-relative default starts from: the main script's folder, else cwd. */
export function detectScriptDir(argv: readonly string[] = process.argv): string {
  const script = argv[1];
  if (script && !script.startsWith('-')) {
    try {
      const full = resolve(script);
      const dir = statSync(full).isDirectory() ? full : dirname(full);
      if (existsSync(dir)) return dir;
    } catch {
      // fall through to cwd: the script path may be virtual (e.g. `node -e`)
    }
  }
  return process.cwd();
}
