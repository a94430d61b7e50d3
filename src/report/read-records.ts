/**
 * Results files → records, one at a time, through the one streaming JSON Lines reader: files,
 * folders and globs, any size, memory bounded by the longest line. Corrupt lines become warnings
 * (with their line numbers, a few per file, then a count); an empty file is a warning too.
 *
 * ```
 * inputs ─► resolveInputs ─► readJsonLines (per file) ─► visit({ record, file, index })
 *                                  └─ problems ─► warnings
 * ```
 */

import { resolveInputs } from '../record/inputs.js';
import { toFlatRecord } from '../record/layout.js';
import { readJsonLines } from '../record/read-jsonl.js';
import { isMicrobenchRecord, NOT_A_RECORD_MESSAGE } from '../record/read-record.js';
import type { ReportSource, SourcedRecord } from './shape.js';

/** Corrupt lines reported per file before the rest are only counted. */
export const MAX_LINE_WARNINGS_PER_FILE = 20;

/** Options of {@link forEachRecord}. */
export interface ForEachRecordOptions {
  /** Called with each warning as it happens (they are also returned). */
  readonly onWarning?: (warning: string) => void;
}

/** What {@link forEachRecord} read. */
export interface ReadRecordsResult {
  /** One entry per file read, in order. */
  readonly sources: readonly ReportSource[];
  /** Corrupt lines (`results.jsonl:7: skipped corrupt line: <why>`) and empty files. */
  readonly warnings: readonly string[];
  /** Records read in all. */
  readonly records: number;
}

/**
 * Read every record of `inputs` (files, folders of `*.jsonl`, glob patterns, `-` for stdin) and
 * hand each to `visit` with its file and 1-based position there; nothing is kept.
 *
 * @throws InputError when an input is missing, unreadable, or matches no file.
 */
export async function forEachRecord(
  inputs: readonly string[],
  visit: (item: SourcedRecord) => void,
  options: ForEachRecordOptions = {},
): Promise<ReadRecordsResult> {
  const files = await resolveInputs(inputs);
  const sources: ReportSource[] = [];
  const warnings: string[] = [];
  const warn = (text: string): void => {
    warnings.push(text);
    options.onWarning?.(text);
  };
  let total = 0;
  for (const file of files) {
    let records = 0;
    let skipped = 0;
    for await (const entry of readJsonLines(file, {
      onProblem: (p) => {
        skipped++;
        if (skipped <= MAX_LINE_WARNINGS_PER_FILE) {
          warn(`${p.file}:${p.line}: skipped corrupt line: ${p.message}`);
        }
      },
    })) {
      // JSON that is no microbench record is reported by line, never a nameless benchmark; v1
      // and v2 records (ours or Python's) reach the report under the same (v1) names.
      if (!isMicrobenchRecord(entry.value)) {
        skipped++;
        if (skipped <= MAX_LINE_WARNINGS_PER_FILE) {
          warn(`${file}:${entry.line}: ${NOT_A_RECORD_MESSAGE}`);
        }
        continue;
      }
      records++;
      visit({ record: toFlatRecord(entry.value), file, index: records });
    }
    total += records;
    if (skipped > MAX_LINE_WARNINGS_PER_FILE) {
      warn(`${file}: ... and ${skipped - MAX_LINE_WARNINGS_PER_FILE} more corrupt lines skipped`);
    }
    if (records === 0) {
      warn(
        skipped === 0
          ? `${file}: the file is empty (no records)`
          : `${file}: no valid records (every non-blank line is corrupt)`,
      );
    }
    sources.push({ file, records, skippedLines: skipped });
  }
  return { sources, warnings, records: total };
}
