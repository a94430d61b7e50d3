/**
 * Journals written by hand, as a killed process would leave them, for the recover tests.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { journalDirFor } from '../../src/journal/journal.js';
import { ProcessInfo } from '../../src/telemetry/process-info.js';
import type { JsonRecord } from './_crash-child.js';

/** A pid that surely belonged to a process that has exited. */
export const DEAD_PID: number = spawnSync(process.execPath, ['-e', '']).pid!;
/** This process's start time, as journals record it. */
export const OWN_START: number = new ProcessInfo(process.pid).startTime();
/** The epoch ms the hand-made calls start at (2024-01-01T00:00:00Z). */
export const T0: number = Date.UTC(2024, 0, 1, 0, 0, 0);
let outfileCount = 0;

/** What to put in a hand-made journal. */
export interface HandJournalSpec {
  readonly pid?: number;
  readonly startTime?: number | null;
  /** `null`: no hostname field at all. @default this host */
  readonly host?: string | null;
  /** @default 100 */
  readonly intervalMs?: number;
  /** Sample lines (rss 0, 1, ... at T0 + 1 + 100·i ms). @default 3 */
  readonly samples?: number;
  readonly maxSamples?: number | null;
  /** Text after the last full line (a torn line). */
  readonly tail?: string;
  /** The finished record, journaled when the call ended. */
  readonly end?: JsonRecord;
  readonly headerOutfile?: string;
  /** Folder of the outfile. @default `root` */
  readonly root?: string;
}

/** Write one journal for a fresh outfile in `root`; returns both paths. */
export function writeHandJournal(
  root: string,
  spec: HandJournalSpec = {},
): { outfile: string; journal: string } {
  const outfile = join(spec.root ?? root, `out-${++outfileCount}.jsonl`);
  const dir = journalDirFor(outfile);
  mkdirSync(dir, { recursive: true });
  const pid = spec.pid ?? DEAD_PID;
  const journal = join(dir, `${pid}-1-${T0}.journal`);
  const header = {
    type: 'header',
    format: 1,
    pid,
    pid_start_time: spec.startTime === undefined ? 12345 : spec.startTime,
    hostname: spec.host === null ? undefined : (spec.host ?? hostname()),
    interval_ms: spec.intervalMs ?? 100,
    outfile: spec.headerOutfile ?? outfile,
    timezone: '+02:00',
    anchor_epoch_ms: T0 + 0.25,
    max_samples: spec.maxSamples ?? null,
    record: { label: 'hand-made', mb_run_id: 'run-1', function_name: 'work', telemetry: [] },
  };
  const lines = [JSON.stringify(header)];
  for (let i = 0; i < (spec.samples ?? 3); i++) {
    lines.push(JSON.stringify({ type: 'sample', epoch_ms: T0 + 1 + i * 100, sample: { rss: i } }));
  }
  if (spec.end) lines.push(JSON.stringify({ type: 'end', record: spec.end }));
  writeFileSync(journal, `${lines.join('\n')}\n${spec.tail ?? ''}`);
  return { outfile, journal };
}
