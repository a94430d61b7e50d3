import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { MicroBench } from '../../src/bench/micro-bench.js';
import { OutputDeliveryError } from '../../src/errors.js';
import { OutputFanOut } from '../../src/outputs/fan-out.js';
import { fileOutput } from '../../src/outputs/file.js';
import { httpOutput } from '../../src/outputs/http.js';
import { memoryOutput } from '../../src/outputs/memory.js';
import { defineOutput } from '../../src/outputs/output.js';
import { redisOutput } from '../../src/outputs/redis.js';
import type { BenchRecord } from '../../src/record/record.js';
import { startHttpServer, type TestHttpServer } from '../helpers/http-server.js';
import {
  REDIS_SKIP_REASON,
  startRedisServer,
  type TestRedisServer,
} from '../helpers/redis-server.js';

// A record with a unique id, and its JSON line.
function record(id: string): [BenchRecord, () => string] {
  const r = { function_name: `f-${id}`, start_time: `t-${id}`, id } as unknown as BenchRecord;
  return [r, () => JSON.stringify(r)];
}

// Ids of the records in a JSON Lines file.
function fileIds(path: string): string[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => (JSON.parse(line) as { id: string }).id);
}

describe('several outputs at once (fan-out)', () => {
  let dir: string;
  let http: TestHttpServer;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mb-outputs-'));
    http = await startHttpServer();
  });
  after(async () => {
    await http?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('every output receives every record; JSON is encoded once for all of them', async () => {
    http.respond = () => ({ status: 204 });
    const memory = memoryOutput();
    const path = join(dir, 'all.jsonl');
    const fanOut = new OutputFanOut([memory, fileOutput(path), httpOutput(`${http.origin}/all`)]);
    let encodes = 0;
    for (let i = 0; i < 20; i++) {
      const [r, encode] = record(`all${i}`);
      fanOut.deliver(r, () => {
        encodes++;
        return encode();
      });
    }
    await fanOut.close();
    assert.equal(encodes, 20);
    const expected = Array.from({ length: 20 }, (_, i) => `all${i}`);
    assert.deepEqual(
      memory.records.map((r) => r.id),
      expected,
    );
    assert.deepEqual(fileIds(path), expected);
    assert.deepEqual(
      http
        .delivered()
        .map((r) => (r as { id: string }).id)
        .sort(),
      [...expected].sort(),
    );
  });

  test('a hanging sink never delays the others: deliver() returns at once', async () => {
    http.respond = () => ({ hang: true });
    const memory = memoryOutput();
    const warnings: string[] = [];
    const fanOut = new OutputFanOut(
      [httpOutput(`${http.origin}/hang`, { timeoutMs: 100, retries: 0 }), memory],
      { warn: (m) => warnings.push(m) },
    );
    fanOut.deliver(...record('h'));
    assert.equal(memory.records.length, 1, 'stored synchronously, before the HTTP request ends');
    assert.equal(fanOut.pendingCount, 1);
    await assert.rejects(fanOut.flush(), OutputDeliveryError);
    assert.match(warnings.join('\n'), /no complete response within timeoutMs \(100 ms\)/);
    await fanOut.close();
  });

  test('a sink that throws, rejects or fails flush() is reported; the others get every record', async () => {
    const warnings: string[] = [];
    const memory = memoryOutput();
    const throwing = defineOutput({
      name: 'throws',
      write() {
        throw new Error('disk on fire');
      },
    });
    let calls = 0;
    const flaky = defineOutput({
      name: 'flaky',
      write: async () => {
        if (calls++ % 2 === 0) throw new Error(`refused #${calls}`);
      },
    });
    const fanOut = new OutputFanOut([throwing, flaky, memory], { warn: (m) => warnings.push(m) });
    for (let i = 0; i < 4; i++) fanOut.deliver(...record(`x${i}`));
    assert.equal(memory.records.length, 4);
    const error = await fanOut.flush().then(
      () => assert.fail('flush() should reject'),
      (e: unknown) => e as OutputDeliveryError,
    );
    assert.ok(error instanceof OutputDeliveryError);
    assert.equal(error.code, 'ERR_MB_OUTPUT');
    assert.deepEqual(
      error.failures.map((f) => `${f.output} ${String(f.record.function_name)}`),
      ['throws f-x0', 'throws f-x1', 'throws f-x2', 'throws f-x3', 'flaky f-x0', 'flaky f-x2'],
    );
    assert.match(
      error.message,
      /6 record deliveries failed:\n {2}- throws: record f-x0 @ t-x0: disk on fire/,
    );
    assert.equal(warnings.length, 2, 'one warning per failing output');
    assert.match(warnings[0]!, /Output throws failed to deliver a record: disk on fire/);
    // Reported once: the next flush is clean.
    await fanOut.flush();
  });

  describe('with Redis', { skip: REDIS_SKIP_REASON }, () => {
    let redis: TestRedisServer;
    before(async () => {
      redis = await startRedisServer();
    });
    after(async () => {
      await redis?.dispose();
    });

    test('MicroBench({ outputs }) delivers to file, Redis and HTTP; getResults() reads the first readable one', async () => {
      http.respond = () => ({ status: 200 });
      http.requests.length = 0;
      const path = join(dir, 'bench.jsonl');
      const redisSink = redisOutput('bench', { host: '127.0.0.1', port: redis.port });
      const bench = new MicroBench({
        outputs: [fileOutput(path), redisSink, httpOutput(`${http.origin}/bench`)],
        fields: { experiment: 'several' },
      });
      const work = bench.wrap(function work(n: number) {
        return n + 1;
      });
      for (let i = 0; i < 5; i++) work(i);
      await bench.close();
      const fromFile = await bench.getResults();
      assert.equal(fromFile.length, 5);
      const fromRedis = await redisSink.getResults();
      assert.deepEqual(fromRedis, fromFile);
      // HTTP requests run concurrently, so they may arrive in any order.
      const byStart = (a: unknown, b: unknown) =>
        String((a as BenchRecord).start_time).localeCompare(String((b as BenchRecord).start_time));
      assert.deepEqual(http.delivered().sort(byStart), [...fromFile].sort(byStart));
      assert.equal(fromFile[0]?.experiment, 'several');
      await redisSink.close();
    });

    test('Redis down and HTTP failing: file and memory get everything, flush() lists what each lost', async () => {
      http.respond = () => ({ status: 500, body: 'database unavailable' });
      const path = join(dir, 'partial.jsonl');
      const memory = memoryOutput();
      await redis.stop();
      const warnings: string[] = [];
      const fanOut = new OutputFanOut(
        [
          fileOutput(path),
          redisOutput('partial', { host: '127.0.0.1', port: redis.port, retryWindowMs: 300 }),
          httpOutput(`${http.origin}/partial`, { backoffMs: 5, retries: 2 }),
          memory,
        ],
        { warn: (m) => warnings.push(m) },
      );
      for (let i = 0; i < 3; i++) fanOut.deliver(...record(`p${i}`));
      try {
        const error = await fanOut.close().then(
          () => assert.fail('close() should reject'),
          (e: unknown) => e as OutputDeliveryError,
        );
        assert.ok(error instanceof OutputDeliveryError);
        const lost = error.failures
          .map((f) => `${f.output} ${String(f.record.function_name)}`)
          .sort();
        assert.deepEqual(lost, [
          `${http.origin}/partial f-p0`,
          `${http.origin}/partial f-p1`,
          `${http.origin}/partial f-p2`,
          'redis:partial f-p0',
          'redis:partial f-p1',
          'redis:partial f-p2',
        ]);
        assert.match(error.message, /HTTP 500 Internal Server Error: database unavailable/);
        assert.match(
          error.message,
          /redis:partial: .*did not take the records within retryWindowMs/,
        );
        assert.deepEqual(fileIds(path), ['p0', 'p1', 'p2']);
        assert.equal(memory.records.length, 3);
        assert.equal(warnings.length, 2);
      } finally {
        await redis.restart();
      }
    });
  });
});
