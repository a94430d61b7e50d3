// internal: parsing JSON Lines files of records, shared by outputs, the CLI and the report.
import { readFileSync } from 'node:fs';
import { InputError } from '../errors.js';
import type { BenchRecord } from '../record/record.js';

/** A line that could not be parsed as a JSON object. */
export interface JsonLineError {
  readonly file: string;
  /** 1-based line number. */
  readonly line: number;
  readonly message: string;
}

/** Records read from one or more JSON Lines texts, with the lines that were skipped. */
export interface ParsedJsonLines {
  readonly records: BenchRecord[];
  readonly errors: JsonLineError[];
}

/** Parse JSON Lines text; blank lines are skipped, a corrupt line is reported and skipped. */
export function parseJsonLines(text: string, file = '<text>'): ParsedJsonLines {
  const records: BenchRecord[] = [];
  const errors: JsonLineError[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    try {
      const value: unknown = JSON.parse(line);
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        errors.push({ file, line: i + 1, message: 'not a JSON object' });
      } else {
        records.push(value as BenchRecord);
      }
    } catch (error) {
      errors.push({ file, line: i + 1, message: (error as Error).message });
    }
  }
  return { records, errors };
}

/** Read and parse a JSON Lines file; a missing or unreadable file is an `InputError`. */
export function readJsonLinesFile(file: string): ParsedJsonLines {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'it is a directory'
          : String(code ?? cause);
    throw new InputError(`Cannot read results file ${JSON.stringify(file)}: ${why}`, { cause });
  }
  return parseJsonLines(text, file);
}
