import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { OptionError } from '../../src/errors.js';
import { redisOutput, resolveRedisOutputOptions } from '../../src/outputs/redis.js';
import type { BenchRecord } from '../../src/record/record.js';
import {
  HAS_OPENSSL,
  REDIS_SKIP_REASON,
  startRedisServer,
  type TestRedisServer,
} from '../helpers/redis-server.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/output-writer-process.ts', import.meta.url));

// A record with a unique id, and its JSON line.
function record(id: string): [BenchRecord, () => string] {
  const r = { function_name: 'redis-test', id } as unknown as BenchRecord;
  return [r, () => JSON.stringify(r)];
}

// The ids stored in a Redis list, read with a raw command (not through the output).
async function storedIds(server: TestRedisServer, key: string): Promise<string[]> {
  const entries = (await server.command('LRANGE', key, '0', '-1')) as string[];
  return entries.map((entry) => (JSON.parse(entry) as { id: string }).id);
}

// A port on which nothing listens.
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

describe('redisOutput options', () => {
  test('defaults match microbench (localhost:6379, db 0) and a 30 s retry window', () => {
    const o = resolveRedisOutputOptions('results');
    assert.equal(o.host, 'localhost');
    assert.equal(o.port, 6379);
    assert.equal(o.db, 0);
    assert.equal(o.tls, false);
    assert.equal(o.retryWindowMs, 30_000);
    assert.equal(o.exactlyOnce, true);
  });

  test('a redis:// or rediss:// URL gives host, port, db, user, password and TLS', () => {
    const o = resolveRedisOutputOptions('k', { url: 'rediss://bob:s%40cret@cache.example:6380/3' });
    assert.deepEqual(
      [o.host, o.port, o.db, o.username, o.password, o.tls],
      ['cache.example', 6380, 3, 'bob', 's@cret', true],
    );
    const overridden = resolveRedisOutputOptions('k', { url: 'redis://a:1/2', port: 7000, db: 5 });
    assert.deepEqual([overridden.host, overridden.port, overridden.db], ['a', 7000, 5]);
  });

  test('bad options are OptionErrors naming the option, and never print the password', () => {
    assert.throws(
      () => redisOutput(''),
      (e: Error) => e instanceof OptionError && /list key/.test(e.message),
    );
    assert.throws(
      () => redisOutput('k', { port: 70000 }),
      /`port` to be an integer from 1 to 65535, got 70000/,
    );
    assert.throws(() => redisOutput('k', { db: -1 }), /`db` to be a database number/);
    assert.throws(() => redisOutput('k', { retryWindowMs: Number.NaN }), /`retryWindowMs`/);
    assert.throws(() => redisOutput('k', { url: 'http://x' }), /redis:\/\/ or rediss:\/\//);
    assert.throws(() => redisOutput('k', { url: 'redis://h/x' }), /database number such as \/0/);
    assert.throws(
      () => redisOutput('k', { url: 'redis://u:hunter2@ bad' }),
      (e: Error) => /redis:\/\//.test(e.message) && !e.message.includes('hunter2'),
    );
  });

  test('the output is named redis:KEY; close() without writes is fine', async () => {
    const output = redisOutput('results', { port: await closedPort(), retryWindowMs: 0 });
    assert.equal(output.name, 'redis:results');
    assert.equal(output.key, 'results');
    await output.close();
  });
});

describe('redisOutput against a real redis-server', { skip: REDIS_SKIP_REASON }, () => {
  let server: TestRedisServer;
  before(async () => {
    server = await startRedisServer();
  });
  after(async () => {
    await server?.dispose();
  });

  test('RPUSHes every record as one JSON string, in order, and getResults() reads them back', async () => {
    const output = redisOutput('delivery', { host: '127.0.0.1', port: server.port });
    const writes = [];
    for (let i = 0; i < 250; i++) writes.push(output.write(...record(`r${i}`)));
    await Promise.all(writes);
    const ids = await storedIds(server, 'delivery');
    assert.deepEqual(
      ids,
      Array.from({ length: 250 }, (_, i) => `r${i}`),
    );
    const results = await output.getResults();
    assert.equal(results.length, 250);
    assert.equal(results[7]?.id, 'r7');
    await output.close();
  });

  test('the ack key of exactlyOnce expires: after a day, or an hour past a longer retry window', async () => {
    const cases = [
      { key: 'ack-ttl-default', options: {}, ttlS: 24 * 60 * 60 },
      { key: 'ack-ttl-long', options: { retryWindowMs: 200_000_000 }, ttlS: 200_000 + 3600 },
    ];
    for (const { key, options, ttlS } of cases) {
      const output = redisOutput(key, { host: '127.0.0.1', port: server.port, ...options });
      await output.write(...record('acked'));
      const ackKeys = (await server.command('KEYS', `${key}:mb-ack:*`)) as string[];
      assert.equal(ackKeys.length, 1, `one ack key for ${key}`);
      const ttl = Number(await server.command('TTL', ackKeys[0]!));
      // TTL -1 would mean no expiry: ack keys would pile up in the server forever.
      assert.ok(ttl <= ttlS && ttl >= ttlS - 60, `${key}: TTL ${ttl} s, expected about ${ttlS} s`);
      await output.close();
    }
    const plain = redisOutput('ack-ttl-off', {
      host: '127.0.0.1',
      port: server.port,
      exactlyOnce: false,
    });
    await plain.write(...record('no-ack'));
    assert.deepEqual(
      await server.command('KEYS', 'ack-ttl-off:mb-ack:*'),
      [],
      'no ack key without exactlyOnce',
    );
    await plain.close();
  });

  test('url, db and password reach the server (SELECT and AUTH)', async () => {
    await server.command('CONFIG', 'SET', 'requirepass', 'pa ss');
    try {
      const output = redisOutput('auth', { url: `redis://:pa%20ss@127.0.0.1:${server.port}/4` });
      await output.write(...record('a1'));
      await output.close();
      const wrong = redisOutput('auth', {
        host: '127.0.0.1',
        port: server.port,
        password: 'nope',
        retryWindowMs: 5000,
      });
      // Authentication failures are not retried for the whole window.
      await assert.rejects(wrong.write(...record('a2')), /Redis refused the records: WRONGPASS/);
      await wrong.close();
    } finally {
      const admin = redisOutput('auth', {
        host: '127.0.0.1',
        port: server.port,
        password: 'pa ss',
        db: 4,
      });
      assert.deepEqual(
        (await admin.getResults()).map((r) => r.id),
        ['a1'],
      );
      await admin.close();
      await redisCommandWithAuth(server.port, 'pa ss', ['CONFIG', 'SET', 'requirepass', '']);
    }
  });

  test('a wrong-type key fails at once with the server message (no retries)', async () => {
    await server.command('SET', 'not-a-list', 'x');
    const output = redisOutput('not-a-list', { host: '127.0.0.1', port: server.port });
    await assert.rejects(output.write(...record('w')), /Redis refused the records: .*WRONGTYPE/);
    await output.close();
  });

  test('Redis stopped mid-run and restarted within the window: every record arrives exactly once', async () => {
    const output = redisOutput('restart', {
      host: '127.0.0.1',
      port: server.port,
      retryWindowMs: 20_000,
    });
    const writes: Promise<void>[] = [];
    for (let i = 0; i < 30; i++) writes.push(output.write(...record(`s${i}`)));
    await Promise.all(writes.slice(0, 10));
    await server.stop({ save: true });
    for (let i = 30; i < 60; i++) writes.push(output.write(...record(`s${i}`)));
    await new Promise((resolve) => setTimeout(resolve, 300));
    await server.restart();
    for (let i = 60; i < 80; i++) writes.push(output.write(...record(`s${i}`)));
    await Promise.all(writes);
    const ids = await storedIds(server, 'restart');
    assert.deepEqual([...ids].sort(), Array.from({ length: 80 }, (_, i) => `s${i}`).sort());
    assert.equal(new Set(ids).size, ids.length, 'no duplicates');
    await output.close();
  });

  test('a reply lost after RPUSH ran is not pushed again (exactlyOnce), but is with exactlyOnce: false', async () => {
    const proxy = await startCuttingProxy(server.port);
    try {
      for (const exactlyOnce of [true, false]) {
        const key = `ambiguous-${exactlyOnce}`;
        const output = redisOutput(key, { host: '127.0.0.1', port: proxy.port, exactlyOnce });
        await output.write(...record('warm-up'));
        proxy.cutAfterNextPush();
        const pending = output.write(...record('once'));
        await proxy.cut;
        // The server applied the push; the client never saw the reply.
        assert.deepEqual(await storedIds(server, key), ['warm-up', 'once']);
        proxy.reopen();
        await pending;
        const ids = await storedIds(server, key);
        assert.deepEqual(ids, exactlyOnce ? ['warm-up', 'once'] : ['warm-up', 'once', 'once']);
        await output.close();
      }
    } finally {
      await proxy.close();
    }
  });

  test('Redis down for longer than retryWindowMs: the write rejects and says why', async () => {
    const output = redisOutput('down', {
      host: '127.0.0.1',
      port: await closedPort(),
      retryWindowMs: 300,
    });
    const started = Date.now();
    await assert.rejects(output.write(...record('lost')), (e: Error) =>
      /Redis at 127\.0\.0\.1:\d+ did not take the records within retryWindowMs \(300 ms, \d+ attempts?\): .*ECONNREFUSED/.test(
        e.message,
      ),
    );
    assert.ok(Date.now() - started < 5000, 'bounded by the window');
    await output.flush();
    await output.close();
  });

  test('a process that never calls close() still exits once its records are stored; redis loads lazily', async () => {
    const { code, stdout } = await runFixture(['no-close', String(server.port), 'no-close', '20']);
    assert.equal(code, 0);
    assert.deepEqual(JSON.parse(stdout), { loadedBefore: false, loadedAfter: true });
    assert.equal((await storedIds(server, 'no-close')).length, 20);
  });

  test('a process that exits with a record still pending warns on stderr, naming the output', async () => {
    const { code, stderr } = await runFixture([
      'exit-early',
      String(await closedPort()),
      'exit-early',
    ]);
    assert.equal(code, 0);
    assert.match(
      stderr,
      /exiting with records not delivered:\n {2}- redis:exit-early: 1 still in flight/,
    );
  });
});

describe('redisOutput over TLS', {
  skip:
    REDIS_SKIP_REASON ||
    (!HAS_OPENSSL && 'openssl is not installed (needed for a test certificate)'),
}, () => {
  let server: TestRedisServer;
  before(async () => {
    server = await startRedisServer({ tls: true });
  });
  after(async () => {
    await server?.dispose();
  });

  test('a rediss:// URL with the server CA delivers over TLS', async () => {
    const output = redisOutput('tls', {
      url: `rediss://127.0.0.1:${server.tlsPort}/0`,
      tls: { ca: server.ca! },
    });
    await output.write(...record('secure'));
    assert.deepEqual(await storedIds(server, 'tls'), ['secure']);
    await output.close();
  });

  test('an untrusted certificate is reported, not hidden', async () => {
    const output = redisOutput('tls', {
      url: `rediss://127.0.0.1:${server.tlsPort}`,
      retryWindowMs: 200,
    });
    await assert.rejects(
      output.write(...record('untrusted')),
      /within retryWindowMs .*self-signed certificate/,
    );
    await output.close();
  });
});

// Run the writer fixture with a time limit; resolves with its exit code and output.
function runFixture(
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`fixture ${args[0]} did not exit within 20 s; stderr: ${stderr}`));
    }, 20_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

// AUTH then one command, on one raw connection.
function redisCommandWithAuth(port: number, password: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    const encode = (parts: string[]) =>
      `*${parts.length}\r\n${parts.map((p) => `$${Buffer.byteLength(p)}\r\n${p}\r\n`).join('')}`;
    let replies = '';
    socket.on('error', reject);
    socket.on('connect', () => socket.write(encode(['AUTH', password]) + encode(args)));
    socket.on('data', (chunk) => {
      replies += chunk;
      if (replies.split('\r\n').length > 2) {
        socket.end();
        resolve();
      }
    });
  });
}

/**
 * A TCP proxy in front of Redis that, once armed, lets the next RPUSH through but cuts the
 * connection instead of forwarding the reply (the ambiguous failure: applied, never confirmed),
 * then refuses connections until reopened.
 */
async function startCuttingProxy(targetPort: number): Promise<{
  port: number;
  cutAfterNextPush(): void;
  cut: Promise<void>;
  reopen(): void;
  close(): Promise<void>;
}> {
  const sockets = new Set<Socket>();
  let armed = false;
  let closed = false;
  let markCut: () => void = () => undefined;
  const server: Server = createServer((client) => {
    if (closed) {
      client.destroy();
      return;
    }
    const upstream = createConnection({ host: '127.0.0.1', port: targetPort });
    sockets.add(client).add(upstream);
    let cutting = false;
    const destroyBoth = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', destroyBoth).on('close', destroyBoth);
    upstream.on('error', destroyBoth).on('close', destroyBoth);
    client.on('data', (chunk: Buffer) => {
      if (armed && chunk.includes('RPUSH')) {
        armed = false;
        cutting = true;
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (!cutting) {
        client.write(chunk);
        return;
      }
      // Swallow the reply; give Redis a moment to finish the transaction, then cut.
      closed = true;
      setTimeout(() => {
        destroyBoth();
        markCut();
      }, 30);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const proxy = {
    port: typeof address === 'object' && address ? address.port : 0,
    cut: Promise.resolve(),
    cutAfterNextPush() {
      armed = true;
      proxy.cut = new Promise<void>((resolve) => {
        markCut = resolve;
      });
    },
    reopen() {
      closed = false;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
  return proxy;
}
