// What the file output pays per record to notice that its path no longer names its file
// (deleted, renamed, replaced): the stat(2) of the check against the write(2) it sits beside,
// and what checking every record would cost against the amortized check that ships.
import { closeSync, constants, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as AppendFiles from '../src/outputs/_append-files.js';
import type * as WriteLine from '../src/outputs/_write-line.js';
import { assertBuilt } from './_lib.js';
import type { BenchArgs, Check, Section } from './_report.js';
import { formatCount, formatUs, median, minimum, shuffled } from './_stats.js';

// A record line of a typical size (a small record with the default mixin's fields is ~600 B).
const LINE = JSON.stringify({ function_name: 'work', padding: 'x'.repeat(560) });

// Import the built internal modules, so the numbers are those of the shipped code.
async function loadInternals(): Promise<typeof AppendFiles & typeof WriteLine> {
  assertBuilt();
  const load = (file: string) => import(new URL(`../dist/outputs/${file}`, import.meta.url).href);
  return { ...(await load('_append-files.js')), ...(await load('_write-line.js')) };
}

// µs per iteration of `step` over `count` iterations.
function timePerCall(step: (i: number) => void, count: number): number {
  const start = performance.now();
  for (let i = 0; i < count; i++) step(i);
  return ((performance.now() - start) * 1000) / count;
}

/** Per-record cost of the file output's path check, as shipped and if done on every record. */
export async function measure(args: BenchArgs): Promise<Section> {
  const lib = await loadInternals();
  const dir = mkdtempSync(join(tmpdir(), 'mb-bench-file-'));
  try {
    const rawPath = join(dir, 'raw.jsonl');
    const fd = openSync(
      rawPath,
      constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT,
      0o644,
    );
    const shipped = lib.acquireAppendFile(join(dir, 'shipped.jsonl'), { mkdir: false });
    const everyRecord = lib.acquireAppendFile(join(dir, 'every.jsonl'), { mkdir: false });
    let sink = 0;
    const steps: Record<string, (i: number) => void> = {
      'write(2) of one line': () => {
        writeSync(fd, `${LINE}\n`);
      },
      'writeLine, no path check (the file output before; the floor)': () => {
        lib.writeLine(fd, `${LINE}\n`);
      },
      'stat(2) of the path (one check)': () => {
        sink += statSync(rawPath).ino;
      },
      'performance.now() (the clock read per record)': () => {
        sink += performance.now();
      },
      'append, as shipped (check every 100 ms / 256 records / 1 MiB)': () => {
        shipped.append(LINE);
      },
      'append, checking every record': () => {
        everyRecord.followPath();
        everyRecord.append(LINE);
      },
    };
    const labels = Object.keys(steps);
    const count = args.quick ? 5_000 : 20_000;
    const rounds = args.quick ? 4 : 11;
    const perCall = new Map<string, number[]>(labels.map((l) => [l, []]));
    for (let round = 0; round <= rounds; round++) {
      for (const label of shuffled(labels)) {
        const us = timePerCall(steps[label]!, count);
        if (round > 0) perCall.get(label)!.push(us);
      }
    }
    closeSync(fd);
    lib.releaseAppendFile(shipped);
    lib.releaseAppendFile(everyRecord);
    if (sink === -1) console.log(sink); // keep the measured reads alive
    const med = (label: string) => median(perCall.get(label)!);
    const floor = med(labels[1]!);
    const shippedCost = med(labels[4]!) - floor;
    const everyCost = med(labels[5]!) - floor;
    const rows = labels.map((label) => [
      label,
      formatUs(med(label)),
      formatUs(minimum(perCall.get(label)!)),
      label.startsWith('append') ? formatUs(med(label) - floor) : '—',
    ]);
    const checks: Check[] = [
      {
        target: 'path check of the file output, as shipped, ≤ 0.5 µs per record',
        measured: formatUs(shippedCost),
        pass: shippedCost <= 0.5,
        missNote:
          'The check is amortized (src/outputs/_append-files.ts): one stat(2) per 256 records at most, plus a clock read and a push per record. A miss on a loaded machine is mostly noise between two write(2) measurements: compare the best rounds.',
      },
    ];
    return {
      title: 'File output: following a deleted or rotated outfile',
      method: `Each step ${formatCount(count)} times per round, in the temporary folder, median and best of ${rounds} rounds after a warm-up round, steps interleaved in a random order. A ${LINE.length + 1}-byte line. "Above the floor" = the append's time − writeLine's (the same write(2) with no path check), i.e. what following the path costs.`,
      tables: [{ head: ['step', 'per record (median)', 'best round', 'above the floor'], rows }],
      checks,
      notes: [
        `Checking the path on every record would add ${formatUs(everyCost)} per record (a stat(2) of ${formatUs(med(labels[2]!))}): more than the 0.5 µs the check may cost beside a write, so the shipped output checks at most every 100 ms, 256 records or 1 MiB of records, whichever comes first, and on every flush() and close(). Lines a deleted file took since the last check are written again to the new file (docs/choices.md).`,
      ],
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
