import { MicrobenchError, UsageError } from '../errors.js';
import { fileOutput } from './file.js';
import { httpOutput, parseHttpHeader, validateHttpMethod } from './http.js';
import type { Output } from './output.js';
import { redisOutput } from './redis.js';
import { stdoutOutput } from './stdout.js';

/** The output flags of `microbench -- COMMAND`, as parsed (undefined = flag not given). */
export interface CliOutputOptions {
  /** `--outfile FILE` */
  outfile?: string | undefined;
  /** `--redis-output KEY` */
  redisOutput?: string | undefined;
  /** `--redis-host HOST` @default 'localhost' */
  redisHost?: string | undefined;
  /** `--redis-port PORT` (a string straight from argv is fine) @default 6379 */
  redisPort?: number | string | undefined;
  /** `--redis-db DB` @default 0 */
  redisDb?: number | string | undefined;
  /** `--redis-password PASSWORD` */
  redisPassword?: string | undefined;
  /** `--http-output URL` */
  httpOutput?: string | undefined;
  /** `--http-output-header KEY:VALUE`, one string per flag. */
  httpHeaders?: readonly string[] | undefined;
  /** `--http-output-method METHOD` @default 'POST' */
  httpMethod?: string | undefined;
}

/**
 * Build the CLI's outputs in microbench's order: file, then HTTP, then Redis; standard output
 * when none is given. Throws a `UsageError` (one line, naming the flag) for a header, method,
 * host, port, db or password flag without its output flag, and for bad values.
 */
export function createOutputsFromCliOptions(options: CliOutputOptions): Output[] {
  const httpHeaders = options.httpHeaders ?? [];
  if (options.httpOutput === undefined) {
    if (httpHeaders.length > 0)
      throw new UsageError('--http-output-header requires --http-output URL');
    if (options.httpMethod !== undefined)
      throw new UsageError('--http-output-method requires --http-output URL');
  }
  if (options.redisOutput === undefined) {
    for (const [flag, value] of [
      ['--redis-host', options.redisHost],
      ['--redis-port', options.redisPort],
      ['--redis-db', options.redisDb],
      ['--redis-password', options.redisPassword],
    ] as const) {
      if (value !== undefined) throw new UsageError(`${flag} requires --redis-output KEY`);
    }
  }

  const outputs: Output[] = [];
  if (options.outfile !== undefined) {
    outputs.push(asUsage('--outfile', () => fileOutput(options.outfile!)));
  }
  if (options.httpOutput !== undefined) {
    const headers = Object.fromEntries(httpHeaders.map(parseHttpHeader));
    let method = 'POST';
    if (options.httpMethod !== undefined) {
      try {
        method = validateHttpMethod(options.httpMethod);
      } catch {
        throw new UsageError(
          `--http-output-method: expected a method that carries a request body (POST, PUT, PATCH...), got '${options.httpMethod}'`,
        );
      }
    }
    const url = options.httpOutput;
    outputs.push(asUsage('--http-output', () => httpOutput(url, { method, headers })));
  }
  if (options.redisOutput !== undefined) {
    const key = options.redisOutput;
    const port = toInteger('--redis-port', options.redisPort, 1, 65535);
    const db = toInteger('--redis-db', options.redisDb, 0, Number.MAX_SAFE_INTEGER);
    outputs.push(
      asUsage('--redis-output', () =>
        redisOutput(key, {
          host: options.redisHost ?? 'localhost',
          ...(port !== undefined ? { port } : {}),
          ...(db !== undefined ? { db } : {}),
          ...(options.redisPassword !== undefined ? { password: options.redisPassword } : {}),
        }),
      ),
    );
  }
  if (outputs.length === 0) outputs.push(stdoutOutput());
  return outputs;
}

// internal ---------------------------------------------------------------------------------------

// Run an output factory; its option error becomes a usage error naming the flag.
function asUsage<T>(flag: string, create: () => T): T {
  try {
    return create();
  } catch (error) {
    if (error instanceof MicrobenchError) throw new UsageError(`${flag}: ${error.message}`);
    throw error;
  }
}

// An integer flag value (number or argv string) within bounds, or undefined when not given.
function toInteger(
  flag: string,
  value: number | string | undefined,
  min: number,
  max: number,
): number | undefined {
  if (value === undefined) return undefined;
  const number =
    typeof value === 'number' ? value : /^\s*\d+\s*$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isInteger(number) || number < min || number > max) {
    const range =
      max === Number.MAX_SAFE_INTEGER ? `an integer >= ${min}` : `an integer from ${min} to ${max}`;
    throw new UsageError(`${flag}: expected ${range}, got '${value}'`);
  }
  return number;
}
