/**
 * `microbench diff A B [--field KEY...]`: what differs between two records' metadata.
 *
 * A and B are results files; each names its last record, or record N with `FILE:N` (1-based;
 * negative counts from the end, `FILE:-2` is the one before last; N counts valid records, corrupt
 * lines are skipped). When A and B are the same file without `:N`, the last two records of that
 * file are compared (A = the one before last, B = the last). Files are streamed: only the chosen
 * records (and, for a negative N, the last |N|) are held, so a file of any size works.
 */

import { existsSync } from 'node:fs';
import { InputError, UsageError } from '../../errors.js';
import type { AnyRecord } from '../../record/_layout-fields.js';
import { cutDeep } from '../../record/cut-deep.js';
import { splitIterations } from '../../record/iterations.js';
import { groupOf } from '../../report/_records.js';
import { formatSeconds } from '../../report/_units.js';
import { diffRecords, renderDiff } from '../../report/diff.js';
import { forEachRecord } from '../../report/read-records.js';
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
    const warn = (w: string): void => {
      if (isLineWarning(w)) printWarnings('diff', [w], io);
    };
    let fromA: Picked;
    let fromB: Picked;
    let a: { record: AnyRecord; number: number };
    let b: { record: AnyRecord; number: number };
    if (sameFile) {
      // One read of the file; without :N, A is the record before last (when there are two).
      const lastTwo = specA.index === null && specB.index === null;
      const picked = await pickRecords(specA.file, [lastTwo ? -2 : specA.index, specB.index], warn);
      fromA = picked;
      fromB = picked;
      const aSlot = lastTwo && picked.total < 2 ? 1 : 0;
      a = choose(picked, aSlot, specA.file, lastTwo && aSlot === 0 ? -2 : specA.index, opts.a);
      b = choose(picked, 1, specB.file, specB.index, opts.b);
    } else {
      fromA = await pickRecords(specA.file, [specA.index], warn);
      fromB = await pickRecords(specB.file, [specB.index], warn);
      a = choose(fromA, 0, specA.file, specA.index, opts.a);
      b = choose(fromB, 0, specB.file, specB.index, opts.b);
    }
    const diff = diffRecords(
      a.record,
      b.record,
      opts.fields === undefined ? {} : { fields: opts.fields },
    );
    io.stdout.write(
      renderDiff(diff, {
        color: shouldColor(io.stdout),
        labelA: describe(specA.file, a.number, fromA.total, a.record),
        labelB: describe(specB.file, b.number, fromB.total, b.record),
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

// The records chosen from one file by their specs, and how many records the file holds.
interface Picked {
  readonly total: number;
  /** Per spec: the record and its 1-based number, or undefined when out of range. */
  readonly chosen: readonly ({ record: AnyRecord; number: number } | undefined)[];
}

// Stream a file once, keeping only the records the specs name (the last |N| for negative N).
async function pickRecords(
  file: string,
  specs: readonly (number | null)[],
  onWarning: (w: string) => void,
): Promise<Picked> {
  const fromStart = new Map<number, AnyRecord>();
  const keepLast = Math.max(0, ...specs.map((n) => (n === null ? 1 : n < 0 ? -n : 0)));
  let last: { record: AnyRecord; number: number }[] = [];
  const read = await forEachRecord(
    [file],
    ({ record, index = 0 }) => {
      if (specs.includes(index)) fromStart.set(index, record);
      if (keepLast > 0) {
        last.push({ record, number: index });
        if (last.length > keepLast * 2) last = last.slice(-keepLast);
      }
    },
    { onWarning },
  );
  const total = read.records;
  last = last.slice(-keepLast);
  const chosen = specs.map((n) => {
    if (n === null || n < 0) {
      const number = total + (n ?? -1) + 1;
      const hit = last.find((x) => x.number === number);
      return hit === undefined ? undefined : { record: cutDeep(hit.record), number };
    }
    const record = fromStart.get(n);
    return record === undefined ? undefined : { record: cutDeep(record), number: n };
  });
  return { total, chosen };
}

// The chosen record, or a clear error.
function choose(
  picked: Picked,
  slot: number,
  file: string,
  index: number | null,
  arg: string,
): { record: AnyRecord; number: number } {
  if (picked.total === 0) {
    throw new InputError(
      `${JSON.stringify(file)} has no records to compare (empty or all lines corrupt).`,
    );
  }
  if (index === 0) {
    throw new UsageError(
      `Record numbers are 1-based: got ${JSON.stringify(arg)}. Use ${file}:1 for the first record.`,
    );
  }
  const hit = picked.chosen[slot];
  if (hit === undefined) {
    throw new UsageError(
      `${JSON.stringify(file)} has ${picked.total} record${picked.total === 1 ? '' : 's'}; ` +
        `record ${index} does not exist (from ${JSON.stringify(arg)}). Use ${file}:1 to ${file}:${picked.total}.`,
    );
  }
  return hit;
}

// `results.jsonl:3 of 3  myFunction  2024-01-01T...  mean 1.204 s (n=3)` (successful iterations).
function describe(file: string, n: number, total: number, record: AnyRecord): string {
  const ok = splitIterations(record).successfulDurationsS;
  const parts = [`${file}:${n} (of ${total})`, groupOf(record).name];
  if (typeof record.start_time === 'string') parts.push(record.start_time);
  if (ok.length > 0) {
    const mean = ok.reduce((sum, d) => sum + d, 0) / ok.length;
    parts.push(`mean ${formatSeconds(mean)} (n=${ok.length})`);
  }
  return parts.join('  ');
}
