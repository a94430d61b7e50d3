/**
 * What a results reader is given: files, folders and glob patterns, resolved to the files to read (each file once, however it is named).
 * One file per node or per job (`results-{hostname}.jsonl`) is the cluster-safe way to write, so
 * every reader accepts `results/*.jsonl` or the folder `results/` as readily as one file.
 */

import { stat } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { glob, isDynamicPattern } from 'tinyglobby';
import { InputError } from '../errors.js';
import {
  type JsonLinesEntry,
  type ReadJsonLinesOptions,
  readJsonLines,
  toInputError,
} from './read-jsonl.js';

/** File names a folder given as an input contributes. */
const RESULTS_IN_FOLDER = ['*.jsonl', '*.ndjson', '*.json'];

/**
 * Resolve inputs to the files to read, in order and without repeats: a file stays itself, `-`
 * stays standard input, a folder gives its `*.jsonl`/`*.ndjson`/`*.json` files (sorted, not
 * recursive), and a glob pattern gives its matches (sorted). A path that exists is taken as a
 * path even when it holds glob characters. A folder or pattern that gives no file, or a missing
 * path, is an `InputError` that names it.
 */
export async function resolveInputs(inputs: readonly string[]): Promise<string[]> {
  if (inputs.length === 0)
    throw new InputError('No results file given: name a file, a folder or a glob.');
  const files: string[] = [];
  const seen = new Set<string>();
  const add = (file: string) => {
    const key = file === '-' ? file : resolve(file);
    if (!seen.has(key)) {
      seen.add(key);
      files.push(file);
    }
  };
  for (const input of inputs) {
    if (input === '-') {
      add(input);
      continue;
    }
    const kind = await pathKind(input);
    if (kind === 'file') {
      add(input);
    } else if (kind === 'directory') {
      const found = await glob(RESULTS_IN_FOLDER, { cwd: input, onlyFiles: true, deep: 1 });
      if (found.length === 0) {
        throw new InputError(
          `The folder ${JSON.stringify(input)} holds no results file (*.jsonl, *.ndjson or *.json).`,
        );
      }
      for (const name of found.sort()) add(joinPath(input, name));
    } else if (isDynamicPattern(input)) {
      const found = await glob(input, {
        onlyFiles: true,
        expandDirectories: false,
        absolute: isAbsolute(input),
      });
      if (found.length === 0) {
        throw new InputError(`No file matches ${JSON.stringify(input)}.`);
      }
      for (const name of found.sort()) add(name);
    } else {
      throw toInputError(input, kind);
    }
  }
  return files;
}

/** Every JSON object of every input, file after file, line by line (see {@link readJsonLines}). */
export async function* readJsonLinesFrom(
  inputs: readonly string[],
  options: ReadJsonLinesOptions = {},
): AsyncGenerator<JsonLinesEntry, void, undefined> {
  for (const file of await resolveInputs(inputs)) yield* readJsonLines(file, options);
}

/** `'file'`, `'directory'`, or the error that stat gave (a missing path, permission denied). */
async function pathKind(path: string): Promise<'file' | 'directory' | NodeJS.ErrnoException> {
  try {
    const info = await stat(path);
    return info.isDirectory() ? 'directory' : 'file';
  } catch (error) {
    return error as NodeJS.ErrnoException;
  }
}

/** `folder/name` without doubling a trailing slash. */
function joinPath(folder: string, name: string): string {
  return folder.endsWith('/') ? `${folder}${name}` : `${folder}/${name}`;
}
