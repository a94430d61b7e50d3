/**
 * Pre-flight of the CLI's output destinations: every one is checked before the command is
 * spawned, so a run whose record could not be stored never happens (its side effects included).
 *
 *   --outfile FILE     placeholders replaced, then opened for appending (folders created)
 *   --http-output URL  parses as an http:// or https:// URL
 *   --redis-output     its host, port and db are checked when the output is made (from-cli.ts)
 */
import { resolve } from 'node:path';
import { MicrobenchError, OptionError, UsageError } from '../errors.js';
import { validateOutfileWritable } from './file.js';
import type { CliOutputOptions } from './from-cli.js';
import { expandPathPlaceholders } from './path-placeholders.js';

/**
 * Check every output destination the CLI options name. A mistake in a flag's value (a bad
 * placeholder, a URL that does not parse) is a `UsageError`; a destination that cannot be used
 * (a file that cannot be opened for appending) is a `MicrobenchError` with code `ERR_MB_OUTPUT`
 * naming the path and the OS error. Either way one line, and nothing has run yet.
 *
 * @returns the outfile as the file output will write it: absolute, placeholders replaced (for
 *   what else follows that file, such as the run's journal).
 */
export function preflightOutputs(options: CliOutputOptions): { readonly outfile?: string } {
  const outfile = options.outfile !== undefined ? preflightOutfile(options.outfile) : undefined;
  if (options.httpOutput !== undefined) preflightHttpUrl(options.httpOutput);
  return outfile !== undefined ? { outfile } : {};
}

// internal ---------------------------------------------------------------------------------------

// Check the outfile can be opened for appending as the run will (creating no file there);
// returns its absolute path.
function preflightOutfile(outfile: string): string {
  if (outfile === '') throw new UsageError('--outfile: expected a file path, got an empty string');
  let absolute: string;
  try {
    absolute = resolve(expandPathPlaceholders(outfile, '--outfile'));
  } catch (error) {
    if (error instanceof OptionError) throw new UsageError(error.message);
    throw error;
  }
  try {
    validateOutfileWritable(absolute, { mkdir: true }, '--outfile');
  } catch (error) {
    if (!(error instanceof OptionError)) throw error;
    throw new MicrobenchError('ERR_MB_OUTPUT', error.message, { cause: error.cause });
  }
  return absolute;
}

// The URL an HTTP output would POST to parses, with an http(s) scheme.
function preflightHttpUrl(url: string): void {
  let protocol: string;
  try {
    protocol = new URL(url).protocol;
  } catch {
    throw new UsageError(
      `--http-output: expected a URL such as http://host:8080/records, got ${JSON.stringify(url)}`,
    );
  }
  if (protocol !== 'http:' && protocol !== 'https:') {
    throw new UsageError(
      `--http-output: expected an http:// or https:// URL, got ${JSON.stringify(url)}`,
    );
  }
}
