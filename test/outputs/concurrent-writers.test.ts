import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  REDIS_SKIP_REASON,
  startRedisServer,
  type TestRedisServer,
} from '../helpers/redis-server.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/output-writer-process.ts', import.meta.url));
const WRITERS = 8;
const RECORDS = 100;

// Run one writer process; rejects on a non-zero exit or after 60 s.
function runWriter(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, 'multi', ...args], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`writer ${args[3]} exited with ${code ?? signal}: ${stderr}`));
    });
  });
}

describe('8 processes writing to one file and one Redis list at once', {
  skip: REDIS_SKIP_REASON,
}, () => {
  let redis: TestRedisServer;
  let dir: string;
  before(async () => {
    redis = await startRedisServer();
    dir = mkdtempSync(join(tmpdir(), 'mb-writers-'));
  });
  after(async () => {
    await redis?.dispose();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('every record arrives exactly once in both, and every file line parses', async () => {
    const path = join(dir, 'shared.jsonl');
    await Promise.all(
      Array.from({ length: WRITERS }, (_, writer) =>
        runWriter([path, String(redis.port), 'shared', String(writer), String(RECORDS)]),
      ),
    );
    const expected = Array.from(
      { length: WRITERS * RECORDS },
      (_, i) => `${Math.floor(i / RECORDS)}:${i % RECORDS}`,
    ).sort();
    const idOf = (r: { writer: number; index: number }) => `${r.writer}:${r.index}`;

    const lines = readFileSync(path, 'utf8').split('\n');
    assert.equal(lines.pop(), '', 'the file ends with a newline');
    const fromFile = lines.map((line, n) => {
      try {
        return JSON.parse(line) as { writer: number; index: number };
      } catch {
        throw new Error(`line ${n + 1} is not JSON (torn or interleaved): ${line.slice(0, 120)}`);
      }
    });
    assert.deepEqual(fromFile.map(idOf).sort(), expected);

    const entries = (await redis.command('LRANGE', 'shared', '0', '-1')) as string[];
    const fromRedis = entries.map(
      (entry) => JSON.parse(entry) as { writer: number; index: number },
    );
    assert.deepEqual(fromRedis.map(idOf).sort(), expected);

    // Each process's records keep their order in the list.
    for (let writer = 0; writer < WRITERS; writer++) {
      const order = fromRedis.filter((r) => r.writer === writer).map((r) => r.index);
      assert.deepEqual(
        order,
        Array.from({ length: RECORDS }, (_, i) => i),
      );
    }
  });
});
