/**
 * Turning journals left by dead processes into records.
 *
 *   <outfile dir>/.microbench-journal/user-<uid>/<outfile name>/<pid>-<session>-<ms>-<rand>.journal
 *        │  only folders and files this user owns, that others cannot write, and no symlinks
 *        │  (others are listed as skipped, with why: docs/trust.md)
 *        │  header: pid, its start time, hostname, timezone, the partial record
 *        │  sample lines, one per telemetry sample (a torn last line is ignored)
 *        │  end line: the finished record, once the call ended (deleted after delivery)
 *        ▼
 *   owner alive? same host: the pid exists with the recorded start time (not a reused pid);
 *        │       (a zombie is dead); other host: the journal was written to within
 *        │       max(3 intervals, 60 s), capped at 1 h
 *        │ ── yes ──► left alone
 *        │ no
 *        ▼
 *   record already in the outfile? ── yes ──► journal deleted
 *        │ no
 *        ▼
 *   claim by rename to `.recovering-<pid>` (only one recoverer wins; a dead recoverer's claim
 *   is taken over by the same atomic rename) ──► the finished record, or the partial one
 *   with `interrupted: true` and finish_time = last sample, plus the samples
 *   ──► appended to the outfile ──► journal deleted
 */
import {
  closeSync,
  constants,
  existsSync,
  fstatSync,
  lstatSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmdirSync,
  statSync,
  unlinkSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileOutput } from '../outputs/file.js';
import { toFlatRecord } from '../record/layout.js';
import { readJsonLinesSync } from '../record/read-jsonl.js';
import type { BenchRecord, TelemetrySample } from '../record/record.js';
import { formatTimestamp, resolveTimezone, type Timezone } from '../record/timestamp.js';
import { encodeRecord } from '../record/write-record.js';
import { SampleReservoir } from '../telemetry/_reservoir.js';
import { ProcessInfo } from '../telemetry/process-info.js';
import {
  accountFields,
  accountListFields,
  accountSamples,
  type SampleAccount,
} from '../telemetry/sample-account.js';
import {
  JOURNAL_DIR_NAME,
  journalDirFor,
  legacyJournalDirFor,
  outfileForJournalDir,
  untrustedReason,
  userDirName,
} from './journal.js';

/** Options of {@link recoverJournals}. */
export interface RecoverOptions {
  /**
   * Outfiles whose journals to recover. Default: every outfile with journals under
   * `./.microbench-journal/` (the working directory's).
   */
  outfiles?: readonly string[];
  /** Report what would be recovered without writing or deleting anything. @default false */
  dryRun?: boolean;
  /**
   * Is the journal's process (on this host) still running? Injected by tests.
   * Default: the pid exists and, where the journal recorded it, started at the same time.
   */
  isAlive?: (pid: number, startTime: number | null) => boolean;
}

/** One journal turned (or, with `dryRun`, to be turned) into a record. */
export interface RecoveredJournal {
  /** The journal file (deleted once its record is written). */
  readonly journal: string;
  /** The outfile the record was appended to. */
  readonly outfile: string;
  readonly functionName: string;
  /** Samples taken (the record may hold fewer when `telemetryMaxSamples` thinned them). */
  readonly samples: number;
  /**
   * The call had finished (its journal ends with the finished record) and only writing the
   * record was cut short: the record is complete, not marked `interrupted`.
   */
  readonly finished: boolean;
}

/** A journal that was not recovered, and why. */
export interface JournalNote {
  readonly journal: string;
  readonly reason: string;
}

/** What {@link recoverJournals} did. */
export interface RecoverResult {
  readonly recovered: RecoveredJournal[];
  /** Journals of processes that are (or may be) still running: left alone. */
  readonly live: JournalNote[];
  /** Journals with nothing to recover (no header, or already recovered): deleted. */
  readonly discarded: JournalNote[];
  /** Journals that could not be read or written. */
  readonly errors: { journal: string; message: string }[];
  /**
   * Journal folders and files not acted on because this user may not trust them: another
   * user's, writable by others, or a symbolic link (docs/trust.md). Left as they are.
   */
  readonly skipped: JournalNote[];
}

/** Journals written on another host count as dead once untouched for this long at least. */
const OTHER_HOST_STALE_MIN_MS = 60_000;
/** ... and for at least this many sampling intervals ... */
const OTHER_HOST_STALE_INTERVALS = 3;
/** ... but never longer than this (a header's huge interval must not keep a journal live forever). */
export const OTHER_HOST_STALE_MAX_MS = 3_600_000;

/**
 * Recover the telemetry journals of processes that died (signal, time limit, OOM killer)
 * into records marked `"interrupted": true`, appended to their outfile, with the samples taken
 * and `finish_time` set to the last sample. Journals of running processes are left alone, and
 * running it twice recovers nothing twice.
 */
export function recoverJournals(options: RecoverOptions = {}): RecoverResult {
  const context: RecoverContext = {
    isAlive: options.isAlive ?? isProcessAlive,
    dryRun: options.dryRun ?? false,
    host: hostname(),
    result: { recovered: [], live: [], discarded: [], errors: [], skipped: [] },
    written: new Map(),
  };
  for (const dir of journalDirs(options.outfiles, context.result.skipped)) {
    const untrusted = folderUntrusted(dir);
    if (untrusted === 'missing') continue;
    if (untrusted !== undefined) {
      context.result.skipped.push({ journal: dir, reason: untrusted });
      continue;
    }
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of names.sort(byStartTime)) {
      const claimedBy = /\.journal\.recovering-(\d+)$/.exec(name);
      if (!name.endsWith('.journal') && !claimedBy) continue;
      if (!claimedBy) {
        recoverOne(join(dir, name), dir, false, context);
        continue;
      }
      // A claim by a recoverer that died is up for grabs again, claimed the same atomic way:
      // of several recoverers taking it over at once, one renames it, the others see ENOENT.
      if (context.isAlive(Number(claimedBy[1]), null)) continue;
      if (context.dryRun) {
        recoverOne(join(dir, name), dir, true, context);
        continue;
      }
      const ours = join(dir, `${name.slice(0, claimedBy.index)}.journal.recovering-${process.pid}`);
      try {
        renameSync(join(dir, name), ours);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
          context.result.errors.push({
            journal: join(dir, name),
            message: (error as Error).message,
          });
        }
        continue;
      }
      recoverOne(ours, dir, true, context);
    }
    if (!context.dryRun) removeIfEmpty(dir);
  }
  return context.result;
}

// Why a journal folder may not be trusted (see journal.ts), 'missing' when there is none.
function folderUntrusted(dir: string): string | undefined | 'missing' {
  try {
    return untrustedReason(dir, lstatSync(dir), 'folder');
  } catch {
    return 'missing';
  }
}

// A journal's text, read through a descriptor opened without following a link and checked to
// be this user's own regular file that others cannot write; or why it is not (`untrusted`).
function readOwnJournal(path: string): { text: string } | { untrusted: string } {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  try {
    const why = untrustedReason(path, fstatSync(fd), 'file');
    if (why !== undefined) return { untrusted: why };
    return { text: readFileSync(fd, 'utf8') };
  } finally {
    closeSync(fd);
  }
}

// Journals in the order their calls started (`<pid>-<session>-<epoch ms>.journal`), so records
// are appended in time order.
function byStartTime(a: string, b: string): number {
  const key = (name: string): [number, number] => {
    const m = /^\d+-(\d+)-(\d+)\.journal/.exec(name);
    return m ? [Number(m[2]), Number(m[1])] : [Number.POSITIVE_INFINITY, 0];
  };
  const [msA, sidA] = key(a);
  const [msB, sidB] = key(b);
  return msA - msB || sidA - sidB || (a < b ? -1 : a > b ? 1 : 0);
}

interface RecoverContext {
  readonly isAlive: (pid: number, startTime: number | null) => boolean;
  readonly dryRun: boolean;
  readonly host: string;
  readonly result: RecoverResult;
  /** Per outfile, the keys ({@link recordKey}) of the records it holds; read when first needed. */
  readonly written: Map<string, Set<string>>;
}

interface JournalHeader {
  type: string;
  /** 'pending': finished records waiting for their initial sample (see pending.ts). */
  kind?: string;
  pid: number;
  pid_start_time?: number | null;
  hostname?: string;
  interval_ms?: number;
  outfile?: string;
  timezone?: string;
  /** The layout the bench wrote (`v1` when absent: journals from before layouts). */
  record_format?: string;
  anchor_epoch_ms?: number;
  max_samples?: number | null;
  record?: Record<string, unknown>;
}

// Recover one journal file (or leave it, or discard it), noting the outcome in the result.
function recoverOne(path: string, dir: string, claimed: boolean, context: RecoverContext): void {
  const { result } = context;
  let text: string;
  try {
    const read = readOwnJournal(path);
    if ('untrusted' in read) {
      result.skipped.push({ journal: path, reason: read.untrusted });
      return;
    }
    text = read.text;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') {
      result.skipped.push({
        journal: path,
        reason: `the journal file ${path} is a symbolic link; remove it (journals are never read through links)`,
      });
    } else if (code !== 'ENOENT') {
      result.errors.push({ journal: path, message: (error as Error).message });
    }
    return; // ENOENT: another recoverer (or the finishing process) got there first
  }
  const lines = text.split('\n');
  const header = parseHeader(lines[0] ?? '');
  if (!header) {
    // Killed between creating the file and writing its header: nothing was sampled yet.
    const pid = Number(/^(\d+)-/.exec(basename(path))?.[1] ?? Number.NaN);
    if (!claimed && Number.isInteger(pid) && context.isAlive(pid, null) && isRecent(path, 5000)) {
      result.live.push({ journal: path, reason: 'being created by a running process' });
      return;
    }
    discard(
      path,
      'no readable header (the process died before sampling): nothing to recover',
      context,
    );
    return;
  }
  if (!claimed) {
    const running = whyRunning(path, header, context);
    if (running) {
      result.live.push({ journal: path, reason: running });
      return;
    }
  }
  const outfile = outfileForJournalDir(dir);
  if (header.kind === 'pending') {
    recoverPending(path, outfile, lines.slice(1), claimed, context, header.record_format);
    return;
  }
  const { record, total, finished } = buildRecord(header, lines.slice(1));
  if (isInOutfile(outfile, record, context)) {
    // Delivered after all (killed just before the journal was deleted), or recovered by a
    // recoverer that died before deleting its claim.
    discard(path, `its record is already in ${outfile}`, context);
    return;
  }
  const recovered: RecoveredJournal = {
    journal: path,
    outfile,
    functionName: String(record.function_name),
    samples: total,
    finished,
  };
  if (context.dryRun) {
    result.recovered.push(recovered);
    return;
  }
  const claim = claimed ? path : `${path}.recovering-${process.pid}`;
  if (!claimed) {
    try {
      renameSync(path, claim);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return; // another recoverer won
      result.errors.push({ journal: path, message: (error as Error).message });
      return;
    }
  }
  try {
    const output = fileOutput(outfile);
    const format = toRecordFormat(header.record_format);
    output.write(record, () => encodeRecord(record, format, { warn: () => undefined }));
    void output.close?.();
    context.written.get(outfile)?.add(recordKey(record));
  } catch (error) {
    result.errors.push({
      journal: claim,
      message: `could not append to ${outfile}: ${(error as Error).message}`,
    });
    return;
  }
  try {
    unlinkSync(claim);
  } catch {
    // Gone already.
  }
  result.recovered.push(recovered);
}

// A pending journal: finished records (without the initial sample that was still on its
// way): each one the outfile lacks is appended, in call order.
function recoverPending(
  path: string,
  outfile: string,
  lines: readonly string[],
  claimed: boolean,
  context: RecoverContext,
  recordFormat: string | undefined,
): void {
  const { result } = context;
  const format = toRecordFormat(recordFormat);
  const records: BenchRecord[] = [];
  for (const line of lines) {
    if (line.trim() === '') continue;
    try {
      const entry = JSON.parse(line) as { type?: string; record?: unknown };
      if (entry?.type !== 'record' || entry.record === null || typeof entry.record !== 'object')
        continue;
      const record = entry.record as BenchRecord;
      if (!isInOutfile(outfile, record, context)) records.push(record);
    } catch {
      // The line a kill tore in half.
    }
  }
  if (records.length === 0) {
    discard(path, `its records are already in ${outfile}`, context);
    return;
  }
  const notes = records.map((record) => ({
    journal: path,
    outfile,
    functionName: String(record.function_name),
    samples: Array.isArray(record.telemetry) ? record.telemetry.length : 0,
    finished: true,
  }));
  if (context.dryRun) {
    result.recovered.push(...notes);
    return;
  }
  const claim = claimed ? path : `${path}.recovering-${process.pid}`;
  if (!claimed) {
    try {
      renameSync(path, claim);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return; // another recoverer won
      result.errors.push({ journal: path, message: (error as Error).message });
      return;
    }
  }
  try {
    const output = fileOutput(outfile);
    for (const record of records) {
      output.write(record, () => encodeRecord(record, format, { warn: () => undefined }));
      context.written.get(outfile)?.add(recordKey(record));
    }
    void output.close?.();
  } catch (error) {
    result.errors.push({
      journal: claim,
      message: `could not append to ${outfile}: ${(error as Error).message}`,
    });
    return;
  }
  try {
    unlinkSync(claim);
  } catch {
    // Gone already.
  }
  result.recovered.push(...notes);
}

// The journal's header line, or undefined when it is torn or not a microbench journal.
function parseHeader(line: string): JournalHeader | undefined {
  try {
    const header = JSON.parse(line) as JournalHeader;
    if (header?.type === 'header' && typeof header.pid === 'number') return header;
  } catch {
    // Torn by a kill during the first write.
  }
  return undefined;
}

// Why the journal's process may still be running, or undefined when it is gone.
function whyRunning(
  path: string,
  header: JournalHeader,
  context: RecoverContext,
): string | undefined {
  if (header.hostname !== undefined && header.hostname !== context.host) {
    // Its pid means nothing here: judge by whether the sampler still appends to it.
    const staleMs = otherHostStaleMs(header.interval_ms);
    if (!isRecent(path, staleMs)) return undefined;
    return `written by pid ${header.pid} on host ${header.hostname} within the last ${Math.round(staleMs / 1000)} s; it counts as dead once untouched that long (3 sampling intervals, at least 60 s, at most 1 h)`;
  }
  if (context.isAlive(header.pid, header.pid_start_time ?? null)) {
    return `its process (pid ${header.pid}) is still running`;
  }
  return undefined;
}

/**
 * How long a journal from another host must be untouched to count as dead: 3 sampling
 * intervals, at least 60 s, at most 1 h.
 */
export function otherHostStaleMs(intervalMs: number | undefined): number {
  const interval = typeof intervalMs === 'number' && intervalMs > 0 ? intervalMs : 0;
  return Math.min(
    OTHER_HOST_STALE_MAX_MS,
    Math.max(OTHER_HOST_STALE_MIN_MS, OTHER_HOST_STALE_INTERVALS * interval),
  );
}

// The record to write: the finished record journaled when the call ended, or else the header's
// partial record marked `interrupted: true` with finish_time = the last sample; either way with
// the journaled samples (thinned as the live record would be).
function buildRecord(
  header: JournalHeader,
  lines: readonly string[],
): { record: BenchRecord; total: number; finished: boolean } {
  const tz = safeTimezone(header.timezone);
  const reservoir = new SampleReservoir(header.max_samples ?? undefined);
  // When each (library) sample was taken, for the account of due and missed samples.
  const takenAtMs: number[] = [];
  let lastEpochMs: number | undefined;
  let end: Record<string, unknown> | undefined;
  const cli = new CliIterations();
  for (const line of lines) {
    if (line.trim() === '') continue;
    let entry: JournalLine;
    try {
      entry = JSON.parse(line) as JournalLine;
    } catch {
      continue; // the line a kill tore in half
    }
    if (entry?.type === 'end' && entry.record !== null && typeof entry.record === 'object') {
      end = entry.record;
    } else if (entry?.type === 'sample' && typeof entry.epoch_ms === 'number') {
      lastEpochMs = entry.epoch_ms;
      const sample = { timestamp: formatTimestamp(entry.epoch_ms, tz), ...entry.sample };
      if (typeof entry.iteration === 'number')
        cli.addSample(entry.iteration, entry.epoch_ms, sample);
      else {
        reservoir.add(sample as TelemetrySample);
        takenAtMs.push(entry.epoch_ms);
      }
    } else if (entry?.type === 'iteration') {
      cli.addIteration(entry);
    }
  }
  const { samples, total } = reservoir.result();
  if (cli.used) return cli.buildRecord(header, end, lastEpochMs, tz);
  const anchorMs = header.anchor_epoch_ms ?? takenAtMs[0];
  const intervalMs = header.interval_ms ?? 0;
  if (end) {
    const record = { ...end, telemetry: samples } as unknown as BenchRecord;
    if (total !== samples.length) record.telemetry_samples_total = total;
    // The call ended; its samples' account was still to be made when it was journaled.
    if (record.telemetry_samples_due === undefined && anchorMs !== undefined) {
      const finishMs = Date.parse(String(record.finish_time));
      const endMs = Number.isFinite(finishMs) ? finishMs : (lastEpochMs ?? anchorMs);
      Object.assign(record, accountFields(accountSamples(takenAtMs, anchorMs, intervalMs, endMs)));
    }
    return { record, total, finished: true };
  }
  const record = {
    ...header.record,
    telemetry: samples,
    run_durations: [],
  } as unknown as BenchRecord;
  if (total !== samples.length) record.telemetry_samples_total = total;
  if (typeof record.start_time !== 'string') {
    record.start_time = formatTimestamp(header.anchor_epoch_ms ?? lastEpochMs ?? Date.now(), tz);
  }
  record.finish_time =
    lastEpochMs === undefined ? record.start_time : formatTimestamp(lastEpochMs, tz);
  // Due up to the last sign of life: the last sample.
  if (anchorMs !== undefined) {
    const endMs = lastEpochMs ?? anchorMs;
    Object.assign(record, accountFields(accountSamples(takenAtMs, anchorMs, intervalMs, endMs)));
  }
  record.interrupted = true;
  return { record, total, finished: false };
}

interface JournalLine {
  type?: string;
  epoch_ms?: number;
  sample?: Record<string, unknown>;
  record?: Record<string, unknown> | null;
  /** CLI journals: the timed iteration a sample or an iteration line belongs to. */
  iteration?: number;
  index?: number;
  duration_s?: number;
  returncode?: number | null;
}

// A CLI run's journal (src/cli/_run-journal.ts): samples carry their iteration and each finished
// iteration has a line with its duration and return code, so the record gets one list of samples
// per started iteration, and parallel run_durations and returncode (null for the iteration the
// kill cut short, whose duration runs to its last sample).
class CliIterations {
  used = false;
  readonly #samples: Record<string, unknown>[][] = [];
  readonly #takenAtMs: number[][] = [];
  readonly #finished: { durationS: number; returncode: number | null }[] = [];
  readonly #startEpochMs: number[] = [];
  #started = 0;

  addSample(iteration: number, epochMs: number, sample: Record<string, unknown>): void {
    if (!Number.isSafeInteger(iteration) || iteration < 0) return;
    this.used = true;
    const list = this.#samples[iteration] ?? [];
    list.push(sample);
    this.#samples[iteration] = list;
    const taken = this.#takenAtMs[iteration] ?? [];
    taken.push(epochMs);
    this.#takenAtMs[iteration] = taken;
  }

  // `{index, epoch_ms}` when an iteration starts; `{index, duration_s, returncode}` when it ends.
  addIteration(line: JournalLine): void {
    const { index, duration_s: durationS } = line;
    if (!Number.isSafeInteger(index) || index! < 0) return;
    this.used = true;
    this.#started = Math.max(this.#started, index! + 1);
    if (typeof line.epoch_ms === 'number') this.#startEpochMs[index!] = line.epoch_ms;
    if (typeof durationS === 'number') {
      this.#finished[index!] = { durationS, returncode: line.returncode ?? null };
    }
  }

  buildRecord(
    header: JournalHeader,
    end: Record<string, unknown> | undefined,
    lastEpochMs: number | undefined,
    tz: Timezone,
  ): { record: BenchRecord; total: number; finished: boolean } {
    const total = this.#samples.reduce((n, list) => n + (list?.length ?? 0), 0);
    if (end) return { record: end as unknown as BenchRecord, total, finished: true };
    const started = Math.max(this.#started, this.#samples.length, this.#finished.length);
    const telemetry: Record<string, unknown>[][] = [];
    const durations: (number | null)[] = [];
    const returncodes: (number | null)[] = [];
    const accounts: SampleAccount[] = [];
    for (let i = 0; i < started; i++) {
      const samples = this.#samples[i] ?? [];
      telemetry.push(samples);
      const done = this.#finished[i];
      // The iteration the kill cut short ran at least from its start to its last sample
      // (unknown without a sample).
      const startMs = this.#startEpochMs[i];
      const lastMs = this.#takenAtMs[i]?.at(-1);
      const spanS =
        startMs !== undefined && lastMs !== undefined ? Math.max(0, lastMs - startMs) / 1000 : null;
      durations.push(done ? done.durationS : spanS);
      returncodes.push(done ? done.returncode : null);
      // Due from the iteration's start to its end, or (cut short) to its last sample.
      const takenAtMs = this.#takenAtMs[i] ?? [];
      const anchorMs = startMs ?? takenAtMs[0] ?? 0;
      const endMs =
        done && startMs !== undefined ? startMs + done.durationS * 1000 : (lastMs ?? anchorMs);
      accounts.push(accountSamples(takenAtMs, anchorMs, header.interval_ms ?? 0, endMs));
    }
    const partial = header.record as Record<string, unknown> | undefined;
    const record = {
      ...partial,
      run_durations: durations,
      returncode: returncodes,
      ...(partial &&
        'telemetry' in partial && {
          telemetry,
          // One entry per iteration, as the live CLI record has them.
          ...accountListFields(accounts),
        }),
    } as unknown as BenchRecord;
    record.finish_time =
      lastEpochMs === undefined ? record.start_time : formatTimestamp(lastEpochMs, tz);
    record.interrupted = true;
    return { record, total, finished: false };
  }
}

// The journal's timezone, or UTC when it names none this Node knows.
function safeTimezone(name: string | undefined): Timezone {
  try {
    return resolveTimezone(name ?? 'UTC');
  } catch {
    return resolveTimezone('UTC');
  }
}

// What identifies a record, in either layout: its process's run id, its function, its start time.
function recordKey(record: Record<string, unknown>): string {
  const flat = toFlatRecord(record);
  return JSON.stringify([flat.mb_run_id, flat.function_name, flat.start_time]);
}

// The layout a journal's header names; journals from before layouts are v1.
function toRecordFormat(value: unknown): 'v1' | 'v2' {
  return value === 'v2' ? 'v2' : 'v1';
}

// Does the outfile already hold this record (same run, function and start)?
function isInOutfile(outfile: string, record: BenchRecord, context: RecoverContext): boolean {
  let keys = context.written.get(outfile);
  if (!keys) {
    keys = new Set();
    context.written.set(outfile, keys);
    // Streamed line by line: memory grows with the number of records, not the file's size.
    if (existsSync(outfile)) {
      for (const { value } of readJsonLinesSync(outfile)) keys.add(recordKey(value));
    }
  }
  return keys.has(recordKey(record));
}

// Delete a journal with nothing to recover (kept under dryRun) and say why.
function discard(path: string, reason: string, context: RecoverContext): void {
  if (!context.dryRun) {
    try {
      unlinkSync(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      context.result.errors.push({ journal: path, message: (error as Error).message });
      return;
    }
  }
  context.result.discarded.push({ journal: path, reason });
}

// Was the file modified within the last `ms` milliseconds?
function isRecent(path: string, ms: number): boolean {
  try {
    return Date.now() - statSync(path).mtimeMs < ms;
  } catch {
    return false;
  }
}

// Journal folders for the given outfiles, or every folder of this user under
// ./.microbench-journal/ (and the legacy per-outfile folders); other users' folders are noted.
function journalDirs(outfiles: readonly string[] | undefined, skipped: JournalNote[]): string[] {
  if (outfiles && outfiles.length > 0) {
    return outfiles.flatMap((outfile) => [journalDirFor(outfile), legacyJournalDirFor(outfile)]);
  }
  const root = resolve(JOURNAL_DIR_NAME);
  if (!existsSync(root)) return [];
  const own = userDirName();
  const dirs: string[] = [];
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    const path = join(root, entry.name);
    if (entry.name === own) {
      if (folderUntrusted(path) !== undefined) {
        dirs.push(path); // reported as skipped, with why, by the caller
        continue;
      }
      for (const sub of readdirSync(path, { withFileTypes: true })) dirs.push(join(path, sub.name));
    } else if (/^user-(\d+|any)$/.test(entry.name)) {
      skipped.push({
        journal: path,
        reason: `another user's journals (${entry.name}); that user recovers them`,
      });
    } else if (entry.isDirectory() || entry.isSymbolicLink()) {
      dirs.push(path); // the layout before per-user folders
    }
  }
  return dirs;
}

// Alive = the pid exists and, where known, started at the recorded time (not a reused pid).
function isProcessAlive(pid: number, startTime: number | null): boolean {
  if (!pidExists(pid)) return false;
  if (startTime === null) return true;
  let info: ProcessInfo | undefined;
  try {
    info = new ProcessInfo(pid);
    return info.startTime() === startTime;
  } catch {
    // Gone in between, or its /proc entry is hidden from us (hidepid): then assume it runs.
    return pidExists(pid);
  } finally {
    info?.close();
  }
}

// Does a process with this pid exist (EPERM: yes, another user's)? A zombie does not: it has
// died and only waits for its parent to collect its exit status.
function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
  return !isZombie(pid);
}

// /proc/<pid>/stat's state field (after the parenthesised command name) is `Z`.
function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return stat.charAt(stat.lastIndexOf(')') + 2) === 'Z';
  } catch {
    return false;
  }
}

// Remove the outfile's journal folder, the user folder and `.microbench-journal/` once empty.
function removeIfEmpty(dir: string): void {
  try {
    rmdirSync(dir);
    rmdirSync(dirname(dir));
    if (basename(dirname(dir)) === userDirName()) rmdirSync(dirname(dirname(dir)));
  } catch {
    // Not empty, or already gone.
  }
}
