/**
 * `microbench diff A B [--field KEY...]`: what differs between two records' metadata.
 *
 * A and B are results files; each names its last record, or record N with `FILE:N` (1-based;
 * negative counts from the end, `FILE:-2` is the one before last; N counts valid records, corrupt
 * lines are skipped). When A and B are the same file without `:N`, the last two records of that
 * file are compared (A = the one before last, B = the last).
 */

import { existsSync } from 'node:fs';
import { InputError, UsageError } from '../../errors.js';
import type { BenchRecord } from '../../record/record.js';
import { durationsOf, groupOf } from '../../report/_records.js';
import { formatSeconds } from '../../report/_units.js';
import { diffRecords, renderDiff } from '../../report/diff.js';
import { computeDurationStats } from '../../report/summary.js';
import { readRecordFiles } from '../../report/write-report.js';
import { type CommandIO, handleCommandError, printWarnings, shouldColor } from './_io.js';

/** Arguments of `microbench diff`. */
export interface DiffCommandOptions {
  /** `FILE` (its last record) or `FILE:N` (record N, 1-based; negative from the end). */
  readonly a: string;
  /** Same form as `a`. */
  readonly b: string;
  /** Compare only these keys or prefixes (`git`, `package_versions.uplot`, `env_*`). */
  readonly fields?: readonly string[];
  /** Record of A to compare (1-based; negative from the end); wins over a `:N` suffix. */
  readonly aIndex?: number;
  /** Record of B to compare; wins over a `:N` suffix. */
  readonly bIndex?: number;
}

/** A parsed `FILE[:N]` argument. */
export interface RecordSpec {
  readonly file: string;
  /** 1-based (negative: from the end), or `null` for "the last one". */
  readonly index: number | null;
}

/**
 * Split `FILE:N` into file and index. The suffix is only taken as an index when the whole text is
 * not an existing file, so a file whose name ends in `:3` still works.
 */
export function parseRecordSpec(
  spec: string,
  exists: (path: string) => boolean = existsSync,
): RecordSpec {
  const m = /^(.+):(-?\d+)$/.exec(spec);
  if (m === null || exists(spec)) return { file: spec, index: null };
  return { file: m[1]!, index: Number(m[2]) };
}

/**
 * Print the metadata differences between the two chosen records to stdout (coloured on a TTY
 * unless `NO_COLOR` is set). Returns 0 whether or not they differ, 1 on bad input (missing or
 * empty file), 2 on usage errors (record number out of range, `:0`).
 */
export async function runDiff(opts: DiffCommandOptions, io: CommandIO): Promise<number> {
  try {
    const specA = withIndex(parseRecordSpec(opts.a), opts.aIndex);
    const specB = withIndex(parseRecordSpec(opts.b), opts.bIndex);
    const sameFile = specA.file === specB.file;
    const inputA = readRecordFiles([specA.file]);
    const inputB = sameFile ? inputA : readRecordFiles([specB.file]);
    printWarnings('diff', inputA.warnings.filter(isLineWarning), io);
    if (!sameFile) printWarnings('diff', inputB.warnings.filter(isLineWarning), io);
    const recordsA = inputA.records.map((r) => r.record);
    const recordsB = inputB.records.map((r) => r.record);
    let indexA = specA.index;
    if (sameFile && specA.index === null && specB.index === null && recordsA.length >= 2)
      indexA = -2;
    const a = pick(recordsA, specA.file, indexA, opts.a);
    const b = pick(recordsB, specB.file, specB.index, opts.b);
    const diff = diffRecords(
      a.record,
      b.record,
      opts.fields === undefined ? {} : { fields: opts.fields },
    );
    io.stdout.write(
      renderDiff(diff, {
        color: shouldColor(io.stdout),
        labelA: describe(specA.file, a.number, recordsA.length, a.record),
        labelB: describe(specB.file, b.number, recordsB.length, b.record),
      }),
    );
    return 0;
  } catch (error) {
    return handleCommandError('diff', error, io);
  }
}

// Apply an explicit index option over the parsed suffix.
function withIndex(spec: RecordSpec, index: number | undefined): RecordSpec {
  return index === undefined ? spec : { file: spec.file, index };
}

// Only corrupt-line warnings: an empty file is an error here, reported on its own.
function isLineWarning(warning: string): boolean {
  return /:\d+: skipped corrupt line|more corrupt lines skipped/.test(warning);
}

// The chosen record and its 1-based number, or a clear error.
function pick(
  records: readonly BenchRecord[],
  file: string,
  index: number | null,
  arg: string,
): { record: BenchRecord; number: number } {
  if (records.length === 0) {
    throw new InputError(
      `${JSON.stringify(file)} has no records to compare (empty or all lines corrupt).`,
    );
  }
  if (index === 0) {
    throw new UsageError(
      `Record numbers are 1-based: got ${JSON.stringify(arg)}. Use ${file}:1 for the first record.`,
    );
  }
  const n = index === null ? records.length : index > 0 ? index : records.length + index + 1;
  if (n < 1 || n > records.length) {
    throw new UsageError(
      `${JSON.stringify(file)} has ${records.length} record${records.length === 1 ? '' : 's'}; ` +
        `record ${index} does not exist (from ${JSON.stringify(arg)}). Use ${file}:1 to ${file}:${records.length}.`,
    );
  }
  return { record: records[n - 1]!, number: n };
}

// `results.jsonl:3 of 3  myFunction  2024-01-01T...  mean 1.204 s (n=3)`.
function describe(file: string, n: number, total: number, record: BenchRecord): string {
  const stats = computeDurationStats(durationsOf(record));
  const parts = [`${file}:${n} (of ${total})`, groupOf(record).name];
  if (typeof record.start_time === 'string') parts.push(record.start_time);
  if (stats.count > 0) parts.push(`mean ${formatSeconds(stats.meanS)} (n=${stats.count})`);
  return parts.join('  ');
}
