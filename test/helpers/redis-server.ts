/**
 * A real `redis-server` for tests: started as a child process on a free loopback port in a temp
 * directory, never a system service. `.ci/run` installs redis-server when it is missing; without
 * it the Redis tests are skipped with {@link REDIS_SKIP_REASON}.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Whether `redis-server` is on the PATH. */
export const HAS_REDIS_SERVER: boolean =
  spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;

/** Whether `openssl` is on the PATH (for the TLS test's certificate). */
export const HAS_OPENSSL: boolean =
  spawnSync('openssl', ['version'], { stdio: 'ignore' }).status === 0;

/** `false` when redis-server is installed, else why the Redis tests are skipped. */
export const REDIS_SKIP_REASON: string | false = HAS_REDIS_SERVER
  ? false
  : 'redis-server is not installed (.ci/run installs it: apt-get install -y redis-server)';

/** A running test Redis server. */
export interface TestRedisServer {
  readonly host: '127.0.0.1';
  readonly port: number;
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  /** With `{ tls: true }`: the TLS port (the plain `port` stays open for test commands). */
  readonly tlsPort: number | undefined;
  /** With `{ tls: true }`: the self-signed certificate (PEM) to trust. */
  readonly ca: string | undefined;
  /** Run one command and return its reply (strings, integers, arrays, null; errors throw). */
  command(...args: string[]): Promise<unknown>;
  /**
   * Stop the server. With `save`, a `SHUTDOWN SAVE` writes the data set to the temp directory
   * first, so {@link TestRedisServer.restart} brings it back (as a restart of a persistent
   * server would); otherwise the process is killed and the data is gone.
   */
  stop(options?: { save?: boolean }): Promise<void>;
  /** Start it again on the same port and directory. */
  restart(): Promise<void>;
  /** Stop it and delete its directory (use in `after()`). */
  dispose(): Promise<void>;
}

/**
 * Start a redis-server on a free 127.0.0.1 port and wait until it answers PING. With `tls`, a
 * self-signed certificate for 127.0.0.1 is made with `openssl` and a TLS port opened as well.
 */
export async function startRedisServer(options: { tls?: boolean } = {}): Promise<TestRedisServer> {
  const dir = mkdtempSync(join(tmpdir(), 'mb-redis-'));
  const tls = options.tls ? makeCertificate(dir) : undefined;
  let child: ChildProcess | undefined;
  let port = 0;
  let tlsPort: number | undefined;
  let lastError: unknown;
  for (let tries = 0; tries < 5 && child === undefined; tries++) {
    port = await freePort();
    tlsPort = tls ? await freePort() : undefined;
    const started = spawnRedis(dir, port, tlsPort);
    try {
      await waitForPing(port, started);
      child = started;
    } catch (error) {
      lastError = error;
      started.kill('SIGKILL');
    }
  }
  if (child === undefined) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`redis-server did not start: ${String(lastError)}`);
  }
  let current: ChildProcess | undefined = child;
  const server: TestRedisServer = {
    host: '127.0.0.1',
    port,
    url: `redis://127.0.0.1:${port}`,
    tlsPort,
    ca: tls ? readFileSync(join(dir, 'cert.pem'), 'utf8') : undefined,
    command: (...args) => redisCommand(port, args),
    async stop(options = {}) {
      const proc = current;
      current = undefined;
      if (!proc || proc.exitCode !== null) return;
      const exited = new Promise((resolve) => proc.once('exit', resolve));
      if (options.save) await redisCommand(port, ['SHUTDOWN', 'SAVE']).catch(() => undefined);
      else proc.kill('SIGKILL');
      await exited;
    },
    async restart() {
      if (current) return;
      const proc = spawnRedis(dir, port, tlsPort);
      await waitForPing(port, proc);
      current = proc;
    },
    async dispose() {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return server;
}

// Launch redis-server with no persistence of its own and no system config.
function spawnRedis(dir: string, port: number, tlsPort: number | undefined): ChildProcess {
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
  args.push('--dir', dir);
  if (tlsPort !== undefined) {
    args.push('--tls-port', String(tlsPort), '--tls-auth-clients', 'no');
    args.push('--tls-cert-file', 'cert.pem', '--tls-key-file', 'key.pem');
    args.push('--tls-ca-cert-file', 'cert.pem');
  }
  const child = spawn('redis-server', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr?.resume();
  return child;
}

// A self-signed certificate for 127.0.0.1 (cert.pem, key.pem in dir).
function makeCertificate(dir: string): true {
  const made = spawnSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      'key.pem',
      '-out',
      'cert.pem',
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ],
    { cwd: dir, stdio: 'ignore' },
  );
  if (made.status !== 0) throw new Error('openssl could not make a test certificate');
  return true;
}

// Poll with PING until the server answers (or the process exits, or 10 s pass).
async function waitForPing(port: number, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}`);
    try {
      if ((await redisCommand(port, ['PING'])) === 'PONG') return;
    } catch {
      // not up yet (or still loading)
    }
    if (Date.now() > deadline) throw new Error(`redis-server on port ${port} did not answer PING`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

// A port the OS just handed out (closed again; the tiny race is retried by the caller).
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** Send one command over a fresh connection and parse the RESP2 reply (independent of node-redis). */
export function redisCommand(port: number, args: readonly string[]): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let buffer = Buffer.alloc(0);
    socket.setTimeout(5000, () => socket.destroy(new Error('redis command timed out')));
    socket.on('error', reject);
    socket.on('connect', () => {
      const parts = [`*${args.length}\r\n`];
      for (const arg of args) parts.push(`$${Buffer.byteLength(arg)}\r\n${arg}\r\n`);
      socket.write(parts.join(''));
    });
    socket.on('data', (chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      const parsed = parseReply(buffer, 0);
      if (!parsed) return;
      socket.end();
      if (parsed.value instanceof Error) reject(parsed.value);
      else resolve(parsed.value);
    });
    socket.on('close', () => reject(new Error('connection closed before a full reply')));
  });
}

// Parse one RESP2 value at `at`; undefined when the buffer is incomplete.
function parseReply(buffer: Buffer, at: number): { value: unknown; end: number } | undefined {
  const lineEnd = buffer.indexOf('\r\n', at);
  if (lineEnd < 0) return undefined;
  const type = String.fromCharCode(buffer[at]!);
  const line = buffer.toString('utf8', at + 1, lineEnd);
  const next = lineEnd + 2;
  switch (type) {
    case '+':
      return { value: line, end: next };
    case '-':
      return { value: new Error(line), end: next };
    case ':':
      return { value: Number(line), end: next };
    case '$': {
      const length = Number(line);
      if (length < 0) return { value: null, end: next };
      if (buffer.length < next + length + 2) return undefined;
      return { value: buffer.toString('utf8', next, next + length), end: next + length + 2 };
    }
    case '*': {
      const count = Number(line);
      if (count < 0) return { value: null, end: next };
      const items: unknown[] = [];
      let end = next;
      for (let i = 0; i < count; i++) {
        const item = parseReply(buffer, end);
        if (!item) return undefined;
        items.push(item.value);
        end = item.end;
      }
      return { value: items, end };
    }
    default:
      return { value: new Error(`unexpected RESP type ${JSON.stringify(type)}`), end: next };
  }
}
