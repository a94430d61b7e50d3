/**
 * `microbench export FILE... [--format csv] [--telemetry] [-o OUTPUT]`: records as CSV for
 * pandas, R and spreadsheets.
 *
 *   pass 1: every record ──► its rows' column names (union, first-seen order)
 *   pass 2: every record ──► its rows ──► CSV lines ──► stdout or OUTPUT
 *
 * Two passes keep memory independent of the files' size (the header needs every column before
 * the first row); standard input (`-`) can be read once only, so its rows are held instead.
 * Lines that are not records are reported once each, on stderr, with their line numbers.
 */

import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { InputError } from '../../errors.js';
import { resolveInputs } from '../../record/inputs.js';
import type { JsonLinesProblem } from '../../record/read-jsonl.js';
import { readRecordsFrom } from '../../record/read-record.js';
import {
  ITERATION_COLUMNS,
  type Row,
  SAMPLE_COLUMNS,
  toCsvLine,
  toIterationRows,
  toSampleRows,
} from '../_export-rows.js';
import { type CommandIO, handleCommandError } from './_io.js';

/** Arguments of `microbench export`. */
export interface ExportCommandOptions {
  /** Results files, folders or globs (`-` for standard input). */
  readonly files: readonly string[];
  /** @default 'csv' */
  readonly format?: 'csv';
  /** One row per telemetry sample instead of one per iteration. @default false */
  readonly telemetry?: boolean;
  /** The file to write; standard output when absent. */
  readonly output?: string;
}

/**
 * Write the CSV. Returns 0, 1 on bad input (a missing file, no records, no telemetry with
 * `--telemetry`, an unwritable output), 2 on usage errors.
 */
export async function runExport(opts: ExportCommandOptions, io: CommandIO): Promise<number> {
  try {
    const files = await resolveInputs(opts.files);
    const toRows = opts.telemetry ? toSampleRows : toIterationRows;
    const leading = opts.telemetry ? SAMPLE_COLUMNS : ITERATION_COLUMNS;
    const columns = new Set<string>(leading);
    const fromStdin = files.includes('-');
    const held: Row[] = [];
    let records = 0;
    let rows = 0;
    const onProblem = (problem: JsonLinesProblem) =>
      io.stderr.write(
        `microbench export: warning: ${problem.file}:${problem.line}: ${problem.message}\n`,
      );
    for await (const { view } of readRecordsFrom(files, { onProblem })) {
      records++;
      for (const row of toRows(view, records)) {
        rows++;
        for (const key of row.keys()) columns.add(key);
        if (fromStdin) held.push(row);
      }
    }
    if (records === 0) {
      throw new InputError(
        `No records to export in ${opts.files.map((f) => JSON.stringify(f)).join(', ')}. ` +
          'Pass a results file written by microbench (JSON Lines, one record per line).',
      );
    }
    if (rows === 0 && opts.telemetry) {
      throw new InputError(
        'The records hold no telemetry samples to export; record with `telemetryInterval` (library) or `--telemetry-interval` (CLI), or export without --telemetry.',
      );
    }
    const header = [...columns];
    const out = opts.output === undefined ? io.stdout : await openOutput(opts.output);
    const sink = new CsvSink(out);
    try {
      await sink.write(toCsvLine(header));
      if (fromStdin) {
        for (const row of held) await sink.write(toCsvLine(header.map((c) => row.get(c))));
      } else {
        let run = 0;
        for await (const { view } of readRecordsFrom(files)) {
          for (const row of toRows(view, ++run)) {
            await sink.write(toCsvLine(header.map((c) => row.get(c))));
          }
        }
      }
      if (opts.output !== undefined) await sink.end();
    } catch (error) {
      // A reader that went away (`microbench export f.jsonl | head`) ends the export quietly.
      if ((error as NodeJS.ErrnoException).code === 'EPIPE') return 0;
      if (error !== sink.failed) throw error;
      const where = opts.output === undefined ? 'standard output' : JSON.stringify(opts.output);
      throw new InputError(`Cannot write the export to ${where}: ${(error as Error).message}`, {
        cause: error,
      });
    } finally {
      sink.release();
    }
    return 0;
  } catch (error) {
    return handleCommandError('export', error, io);
  }
}

// Writes lines with backpressure; a stream error ends the next (or the waiting) write.
class CsvSink {
  failed: NodeJS.ErrnoException | undefined;
  readonly #out: NodeJS.WritableStream;
  readonly #onError = (error: NodeJS.ErrnoException) => {
    this.failed ??= error;
    this.#out.emit('drain');
  };

  constructor(out: NodeJS.WritableStream) {
    this.#out = out;
    out.on('error', this.#onError);
  }

  async write(line: string): Promise<void> {
    if (this.failed) throw this.failed;
    if (!this.#out.write(line)) await once(this.#out, 'drain');
    if (this.failed) throw this.failed;
  }

  async end(): Promise<void> {
    this.#out.end();
    await once(this.#out, 'finish');
    if (this.failed) throw this.failed;
  }

  release(): void {
    this.#out.off('error', this.#onError);
  }
}

// The output file, opened (an unwritable path is an InputError naming it and the cause).
async function openOutput(path: string): Promise<NodeJS.WritableStream> {
  const stream = createWriteStream(path);
  try {
    await once(stream, 'open');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code ?? String(cause);
    throw new InputError(`Cannot write ${JSON.stringify(path)}: ${code}`, { cause });
  }
  return stream;
}
