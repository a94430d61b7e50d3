/**
 * The journal of finished records that wait for their initial telemetry sample.
 *
 * A call shorter than the sampler's reaction time ends before its initial sample has arrived
 * (a loop of tiny synchronous calls): its record is complete but undelivered, and the sampler
 * worker may lag far behind. So the main thread itself appends such a record, in one
 * `write(2)`, to a pending journal before the call returns; a kill at any later point loses
 * nothing that `recover` cannot bring back.
 *
 *   <journal dir>/<pid>-<first sid>-<epoch ms>-<random>.journal   (0600, created O_EXCL: journal.ts)
 *        header {kind: 'pending', pid, pid_start_time, hostname, timezone, outfile}
 *        record {sid, record}   one line per pending record (without its samples)
 *
 * Files are segments of SEGMENT_LINES lines. A full segment starts over (truncated back to its
 * header) at the first record that finds all of its records delivered; until then it takes
 * more, up to SEGMENT_MAX_LINES, and past that (a record that stays pending: a call whose
 * sample never comes) it is left for a fresh segment and deleted as soon as its last record
 * is delivered. A steady loop of short calls, which always has a few records in flight, costs
 * one file and a truncation every SEGMENT_LINES records or so, not a file per call. Delivered
 * records left in a segment are harmless: recovery skips records the outfile already holds.
 * Recovery appends each record not already in the outfile (see recover.ts).
 *
 * Benches that journal to the same folder, for the same outfile and timezone, share one pending
 * journal ({@link pendingJournalFor}): a program that makes a bench per task and never closes
 * them holds one open segment, not one per bench.
 */
import { closeSync, fstatSync, ftruncateSync, readFileSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { IntKeyTable } from '../_int-key-table.js';
import { createJournalFile, journalFileName, removeJournalFile } from './journal.js';

/** Lines per pending-journal segment, before it starts over once nothing in it is pending. */
const SEGMENT_LINES = 512;
/** Lines a segment holding pending records takes before it is left for a fresh one. */
const SEGMENT_MAX_LINES = 4 * SEGMENT_LINES;

// How often add() checks that the current segment's file still exists (one fstat): after this
// many records or this long, whichever comes first, as the outfile checks its path
// (outputs/_append-files.ts). Every pending record's JSON is kept until delivered, so a
// deleted file's records are all written again to the new segment when the check finds it gone;
// only a kill between the deletion and that check could lose them.
const GONE_CHECK_RECORDS = 256;
const GONE_CHECK_MS = 100;

interface Segment {
  readonly fd: number;
  readonly path: string;
  readonly headerBytes: number;
  lines: number;
  pending: number;
}

// A record still pending: its segment, and its JSON, to journal again should the file go. (The
// JSON, not the line: the caller keeps the JSON until the record is delivered, so a line kept
// here would be ~400 B more per record in flight, for V8's young-generation GC to copy.)
interface Pending {
  readonly segment: Segment;
  readonly json: string;
}

// A pending record's line in a segment.
function recordLine(sid: number, json: string): string {
  return `{"type":"record","sid":${sid},"record":${json}}\n`;
}

/**
 * The most slots the table of pending records grows to (the sampler's session slots,
 * protocol.ts: about the most calls in flight at once); keys that collide past it overflow.
 */
const PENDING_CAPACITY = 4096;

/** What a pending journal's header says besides the process (outfile, timezone). */
export interface PendingJournalHeader {
  readonly outfile: string | undefined;
  readonly timezone: string;
  /** The layout `recover` writes the records in. @default 'v1' */
  readonly recordFormat?: 'v1' | 'v2';
}

/** Pending records of one bench (one journal folder), journaled by the main thread. */
export class PendingJournal {
  readonly #dir: string;
  readonly #header: PendingJournalHeader;
  #current: Segment | undefined;
  // By sid (a table, not a Map: a Map churned at every call keeps records alive in V8's young
  // generation far too long, see _int-key-table.ts).
  readonly #pending = new IntKeyTable<Pending>(PENDING_CAPACITY);
  #failed = false;
  /** Records added since the current segment's file was last checked, and when that was. */
  #sinceCheck = 0;
  #checkedAtMs = 0;

  constructor(dir: string, header: PendingJournalHeader) {
    this.#dir = dir;
    this.#header = header;
  }

  /**
   * Journal the finished record of session `sid`, as JSON `encode()` gives it, until
   * {@link delivered}. Never throws (`encode` included): a journal that cannot be written is
   * reported once (through `onError`) and then skipped.
   */
  add(sid: number, encode: () => string, onError: (message: string) => void): void {
    if (this.#failed) return;
    try {
      let segment = this.#current;
      // A deleted file (its folder removed while we run) would take the records with it: move
      // what it holds pending to a fresh segment first (checked now and then: GONE_CHECK_*).
      if (segment !== undefined && this.#checkDue()) {
        if (isUnlinked(segment.fd)) segment = this.#replaceGone(segment, sid);
      }
      if (segment !== undefined && segment.lines >= SEGMENT_LINES) {
        if (segment.pending === 0) {
          // Every record in it is delivered: start it over.
          ftruncateSync(segment.fd, segment.headerBytes);
          segment.lines = 0;
        } else if (segment.lines >= SEGMENT_MAX_LINES) {
          // Left to be deleted once its last record is delivered. (Below the limit it takes
          // more: the few records in flight are delivered within a few calls, and a fresh file
          // per SEGMENT_LINES records cost ~3 % of a short call's time.)
          segment = undefined;
        }
      }
      if (segment === undefined) {
        segment = this.#open(sid);
        this.#current = segment;
        this.#sinceCheck = 0;
        this.#checkedAtMs = performance.now();
      }
      const json = encode();
      writeSync(segment.fd, recordLine(sid, json));
      segment.lines++;
      segment.pending++;
      this.#pending.set(sid, { segment, json });
      trackOpen(this);
    } catch (error) {
      this.#failed = true;
      onError((error as Error).message);
    }
  }

  // Is the current segment's file due a check? (Counts this record.)
  #checkDue(): boolean {
    if (++this.#sinceCheck < GONE_CHECK_RECORDS) {
      const now = performance.now();
      if (now - this.#checkedAtMs < GONE_CHECK_MS) return false;
      this.#checkedAtMs = now;
    } else {
      this.#checkedAtMs = performance.now();
    }
    this.#sinceCheck = 0;
    return true;
  }

  /** Check the current segment's file at the next {@link add} (a bench was made for it). */
  checkSoon(): void {
    this.#sinceCheck = GONE_CHECK_RECORDS;
  }

  // The segment's file is gone: a new segment holds again every record still pending in it
  // and in any other segment whose file went with it.
  #replaceGone(gone: Segment, sid: number): Segment {
    const fresh = this.#open(sid);
    this.#current = fresh;
    const pending = this.#pending.entries();
    const lost = new Set<Segment>([gone]);
    for (const [, { segment }] of pending) {
      if (!lost.has(segment) && isUnlinked(segment.fd)) lost.add(segment);
    }
    for (const [pendingSid, { segment, json }] of pending) {
      if (!lost.has(segment)) continue;
      writeSync(fresh.fd, recordLine(pendingSid, json));
      fresh.lines++;
      fresh.pending++;
      this.#pending.set(pendingSid, { segment: fresh, json });
    }
    for (const segment of lost) closeQuietly(segment.fd);
    return fresh;
  }

  /** The record of session `sid` reached the outputs: it needs no journal any more. */
  delivered(sid: number): void {
    const entry = this.#pending.get(sid);
    if (entry === undefined) return;
    this.#pending.delete(sid);
    const { segment } = entry;
    // The current segment stays (started over when full); a full one left behind goes.
    if (--segment.pending === 0 && segment !== this.#current) dropSegment(segment);
  }

  /** Delete the files whose records are all delivered (process exit). */
  closeDelivered(): void {
    const segment = this.#current;
    if (segment !== undefined && segment.pending === 0) {
      dropSegment(segment);
      this.#current = undefined;
    }
  }

  #open(firstSid: number): Segment {
    const now = Date.now();
    const { fd, path } = createJournalFile(this.#dir, journalFileName(firstSid, now));
    const header = `${JSON.stringify({
      type: 'header',
      kind: 'pending',
      format: 1,
      pid: process.pid,
      pid_start_time: ownStartTime(),
      hostname: hostname(),
      outfile: this.#header.outfile,
      timezone: this.#header.timezone,
      anchor_epoch_ms: now,
      record_format: this.#header.recordFormat ?? 'v1',
    })}\n`;
    writeSync(fd, header);
    return {
      fd,
      path,
      headerBytes: Buffer.byteLength(header),
      lines: 0,
      pending: 0,
    };
  }
}

const shared = new Map<string, PendingJournal>();

/**
 * The pending journal of `dir` for this outfile and timezone, shared by every bench of this
 * process that journals there.
 */
export function pendingJournalFor(dir: string, header: PendingJournalHeader): PendingJournal {
  const key = `${dir}\0${header.outfile ?? ''}\0${header.timezone}\0${header.recordFormat ?? 'v1'}`;
  let journal = shared.get(key);
  if (journal === undefined) {
    journal = new PendingJournal(dir, header);
    shared.set(key, journal);
  } else {
    // Its folder may have been deleted since the last bench: the next record checks the file.
    journal.checkSoon();
  }
  return journal;
}

function dropSegment(segment: Segment): void {
  // A segment whose file is gone already is only closed: its name may be someone else's now.
  const gone = isUnlinked(segment.fd);
  closeQuietly(segment.fd);
  if (!gone) removeJournalFile(segment.path);
}

// Is the file behind `fd` deleted (no name left in any folder)? A closed descriptor counts too.
function isUnlinked(fd: number): boolean {
  try {
    return fstatSync(fd).nlink === 0;
  } catch {
    return true;
  }
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // Closed already.
  }
}

// This process's start time in clock ticks (what `recover` compares to tell a reused pid).
let startTime: number | null | undefined;
function ownStartTime(): number | null {
  if (startTime !== undefined) return startTime;
  startTime = null;
  try {
    // /proc/self/stat: the 22nd field, counted after the parenthesised command name.
    const text = readFileSync('/proc/self/stat', 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[19]);
    if (Number.isFinite(ticks)) startTime = ticks;
  } catch {
    // Not Linux: recovery then trusts the pid alone.
  }
  return startTime;
}

// Journals with open files, so process exit deletes those that hold nothing pending.
const open = new Set<PendingJournal>();
let exitHookInstalled = false;

function trackOpen(journal: PendingJournal): void {
  open.add(journal);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const each of open) each.closeDelivered();
  });
}
