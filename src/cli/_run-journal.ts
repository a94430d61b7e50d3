// internal: the journal of a CLI run, so a microbench killed mid-run (SIGKILL, a node failure,
// a scheduler's hard kill) leaves what `microbench recover` turns into a record.
//
//   <outfile dir>/.microbench-journal/user-<uid>/<outfile name>/<pid>-0-<epoch ms>-<random>.journal
//        header     {type: 'header', pid, pid_start_time, hostname, interval_ms, outfile,
//                    timezone, anchor_epoch_ms, record}   the record as it is at start_time
//        sample     {type: 'sample', epoch_ms, iteration, sample}   one per telemetry sample
//        iteration  {type: 'iteration', index, epoch_ms}   when a timed iteration starts
//        iteration  {type: 'iteration', index, duration_s, returncode}   when it has finished
//        end        {type: 'end', record}   the finished record, until it is delivered
//
// The library's journals have the same header and sample lines (src/journal/recover.ts reads
// both); `iteration` on a sample and the iteration lines give a CLI record its one list of
// samples, one duration and one return code per iteration. Each line is one write(2) on an
// O_APPEND descriptor, so a kill tears at most the last line, which recovery skips.
import { closeSync, readFileSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import {
  createJournalFile,
  journalDirFor,
  journalFileName,
  removeJournalFile,
} from '../journal/journal.js';
import { encodeJson } from '../json/encode.js';

/** What the journal's header says about the run. */
export interface RunJournalHeader {
  readonly outfile: string;
  readonly timezone: string;
  /** Milliseconds between samples; 0 without telemetry. */
  readonly intervalMs: number;
  /** The record as it is when the timed iterations start. */
  readonly record: object;
  /** The layout `recover` writes the record in. @default 'v1' */
  readonly recordFormat?: 'v1' | 'v2';
}

/** An open CLI run journal; every method is best effort and never throws. */
export interface RunJournal {
  /** The journal file. */
  readonly path: string;
  sample(iteration: number, epochMs: number, sample: object): void;
  /** Timed iteration `index` (0-based) starts. */
  started(index: number): void;
  /** Timed iteration `index` ended after `durationS` with `returncode`. */
  iteration(index: number, durationS: number, returncode: number | null): void;
  /** The record is finished (and about to be delivered). */
  end(record: object): void;
  /** The record was delivered: the journal goes. */
  remove(): void;
}

/**
 * Create the journal of a run writing to `outfile`. Returns undefined (after one warning
 * through `warn`) when it cannot be written: the run goes on without crash safety.
 */
export function openRunJournal(
  header: RunJournalHeader,
  warn: (message: string) => void,
): RunJournal | undefined {
  const anchorEpochMs = Date.now();
  const dir = journalDirFor(header.outfile);
  let path = join(dir, journalFileName(0, anchorEpochMs));
  let fd: number | undefined;
  try {
    ({ fd, path } = createJournalFile(dir, journalFileName(0, anchorEpochMs)));
    const line = encodeJson(
      {
        type: 'header',
        format: 1,
        pid: process.pid,
        pid_start_time: ownStartTime(),
        hostname: hostname(),
        interval_ms: header.intervalMs,
        outfile: header.outfile,
        timezone: header.timezone,
        anchor_epoch_ms: anchorEpochMs,
        max_samples: null,
        record_format: header.recordFormat ?? 'v1',
        record: header.record,
      },
      { warn: () => undefined },
    );
    writeSync(fd, `${line}\n`);
  } catch (error) {
    if (fd !== undefined) closeQuietly(fd);
    warn(
      `cannot write the run's journal ${path} (${(error as Error).message}); the run goes on, but a kill would lose its record`,
    );
    return undefined;
  }
  const openFd = fd;
  let failed = false;
  let closed = false;
  const write = (text: string) => {
    if (failed || closed) return;
    try {
      writeSync(openFd, text);
    } catch (error) {
      failed = true;
      warn(`writing the run's journal ${path} failed (${(error as Error).message})`);
    }
  };
  return {
    path,
    sample(iteration, epochMs, sample) {
      write(
        `{"type":"sample","epoch_ms":${epochMs},"iteration":${iteration},"sample":${JSON.stringify(sample)}}\n`,
      );
    },
    started(index) {
      write(`{"type":"iteration","index":${index},"epoch_ms":${Date.now()}}\n`);
    },
    iteration(index, durationS, returncode) {
      write(
        `{"type":"iteration","index":${index},"duration_s":${durationS},"returncode":${returncode}}\n`,
      );
    },
    end(record) {
      write(`{"type":"end","record":${encodeJson(record, { warn: () => undefined })}}\n`);
    },
    remove() {
      if (closed) return;
      closed = true;
      closeQuietly(openFd);
      removeJournalFile(path);
    },
  };
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // Closed already.
  }
}

// This process's start time in clock ticks (field 22 of /proc/self/stat), which `recover`
// compares to tell a live owner from a reused pid; null off Linux.
function ownStartTime(): number | null {
  try {
    const text = readFileSync('/proc/self/stat', 'latin1');
    const ticks = Number(text.slice(text.lastIndexOf(')') + 2).split(' ')[19]);
    return Number.isFinite(ticks) ? ticks : null;
  } catch {
    return null;
  }
}
