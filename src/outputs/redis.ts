/**
 * Redis output: every record is `RPUSH`ed, as one JSON string, onto a list.
 *
 *   write() ──► queue ──► pump (one at a time) ──► MULTI; RPUSH key json…; SET ack seq; EXEC
 *                            │ connection lost / timeout / LOADING
 *                            ▼
 *                  back off (100 ms … 2 s, jitter) ──► reconnect ──► GET ack: applied already?
 *                            │ yes: done (no second RPUSH)   no: send the same batch again
 *                            ▼
 *                  record older than `retryWindowMs` ──► its write() rejects (the fan-out reports it)
 *
 * The client library (`redis`, node-redis) is an optional peer dependency of microbench-ts: it is
 * looked up when the output is created (a missing package is an error right there, naming
 * `npm install redis`) and imported on the first write, so programs that never use Redis never
 * load it, and installs that never use it do not carry it.
 */
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import type { ConnectionOptions } from 'node:tls';
import { OptionError } from '../errors.js';
import type { BenchRecord } from '../record/record.js';
import { asError } from './_as-error.js';
import type { Output } from './output.js';

/** Options of {@link redisOutput}. */
export interface RedisOutputOptions {
  /**
   * `redis[s]://[[username][:password]@][host][:port][/db]`; `rediss://` turns TLS on. Options
   * given next to it (`host`, `port`, `db`, `username`, `password`, `tls`) override its parts.
   */
  url?: string;
  /** @default 'localhost' */
  host?: string;
  /** @default 6379 */
  port?: number;
  /** Database number (`SELECT`). @default 0 */
  db?: number;
  /** ACL user name (Redis 6+). */
  username?: string;
  /** `AUTH` password. Never printed in errors or names. */
  password?: string;
  /** Connect over TLS: `true`, or Node `tls.connect()` options (CA, client certificate...). */
  tls?: boolean | ConnectionOptions;
  /** Give up one connection attempt after this long. @default 5000 */
  connectTimeoutMs?: number;
  /** Give up waiting for one reply after this long (the connection is then dropped and retried). @default 10000 */
  commandTimeoutMs?: number;
  /**
   * How long a record may wait for Redis (down, restarting, unreachable) before its delivery is
   * reported as failed. Retries back off from 100 ms to 2 s within it. @default 30000
   */
  retryWindowMs?: number;
  /**
   * Make retries after a dropped connection idempotent: each batch is pushed in a `MULTI`
   * transaction together with a small acknowledgement key (`<key>:mb-ack:<writer id>`, expires
   * after a day), which is checked before sending a batch again. Turn it off when an ACL allows
   * writing the list key only; retries are then at-least-once (a record can arrive twice when
   * the connection dies between Redis applying `RPUSH` and the reply arriving). @default true
   */
  exactlyOnce?: boolean;
}

/** Options of {@link redisOutput} after validation and defaults. */
export interface ResolvedRedisOutputOptions {
  readonly key: string;
  readonly host: string;
  readonly port: number;
  readonly db: number;
  readonly username: string | undefined;
  readonly password: string | undefined;
  readonly tls: boolean | ConnectionOptions;
  readonly connectTimeoutMs: number;
  readonly commandTimeoutMs: number;
  readonly retryWindowMs: number;
  readonly exactlyOnce: boolean;
}

/** A Redis list output. */
export interface RedisOutput extends Output {
  /** The list key records are pushed to. */
  readonly key: string;
  /** Queue the record; resolves once Redis has it, rejects once `retryWindowMs` has passed without it. */
  write(record: BenchRecord, encode: () => string): Promise<void>;
  /** Wait until every record written so far is stored or has failed. */
  flush(): Promise<void>;
  /** Flush, then close the connection. A later write connects again. */
  close(): Promise<void>;
  /** `LRANGE key 0 -1`, after a flush; entries that are not JSON objects are skipped with a warning. */
  getResults(): Promise<BenchRecord[]>;
}

/**
 * Create an output that appends each record's JSON to the Redis list `key` (`RPUSH`), the way
 * Python microbench's `RedisOutput` does, so either can read the other's results with
 * `LRANGE key 0 -1`.
 *
 * Delivery is asynchronous and batched (records queued while a push is in flight go in the next
 * one). A lost connection is retried with back-off for up to `retryWindowMs`; with `exactlyOnce`
 * (the default) a batch whose reply was lost is checked before it is sent again, so a Redis
 * restart does not duplicate records. The connection does not keep an idle process alive; while
 * records are pending it does (for at most `retryWindowMs`).
 */
export function redisOutput(key: string, options: RedisOutputOptions = {}): RedisOutput {
  const resolved = resolveRedisOutputOptions(key, options);
  assertRedisInstalled();
  const sink = new RedisSink(resolved);
  return {
    name: `redis:${resolved.key}`,
    key: resolved.key,
    write: (_record, encode) => sink.write(encode()),
    flush: () => sink.flush(),
    close: () => sink.close(),
    getResults: () => sink.getResults(),
  };
}

/** Validate {@link RedisOutputOptions} and apply defaults; throws `OptionError`. */
export function resolveRedisOutputOptions(
  key: string,
  options: RedisOutputOptions = {},
): ResolvedRedisOutputOptions {
  if (typeof key !== 'string' || key === '') {
    throw new OptionError(
      `Expected the Redis list key to be a non-empty string, got ${describe(key)}. Example: redisOutput('benchmarks')`,
    );
  }
  if (options === null || typeof options !== 'object') {
    throw new OptionError(
      `Expected redisOutput() options to be an object, got ${describe(options)}`,
    );
  }
  const fromUrl = options.url === undefined ? {} : parseRedisUrl(options.url);
  const host = options.host ?? fromUrl.host ?? 'localhost';
  if (typeof host !== 'string' || host === '') {
    throw new OptionError(
      `Expected Redis \`host\` to be a non-empty string, got ${describe(host)}`,
    );
  }
  const port = options.port ?? fromUrl.port ?? 6379;
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new OptionError(
      `Expected Redis \`port\` to be an integer from 1 to 65535, got ${describe(port)}`,
    );
  }
  const db = options.db ?? fromUrl.db ?? 0;
  if (!Number.isInteger(db) || db < 0) {
    throw new OptionError(
      `Expected Redis \`db\` to be a database number (integer >= 0), got ${describe(db)}`,
    );
  }
  for (const name of ['username', 'password'] as const) {
    const value = options[name];
    if (value !== undefined && typeof value !== 'string') {
      throw new OptionError(`Expected Redis \`${name}\` to be a string, got ${typeof value}`);
    }
  }
  const tls = options.tls ?? fromUrl.tls ?? false;
  if (typeof tls !== 'boolean' && (tls === null || typeof tls !== 'object')) {
    throw new OptionError(
      `Expected Redis \`tls\` to be true, false or tls.connect() options, got ${describe(tls)}`,
    );
  }
  return {
    key,
    host,
    port,
    db,
    username: options.username ?? fromUrl.username,
    password: options.password ?? fromUrl.password,
    tls,
    connectTimeoutMs: positiveMs('connectTimeoutMs', options.connectTimeoutMs, 5000),
    commandTimeoutMs: positiveMs('commandTimeoutMs', options.commandTimeoutMs, 10_000),
    retryWindowMs: positiveMs('retryWindowMs', options.retryWindowMs, 30_000, true),
    exactlyOnce: options.exactlyOnce ?? true,
  };
}

// internal ---------------------------------------------------------------------------------------

/** The parts of node-redis' client this output uses. */
interface RedisConnection {
  connect(): Promise<unknown>;
  sendCommand(args: string[]): Promise<unknown>;
  multi(): RedisTransaction;
  close(): Promise<void>;
  destroy(): void;
  unref(): void;
  on(event: 'error', listener: (error: Error) => void): unknown;
}

/** A node-redis `MULTI` builder. */
interface RedisTransaction {
  addCommand(args: string[]): RedisTransaction;
  exec(): Promise<unknown[]>;
}

/** What this output needs from the lazily imported `redis` module. */
interface RedisModule {
  createClient(options: Record<string, unknown>): RedisConnection;
  ErrorReply: new (...args: never[]) => Error;
}

/** One queued record. */
interface Pending {
  readonly seq: number;
  readonly json: string;
  readonly deadline: number;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

/** Records sent (or about to be sent) together in one transaction. */
interface Batch {
  items: Pending[];
  /** True once the batch may have reached Redis without us seeing the reply. */
  maybeApplied: boolean;
  lastError: Error | undefined;
  attempts: number;
}

const MAX_BATCH_RECORDS = 500;
const MAX_BATCH_BYTES = 4 * 1024 * 1024;
const ACK_TTL_S = 24 * 60 * 60;
/** Server replies that mean "not now, nothing was done": retried within the window. */
const TRANSIENT_REPLY = /^(?:LOADING|BUSY|TRYAGAIN|MASTERDOWN|READONLY|CLUSTERDOWN|OOM)\b/;

let redisModule: Promise<RedisModule> | undefined;

/** The `redis` package could not be imported (retrying will not help). */
class RedisPackageError extends Error {}

// What to tell someone whose install lacks the optional peer dependency.
const INSTALL_REDIS =
  'Install it next to microbench-ts (it is an optional peer dependency, not installed with it): npm install redis';

// Fail at construction, not on the first record, when `redis` cannot be found from here (where
// the import below will look for it: from this file, up through the node_modules folders).
function assertRedisInstalled(): void {
  try {
    createRequire(import.meta.url).resolve('redis');
  } catch (cause) {
    throw new OptionError(
      `redisOutput needs the "redis" package (node-redis 6), which is not installed. ${INSTALL_REDIS}`,
      { cause },
    );
  }
}

// Import node-redis on first use; a missing package becomes a clear error on the records.
function loadRedis(): Promise<RedisModule> {
  redisModule ??= import('redis').then(
    (mod) => mod as unknown as RedisModule,
    (cause: unknown) => {
      redisModule = undefined;
      throw new RedisPackageError(
        `redisOutput needs the "redis" package (node-redis 6), which could not be loaded: ${(cause as Error).message}. ${INSTALL_REDIS}`,
        { cause },
      );
    },
  );
  return redisModule;
}

/** The queue, the connection and the delivery loop behind one `redisOutput()`. */
class RedisSink {
  readonly #options: ResolvedRedisOutputOptions;
  readonly #ackKey: string;
  /** The ack must outlive any retry of the batch it acknowledges. */
  readonly #ackTtlS: number;
  readonly #queue: Pending[] = [];
  readonly #idleWaiters: (() => void)[] = [];
  #seq = 0;
  #pumping = false;
  #client: RedisConnection | undefined;
  #connecting: Promise<RedisConnection> | undefined;
  #module: RedisModule | undefined;
  #lastError: Error | undefined;

  constructor(options: ResolvedRedisOutputOptions) {
    this.#options = options;
    this.#ackKey = `${options.key}:mb-ack:${randomUUID()}`;
    this.#ackTtlS = Math.max(ACK_TTL_S, Math.ceil(options.retryWindowMs / 1000) + 3600);
  }

  write(json: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#queue.push({
        seq: ++this.#seq,
        json,
        deadline: Date.now() + this.#options.retryWindowMs,
        resolve,
        reject,
      });
      if (!this.#pumping) {
        this.#pumping = true;
        void this.#pump();
      }
    });
  }

  async flush(): Promise<void> {
    if (!this.#pumping) return;
    await new Promise<void>((resolve) => this.#idleWaiters.push(resolve));
  }

  async close(): Promise<void> {
    await this.flush();
    const client = this.#client;
    this.#client = undefined;
    if (client)
      await withTimeout(client.close(), this.#options.commandTimeoutMs).catch(() =>
        client.destroy(),
      );
  }

  async getResults(): Promise<BenchRecord[]> {
    await this.flush();
    let entries: unknown;
    try {
      const client = await this.#connect();
      entries = await this.#command(client, () =>
        client.sendCommand(['LRANGE', this.#options.key, '0', '-1']),
      );
    } catch (error) {
      const { host, port } = this.#options;
      throw new Error(
        `Cannot read records from Redis at ${host}:${port}: ${asError(error).message}`,
        {
          cause: error,
        },
      );
    }
    if (!Array.isArray(entries)) return [];
    const records: BenchRecord[] = [];
    let skipped = 0;
    for (const entry of entries) {
      try {
        const value: unknown = JSON.parse(String(entry));
        if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
          records.push(value as BenchRecord);
          continue;
        }
      } catch {
        // counted below
      }
      skipped++;
    }
    if (skipped > 0) {
      process.emitWarning(
        `Skipped ${skipped} entr${skipped === 1 ? 'y' : 'ies'} of Redis list ${JSON.stringify(this.#options.key)} that ${skipped === 1 ? 'is' : 'are'} not a JSON object`,
        { type: 'MicrobenchOutputWarning', code: 'MB_OUTPUT' },
      );
    }
    return records;
  }

  // Deliver queued records one batch at a time until the queue is empty.
  async #pump(): Promise<void> {
    let retrying: Batch | undefined;
    let failures = 0;
    try {
      while (retrying || this.#queue.length > 0) {
        const batch = retrying ?? {
          items: [],
          maybeApplied: false,
          lastError: undefined,
          attempts: 0,
        };
        retrying = undefined;
        if (!batch.maybeApplied) this.#fill(batch, failures > 0);
        if (batch.items.length === 0) continue;
        try {
          await this.#send(batch);
          for (const item of batch.items) item.resolve();
          failures = 0;
          continue;
        } catch (error) {
          batch.lastError = unwrapTransactionError(asError(error));
          this.#lastError = batch.lastError;
          batch.attempts++;
        }
        if (this.#isPermanent(batch.lastError)) {
          this.#fail(batch, `Redis refused the records: ${batch.lastError.message}`);
          continue;
        }
        const deadline = batch.items[0]!.deadline;
        const wait = Math.min(backoffDelayMs(failures++, 100, 2000), deadline - Date.now());
        if (wait <= 0) {
          this.#fail(batch, this.#timeoutMessage(batch));
          continue;
        }
        await new Promise((resolve) => setTimeout(resolve, wait));
        // A batch that may have arrived gets one more attempt, to find out.
        if (Date.now() >= deadline && !batch.maybeApplied) {
          this.#fail(batch, this.#timeoutMessage(batch));
          continue;
        }
        retrying = batch;
      }
    } finally {
      this.#pumping = false;
      for (const resolve of this.#idleWaiters.splice(0)) resolve();
    }
  }

  // Move queued records into a batch that has not been sent yet (bounded in count and bytes).
  // During an outage, records whose window has passed fail without an attempt (they were
  // never sent, so they are certainly not in Redis); otherwise each record gets one attempt.
  #fill(batch: Batch, outage: boolean): void {
    const now = Date.now();
    let bytes = batch.items.reduce((sum, item) => sum + item.json.length, 0);
    while (this.#queue.length > 0 && batch.items.length < MAX_BATCH_RECORDS) {
      const next = this.#queue[0]!;
      if (batch.items.length > 0 && bytes + next.json.length > MAX_BATCH_BYTES) break;
      this.#queue.shift();
      if (outage && next.deadline <= now) {
        next.reject(new Error(this.#timeoutMessage({ ...batch, lastError: this.#lastError })));
        continue;
      }
      batch.items.push(next);
      bytes += next.json.length;
    }
  }

  // One attempt: connect, check whether an earlier attempt got through, push the batch.
  async #send(batch: Batch): Promise<void> {
    const { key, exactlyOnce } = this.#options;
    const client = await this.#connect();
    const lastSeq = batch.items[batch.items.length - 1]!.seq;
    if (batch.maybeApplied && exactlyOnce) {
      const acked = await this.#command(client, () => client.sendCommand(['GET', this.#ackKey]));
      if (acked !== null && acked !== undefined && Number(acked) >= lastSeq) return;
      batch.maybeApplied = false;
    }
    const values = batch.items.map((item) => item.json);
    // From here on a failure leaves the outcome unknown; the next attempt checks the ack
    // first (even after an error reply: a transaction is cheap to verify, a guess is not).
    batch.maybeApplied = true;
    if (exactlyOnce) {
      const transaction = client
        .multi()
        .addCommand(['RPUSH', key, ...values])
        .addCommand(['SET', this.#ackKey, String(lastSeq), 'EX', String(this.#ackTtlS)]);
      await this.#command(client, () => transaction.exec());
    } else {
      await this.#command(client, () => client.sendCommand(['RPUSH', key, ...values]));
    }
  }

  // Run one command with a reply deadline; on a dead or silent connection drop it.
  async #command<T>(client: RedisConnection, run: () => Promise<T>): Promise<T> {
    try {
      return await withTimeout(run(), this.#options.commandTimeoutMs);
    } catch (error) {
      if (!this.#isReply(error)) this.#drop(client);
      throw error;
    }
  }

  // An error reply from the server (the connection itself is fine).
  #isReply(error: unknown): boolean {
    return this.#module !== undefined && error instanceof this.#module.ErrorReply;
  }

  // The connected client, creating one if needed (no automatic reconnection: the pump retries).
  #connect(): Promise<RedisConnection> {
    if (this.#client) return Promise.resolve(this.#client);
    this.#connecting ??= (async () => {
      const o = this.#options;
      const mod = await loadRedis();
      this.#module = mod;
      const socket: Record<string, unknown> = {
        host: o.host,
        port: o.port,
        connectTimeout: o.connectTimeoutMs,
        reconnectStrategy: false,
      };
      if (o.tls !== false) Object.assign(socket, o.tls === true ? {} : o.tls, { tls: true });
      const client = mod.createClient({
        socket,
        database: o.db,
        disableOfflineQueue: true,
        ...(o.username !== undefined ? { username: o.username } : {}),
        ...(o.password !== undefined ? { password: o.password } : {}),
      });
      // Without a listener node-redis' 'error' event would crash the process.
      client.on('error', () => this.#drop(client));
      // The socket never keeps the process alive: every wait on it (connect, reply, back-off)
      // has its own timer, which does while records are pending, and an idle process exits.
      client.unref();
      try {
        await withTimeout(client.connect(), o.connectTimeoutMs);
      } catch (error) {
        client.destroy();
        throw asError(error);
      }
      this.#client = client;
      return client;
    })().finally(() => {
      this.#connecting = undefined;
    });
    return this.#connecting;
  }

  // Forget a broken connection; the next attempt opens a new one.
  #drop(client: RedisConnection): void {
    if (this.#client === client) this.#client = undefined;
    try {
      client.destroy();
    } catch {
      // already gone
    }
  }

  // Errors that retrying cannot fix: refused commands, authentication, a missing package.
  #isPermanent(error: Error): boolean {
    if (error instanceof RedisPackageError) return true;
    return this.#isReply(error) && !TRANSIENT_REPLY.test(error.message);
  }

  #fail(batch: Batch, message: string): void {
    for (const item of batch.items) item.reject(new Error(message, { cause: batch.lastError }));
  }

  #timeoutMessage(batch: Batch): string {
    const o = this.#options;
    const where = `${o.host}:${o.port}`;
    const why = batch.lastError ? `: ${batch.lastError.message}` : '';
    const ambiguous =
      batch.maybeApplied && !this.#isReply(batch.lastError)
        ? ' The connection dropped after the records were sent, so Redis may hold them anyway.'
        : '';
    const tries =
      batch.attempts === 0
        ? 'not sent while it kept failing'
        : `${batch.attempts} attempt${batch.attempts === 1 ? '' : 's'}`;
    return `Redis at ${where} did not take the records within retryWindowMs (${o.retryWindowMs} ms, ${tries})${why}.${ambiguous}`;
  }
}

// Exponential back-off with jitter: base·2^attempt capped at max, then 50-100 % of it.
function backoffDelayMs(attempt: number, baseMs: number, maxMs: number): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling * (0.5 + Math.random() * 0.5));
}

// Reject if the promise has not settled after `ms`.
function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no reply from Redis within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

// Parse a redis:// or rediss:// URL into connection options.
function parseRedisUrl(url: unknown): {
  host?: string;
  port?: number;
  db?: number;
  username?: string;
  password?: string;
  tls?: boolean;
} {
  let parsed: URL;
  try {
    if (typeof url !== 'string') throw new TypeError('not a string');
    parsed = new URL(url);
  } catch {
    throw new OptionError(
      `Expected Redis \`url\` to look like redis://[[user][:password]@]host[:port][/db], got ${describe(redactUrl(url))}`,
    );
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new OptionError(
      `Expected Redis \`url\` to start with redis:// or rediss:// (TLS), got ${JSON.stringify(parsed.protocol)}`,
    );
  }
  const out: ReturnType<typeof parseRedisUrl> = { tls: parsed.protocol === 'rediss:' };
  if (parsed.hostname !== '') out.host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  if (parsed.port !== '') out.port = Number(parsed.port);
  if (parsed.username !== '') out.username = decodeURIComponent(parsed.username);
  if (parsed.password !== '') out.password = decodeURIComponent(parsed.password);
  const path = parsed.pathname.replace(/^\//, '');
  if (path !== '') {
    if (!/^\d+$/.test(path)) {
      throw new OptionError(
        `Expected the path of Redis \`url\` to be a database number such as /0, got ${JSON.stringify(parsed.pathname)}`,
      );
    }
    out.db = Number(path);
  }
  return out;
}

// A URL with its password hidden, for error messages.
function redactUrl(url: unknown): unknown {
  return typeof url === 'string' ? url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@') : url;
}

// Validate a duration option in milliseconds.
function positiveMs(name: string, value: unknown, fallback: number, allowZero = false): number {
  if (value === undefined) return fallback;
  if (
    typeof value !== 'number' ||
    !Number.isFinite(value) ||
    value < 0 ||
    (value === 0 && !allowZero)
  ) {
    throw new OptionError(
      `Expected Redis \`${name}\` to be a ${allowZero ? 'non-negative' : 'positive'} number of milliseconds, got ${describe(value)}`,
    );
  }
  return value;
}

// `value` (type) for error messages.
function describe(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return `${text} (${value === null ? 'null' : typeof value})`;
}

// node-redis reports a failed command inside MULTI as "1 commands failed, see .replies":
// surface the server's own message instead (same class, so it still counts as a reply).
function unwrapTransactionError(error: Error): Error {
  const replies = (error as { replies?: unknown }).replies;
  if (!Array.isArray(replies)) return error;
  const first = replies.find((reply): reply is Error => reply instanceof Error);
  return first ?? error;
}
