import assert from 'node:assert/strict';
import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { after, test } from 'node:test';
import { fixturePath } from '../helpers/node-child.js';
import { watchWarnings } from '../helpers/warnings.js';

watchWarnings();

const WRITERS = 8;
const RECORDS = 500;

const dir = mkdtempSync(join(tmpdir(), 'mb-writers-'));
const children: ChildProcessByStdio<Writable, Readable, Readable>[] = [];
after(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

// Start one writer process (`fixture` with `args`); `ready` resolves once it has printed "ready".
function startWriter(fixture: string, args: readonly string[], writer: number) {
  const child = spawn(process.execPath, ['--import', 'tsx', fixturePath(fixture), ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  children.push(child);
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<void>((resolve, reject) => {
    child.on('close', (code, signal) => {
      if (code === 0 && stderr === '') resolve();
      else reject(new Error(`writer ${writer} exited with ${code ?? signal}: ${stderr}`));
    });
  });
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      if (chunk.includes('ready')) resolve();
    });
    exited.catch(reject);
  });
  return { child, ready, exited };
}

test(`${WRITERS} processes × ${RECORDS} records to one outfile: every line intact`, async () => {
  const outfile = join(dir, 'shared.jsonl');
  const writers = Array.from({ length: WRITERS }, (_, writer) =>
    startWriter('file-writer-process.ts', [outfile, String(writer), String(RECORDS)], writer),
  );
  await Promise.all(writers.map((w) => w.ready));
  for (const { child } of writers) child.stdin.end('go\n');
  await Promise.all(writers.map((w) => w.exited));

  const text = readFileSync(outfile, 'utf8');
  assert.ok(text.endsWith('\n'));
  const lines = text.slice(0, -1).split('\n');
  assert.equal(lines.length, WRITERS * RECORDS);
  const perWriter = new Map<number, number>();
  const runIds = new Map<number, Set<string>>();
  for (const [n, line] of lines.entries()) {
    let record: { writer: number; padding: string; mb_run_id: string; run_durations: number[] };
    try {
      record = JSON.parse(line);
    } catch {
      throw new Error(`line ${n + 1} is torn or interleaved: ${line.slice(0, 100)}…`);
    }
    assert.equal(record.padding, String(record.writer).repeat(1024), `line ${n + 1} is whole`);
    assert.equal(record.run_durations.length, 1);
    perWriter.set(record.writer, (perWriter.get(record.writer) ?? 0) + 1);
    const ids = runIds.get(record.writer) ?? new Set();
    ids.add(record.mb_run_id);
    runIds.set(record.writer, ids);
  }
  assert.deepEqual(
    [...perWriter.entries()].sort((a, b) => a[0] - b[0]),
    Array.from({ length: WRITERS }, (_, writer) => [writer, RECORDS]),
  );
  const allIds = new Set([...runIds.values()].map((ids) => [...ids].join()));
  assert.equal(allIds.size, WRITERS, 'one mb_run_id per process, different between processes');
});

test('processes that start on a new outfile at the same instant lose none of their first records', async () => {
  // The check that the outfile can be written used to create the file and remove it again: a
  // record another process appended in between was removed with it (2–3 of 400 here).
  const WRITERS_AT_ONCE = 4;
  const ROUNDS = 100;
  const folder = join(dir, 'first-writes');
  mkdirSync(folder);
  const writers = Array.from({ length: WRITERS_AT_ONCE }, (_, writer) =>
    startWriter('file-first-write-process.ts', [folder, String(writer), String(ROUNDS)], writer),
  );
  await Promise.all(writers.map((w) => w.ready));
  const epoch = Date.now() + 200;
  for (const { child } of writers) child.stdin.end(`go ${epoch}\n`);
  await Promise.all(writers.map((w) => w.exited));

  const lost: string[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const path = join(folder, `round-${round}.jsonl`);
    const got = existsSync(path)
      ? readFileSync(path, 'utf8')
          .trim()
          .split('\n')
          .map((line) => JSON.parse(line).writer as number)
      : [];
    for (let writer = 0; writer < WRITERS_AT_ONCE; writer++) {
      if (!got.includes(writer)) lost.push(`round ${round} writer ${writer}`);
    }
  }
  assert.deepEqual(lost, [], `${lost.length} of ${WRITERS_AT_ONCE * ROUNDS} records lost`);
});
