/**
 * Turning journals left by dead processes into records.
 *
 *   <outfile dir>/.microbench-journal/<outfile name>/<pid>-<session>-<ms>.journal
 *        │  header: pid, its start time, outfile, timezone, the partial record
 *        │  sample lines, one per telemetry sample (a torn last line is ignored)
 *        ▼
 *   owner alive (same pid and same start time)? ── yes ──► left alone
 *        │ no
 *        ▼
 *   claim by rename (only one recoverer wins) ──► record with `interrupted: true`,
 *   the samples, finish_time = last sample ──► appended to the outfile ──► journal deleted
 */
import { existsSync, readdirSync, readFileSync, renameSync, rmdirSync, unlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { BenchRecord, TelemetrySample } from '../bench/record.js';
import { formatTimestamp, resolveTimezone } from '../bench/timestamp.js';
import { encodeJson } from '../json/encode.js';
import { fileOutput } from '../outputs/file.js';
import { SampleReservoir } from '../telemetry/_reservoir.js';
import { ProcessInfo } from '../telemetry/process-info.js';
import { JOURNAL_DIR_NAME, journalDirFor } from './journal.js';

/** Options of {@link recoverJournals}. */
export interface RecoverOptions {
  /**
   * Outfiles whose journals to recover. Default: every outfile with journals under
   * `./.microbench-journal/`.
   */
  outfiles?: readonly string[];
  /** Report what would be recovered without writing or deleting anything. @default false */
  dryRun?: boolean;
  /** Is the journal's process still running? Injected by tests. Default: pid + start time check. */
  isAlive?: (pid: number, startTime: number | null) => boolean;
}

/** One journal turned (or, with `dryRun`, to be turned) into a record. */
export interface RecoveredJournal {
  readonly journal: string;
  readonly outfile: string;
  readonly functionName: string;
  readonly samples: number;
}

/** What {@link recoverJournals} did. */
export interface RecoverResult {
  readonly recovered: RecoveredJournal[];
  /** Journals of processes that are still running (left alone). */
  readonly live: string[];
  /** Journals that could not be read or written, with why. */
  readonly errors: { journal: string; message: string }[];
}

/**
 * Recover the telemetry journals of processes that died (signal, time limit, OOM killer)
 * into records marked `"interrupted": true`, appended to their outfile. Running it twice
 * recovers nothing twice.
 */
export function recoverJournals(options: RecoverOptions = {}): RecoverResult {
  const isAlive = options.isAlive ?? isProcessAlive;
  const result: RecoverResult = { recovered: [], live: [], errors: [] };
  for (const dir of journalDirs(options.outfiles)) {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of names.sort()) {
      const claimedBy = /\.journal\.recovering-(\d+)$/.exec(name);
      if (!name.endsWith('.journal') && !claimedBy) continue;
      // A claim by a recoverer that died is up for grabs again.
      if (claimedBy && isAlive(Number(claimedBy[1]), null)) continue;
      recoverOne(join(dir, name), isAlive, options.dryRun ?? false, result);
    }
    if (!options.dryRun) removeIfEmpty(dir);
  }
  return result;
}

function recoverOne(
  path: string,
  isAlive: (pid: number, startTime: number | null) => boolean,
  dryRun: boolean,
  result: RecoverResult,
): void {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      result.errors.push({ journal: path, message: (error as Error).message });
    }
    return;
  }
  const lines = text.split('\n');
  let header: JournalHeader;
  try {
    header = JSON.parse(lines[0] ?? '') as JournalHeader;
    if (
      header.type !== 'header' ||
      typeof header.pid !== 'number' ||
      typeof header.outfile !== 'string'
    ) {
      throw new Error('not a microbench journal header');
    }
  } catch (error) {
    // A header torn by a kill during the very first write: nothing was sampled yet.
    result.errors.push({
      journal: path,
      message: `unreadable journal header: ${(error as Error).message}`,
    });
    return;
  }
  if (!path.includes('.recovering-') && isAlive(header.pid, header.pid_start_time ?? null)) {
    result.live.push(path);
    return;
  }
  const tz = resolveTimezone(header.timezone ?? 'UTC');
  const reservoir = new SampleReservoir(header.max_samples ?? undefined);
  let lastEpochMs: number | undefined;
  for (const line of lines.slice(1)) {
    if (line.trim() === '') continue;
    let entry: { type?: string; epoch_ms?: number; sample?: Record<string, unknown> };
    try {
      entry = JSON.parse(line) as typeof entry;
    } catch {
      continue; // the line a kill tore in half
    }
    if (entry.type !== 'sample' || typeof entry.epoch_ms !== 'number') continue;
    lastEpochMs = entry.epoch_ms;
    reservoir.add({
      timestamp: formatTimestamp(entry.epoch_ms, tz),
      ...entry.sample,
    } as TelemetrySample);
  }
  const { samples, total } = reservoir.result();
  const record: BenchRecord = {
    ...(header.record as BenchRecord),
    telemetry: samples,
    run_durations: [],
  };
  if (total !== samples.length) record.telemetry_samples_total = total;
  if (record.start_time === undefined) {
    record.start_time = formatTimestamp(header.anchor_epoch_ms ?? lastEpochMs ?? Date.now(), tz);
  }
  record.finish_time =
    lastEpochMs === undefined ? record.start_time : formatTimestamp(lastEpochMs, tz);
  record.interrupted = true;
  const recovered = {
    journal: path,
    outfile: header.outfile,
    functionName: String(record.function_name),
    samples: total,
  };
  if (dryRun) {
    result.recovered.push(recovered);
    return;
  }
  const claimed = path.includes('.recovering-') ? path : `${path}.recovering-${process.pid}`;
  try {
    if (claimed !== path) renameSync(path, claimed);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return; // another recoverer won
    result.errors.push({ journal: path, message: (error as Error).message });
    return;
  }
  try {
    const output = fileOutput(header.outfile);
    output.write(record, () => encodeJson(record));
    void output.close?.();
    unlinkSync(claimed);
    result.recovered.push(recovered);
  } catch (error) {
    result.errors.push({
      journal: claimed,
      message: `could not append to ${header.outfile}: ${(error as Error).message}`,
    });
  }
}

interface JournalHeader {
  type: string;
  pid: number;
  pid_start_time?: number | null;
  outfile: string;
  timezone?: string;
  anchor_epoch_ms?: number;
  max_samples?: number | null;
  record?: Record<string, unknown>;
}

// Journal folders for the given outfiles, or every folder under ./.microbench-journal/.
function journalDirs(outfiles: readonly string[] | undefined): string[] {
  if (outfiles && outfiles.length > 0) return outfiles.map(journalDirFor);
  const root = resolve(JOURNAL_DIR_NAME);
  if (!existsSync(root)) return [];
  return readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => join(root, d.name));
}

// Alive = the pid exists and, where known, started at the recorded time (not a reused pid).
function isProcessAlive(pid: number, startTime: number | null): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
  }
  if (startTime === null) return true;
  try {
    const info = new ProcessInfo(pid);
    const now = info.startTime();
    info.close();
    return now === startTime;
  } catch {
    return false;
  }
}

function removeIfEmpty(dir: string): void {
  try {
    rmdirSync(dir);
    rmdirSync(resolve(dir, '..'));
  } catch {
    // Not empty, or already gone.
  }
}
