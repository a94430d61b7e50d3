/**
 * HTTP output: every record is sent as one JSON request body (POST by default).
 *
 *   write() ──► queue ──► up to `concurrency` requests at a time (keep-alive agent)
 *                              │ 2xx ──► delivered
 *                              │ 5xx, 408, 425, 429, network error, per-attempt timeout
 *                              ▼
 *                 back off (backoffMs·2^n, jitter, Retry-After honoured) ──► same request again
 *                              │ other status, `retries` used up, or `totalTimeoutMs` passed
 *                              ▼
 *                 write() rejects (the fan-out reports which record was lost and why)
 *
 * `node:http`/`node:https` rather than `fetch`: the first `fetch()` costs 30-40 ms to load.
 */
import { randomUUID } from 'node:crypto';
import http, { validateHeaderName, validateHeaderValue } from 'node:http';
import https from 'node:https';
import { OptionError, UsageError } from '../errors.js';
import type { BenchRecord } from '../record/record.js';
import type { Output } from './output.js';

/** Options of {@link httpOutput}. */
export interface HttpOutputOptions {
  /** Request method, upper-cased. @default 'POST' */
  method?: string;
  /**
   * Extra request headers. They win over the defaults (`Content-Type: application/json`,
   * `Idempotency-Key`), whatever their case. `Content-Length` is always computed.
   */
  headers?: Record<string, string>;
  /** Give up one attempt (connect, send, response) after this long. @default 30000 */
  timeoutMs?: number;
  /** Attempts after the first one, for 5xx, 408, 425, 429, timeouts and network errors. @default 3 */
  retries?: number;
  /** First back-off delay; doubles per retry, with jitter. @default 250 */
  backoffMs?: number;
  /** Longest back-off delay (also caps a server's `Retry-After`). @default 10000 */
  maxBackoffMs?: number;
  /**
   * Longest time from `write()` until a record is delivered or reported as failed, waiting in
   * the queue and all attempts included. @default 60000
   */
  totalTimeoutMs?: number;
  /** Requests in flight at once. @default 4 */
  concurrency?: number;
  /**
   * Send an `Idempotency-Key` header (a UUID per record, the same on every retry of it) so a
   * server can drop the duplicates that retries can cause. @default true
   */
  idempotencyKey?: boolean;
  /**
   * Build the request body from the record, e.g. for a chat webhook. A string is sent as
   * UTF-8. @default the record's JSON line
   */
  formatPayload?: (record: BenchRecord, json: string) => string | Uint8Array;
}

/** Options of {@link httpOutput} after validation and defaults. */
export interface ResolvedHttpOutputOptions {
  readonly url: URL;
  readonly method: string;
  /** Final headers, lower-case names (without `content-length` and `idempotency-key`). */
  readonly headers: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  readonly retries: number;
  readonly backoffMs: number;
  readonly maxBackoffMs: number;
  readonly totalTimeoutMs: number;
  readonly concurrency: number;
  readonly idempotencyKey: boolean;
  readonly formatPayload: ((record: BenchRecord, json: string) => string | Uint8Array) | undefined;
}

/** An HTTP output. */
export interface HttpOutput extends Output {
  /** The target URL with any password and query string hidden (as in failure reports). */
  readonly url: string;
  /** The request method. */
  readonly method: string;
  /** Queue the record; resolves once the server answered 2xx, rejects once delivery has failed. */
  write(record: BenchRecord, encode: () => string): Promise<void>;
  /** Wait until every record written so far is delivered or has failed. */
  flush(): Promise<void>;
  /** Flush, then close idle keep-alive connections. A later write opens new ones. */
  close(): Promise<void>;
}

/**
 * Create an output that sends each record as a JSON request body to `url`, like Python
 * microbench's `HttpOutput`, with retries: 5xx, 408, 425, 429, timeouts and network errors are
 * retried with exponential back-off and jitter (honouring `Retry-After`) up to `retries` times
 * and within `totalTimeoutMs`; other statuses fail at once. A retried request may reach the
 * server twice (at-least-once), so each record carries the same `Idempotency-Key` on every
 * attempt. Redirects are not followed.
 */
export function httpOutput(url: string | URL, options: HttpOutputOptions = {}): HttpOutput {
  const resolved = resolveHttpOutputOptions(url, options);
  const sink = new HttpSink(resolved);
  return {
    name: redactUrl(resolved.url),
    url: redactUrl(resolved.url),
    method: resolved.method,
    write: (record, encode) => sink.write(record, encode),
    flush: () => sink.flush(),
    close: () => sink.close(),
  };
}

/** Validate {@link HttpOutputOptions} and apply defaults; throws `OptionError`. */
export function resolveHttpOutputOptions(
  url: string | URL,
  options: HttpOutputOptions = {},
): ResolvedHttpOutputOptions {
  let target: URL;
  try {
    if (typeof url !== 'string' && !(url instanceof URL)) throw new TypeError('not a string');
    target = new URL(url);
  } catch {
    throw new OptionError(
      `Expected the HTTP output URL to be an absolute http:// or https:// URL, got ${describe(url)}. Example: httpOutput('https://collector.example/records')`,
    );
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') {
    throw new OptionError(
      `Expected the HTTP output URL to start with http:// or https://, got ${JSON.stringify(target.protocol)} in ${JSON.stringify(redactUrl(target))}`,
    );
  }
  if (options === null || typeof options !== 'object') {
    throw new OptionError(
      `Expected httpOutput() options to be an object, got ${describe(options)}`,
    );
  }
  const method = validateHttpMethod(options.method ?? 'POST', 'method');
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (options.headers !== undefined) {
    if (options.headers === null || typeof options.headers !== 'object') {
      throw new OptionError(
        `Expected HTTP output \`headers\` to be an object of name → value strings, got ${describe(options.headers)}`,
      );
    }
    for (const [name, value] of Object.entries(options.headers)) {
      validateHeader(
        name,
        value,
        (message) => new OptionError(`HTTP output \`headers\`: ${message}`),
      );
      const lower = name.toLowerCase();
      if (lower !== 'content-length') headers[lower] = value;
    }
  }
  const idempotencyKey = options.idempotencyKey ?? true;
  if (typeof idempotencyKey !== 'boolean') {
    throw new OptionError(
      `Expected HTTP output \`idempotencyKey\` to be true or false, got ${describe(idempotencyKey)}`,
    );
  }
  if (options.formatPayload !== undefined && typeof options.formatPayload !== 'function') {
    throw new OptionError(
      `Expected HTTP output \`formatPayload\` to be a function (record, json) => string | Uint8Array, got ${describe(options.formatPayload)}`,
    );
  }
  return {
    url: target,
    method,
    headers,
    timeoutMs: validateNumber('timeoutMs', options.timeoutMs, 30_000, 1),
    retries: validateNumber('retries', options.retries, 3, 0, true),
    backoffMs: validateNumber('backoffMs', options.backoffMs, 250, 0),
    maxBackoffMs: validateNumber('maxBackoffMs', options.maxBackoffMs, 10_000, 0),
    totalTimeoutMs: validateNumber('totalTimeoutMs', options.totalTimeoutMs, 60_000, 1),
    concurrency: validateNumber('concurrency', options.concurrency, 4, 1, true),
    idempotencyKey,
    formatPayload: options.formatPayload,
  };
}

/**
 * Split a `--http-output-header` value at its first `:` into a trimmed `[name, value]` pair
 * (microbench's rule). Throws a `UsageError` on a missing `:`, an empty or invalid name, or an
 * invalid value. `Object.fromEntries(values.map(parseHttpHeader))` gives the `headers` option.
 */
export function parseHttpHeader(text: string): [name: string, value: string] {
  const colon = typeof text === 'string' ? text.indexOf(':') : -1;
  if (colon < 0) {
    throw new UsageError(
      `--http-output-header: expected KEY:VALUE, got ${quote(text)}. Example: --http-output-header 'Authorization: Bearer TOKEN'`,
    );
  }
  const name = text.slice(0, colon).trim();
  const value = text.slice(colon + 1).trim();
  validateHeader(name, value, (message) => new UsageError(`--http-output-header: ${message}`));
  return [name, value];
}

/**
 * Upper-case and check an HTTP method for a request that carries a record: an HTTP token, not
 * GET, HEAD, CONNECT or TRACE (they cannot carry a body). `what` names the option in errors.
 */
export function validateHttpMethod(method: unknown, what = 'method'): string {
  if (typeof method !== 'string' || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(method)) {
    throw new OptionError(
      `Expected HTTP output \`${what}\` to be an HTTP method such as POST or PUT, got ${describe(method)}`,
    );
  }
  const upper = method.toUpperCase();
  if (['GET', 'HEAD', 'CONNECT', 'TRACE'].includes(upper)) {
    throw new OptionError(
      `Expected HTTP output \`${what}\` to be a method that carries a request body (POST, PUT, PATCH...), got ${JSON.stringify(method)}`,
    );
  }
  return upper;
}

// internal ---------------------------------------------------------------------------------------

/** One queued record. */
interface Job {
  readonly body: Buffer;
  readonly key: string;
  readonly deadline: number;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

/** What one attempt got back. */
interface HttpReply {
  readonly status: number;
  readonly statusText: string;
  readonly retryAfterMs: number | undefined;
  readonly bodyExcerpt: string;
}

const RETRYABLE_STATUS = new Set([408, 425, 429]);

/** The queue, the connection pool and the retry loop behind one `httpOutput()`. */
class HttpSink {
  readonly #options: ResolvedHttpOutputOptions;
  readonly #transport: typeof http | typeof https;
  readonly #label: string;
  readonly #queue: Job[] = [];
  readonly #idleWaiters: (() => void)[] = [];
  #agent: http.Agent | undefined;
  #active = 0;

  constructor(options: ResolvedHttpOutputOptions) {
    this.#options = options;
    this.#transport = options.url.protocol === 'https:' ? https : http;
    this.#label = `${options.method} ${redactUrl(options.url)}`;
  }

  write(record: BenchRecord, encode: () => string): Promise<void> {
    const { formatPayload, totalTimeoutMs } = this.#options;
    const json = encode();
    const payload = formatPayload ? formatPayload(record, json) : json;
    const body = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : Buffer.from(payload);
    return new Promise<void>((resolve, reject) => {
      this.#queue.push({
        body,
        key: randomUUID(),
        deadline: Date.now() + totalTimeoutMs,
        resolve,
        reject,
      });
      this.#startMore();
    });
  }

  async flush(): Promise<void> {
    if (this.#active === 0 && this.#queue.length === 0) return;
    await new Promise<void>((resolve) => this.#idleWaiters.push(resolve));
  }

  async close(): Promise<void> {
    await this.flush();
    this.#agent?.destroy();
    this.#agent = undefined;
  }

  // Start queued jobs while there is room.
  #startMore(): void {
    while (this.#active < this.#options.concurrency && this.#queue.length > 0) {
      const job = this.#queue.shift()!;
      this.#active++;
      this.#deliver(job)
        .then(job.resolve, (error: unknown) => job.reject(error as Error))
        .finally(() => {
          this.#active--;
          this.#startMore();
          if (this.#active === 0 && this.#queue.length === 0) {
            for (const resolve of this.#idleWaiters.splice(0)) resolve();
          }
        });
    }
  }

  // Send one record, retrying within its limits; throws the reason it was not delivered.
  async #deliver(job: Job): Promise<void> {
    const o = this.#options;
    let lastProblem = 'it waited in the queue behind slower requests';
    for (let attempt = 0; ; attempt++) {
      const remaining = job.deadline - Date.now();
      if (remaining <= 0) {
        throw new Error(
          `${this.#label}: not delivered within totalTimeoutMs (${o.totalTimeoutMs} ms, ${attempt} attempt${attempt === 1 ? '' : 's'}); last problem: ${lastProblem}`,
        );
      }
      let retryAfterMs: number | undefined;
      try {
        const reply = await this.#request(job, Math.min(o.timeoutMs, remaining));
        if (reply.status >= 200 && reply.status < 300) return;
        lastProblem = `HTTP ${reply.status} ${reply.statusText}${reply.bodyExcerpt ? `: ${reply.bodyExcerpt}` : ''}`;
        if (!(reply.status >= 500 || RETRYABLE_STATUS.has(reply.status))) {
          const hint =
            reply.status >= 300 && reply.status < 400
              ? ' (redirects are not followed: use the final URL)'
              : '';
          throw new HttpDeliveryError(
            `${this.#label}: the server refused the record with ${lastProblem}${hint}`,
          );
        }
        retryAfterMs = reply.retryAfterMs;
      } catch (error) {
        if (error instanceof HttpDeliveryError) throw error;
        lastProblem = (error as Error).message;
      }
      if (attempt >= o.retries) {
        throw new Error(
          `${this.#label}: not delivered after ${attempt + 1} attempt${attempt === 0 ? '' : 's'}; last problem: ${lastProblem}`,
        );
      }
      const backoff = backoffDelayMs(attempt, o.backoffMs, o.maxBackoffMs);
      const wait = Math.max(backoff, Math.min(retryAfterMs ?? 0, o.maxBackoffMs));
      if (Date.now() + wait >= job.deadline) {
        throw new Error(
          `${this.#label}: not delivered within totalTimeoutMs (${o.totalTimeoutMs} ms, ${attempt + 1} attempt${attempt === 0 ? '' : 's'}); last problem: ${lastProblem}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }

  // One request; resolves with the status whatever it is, rejects on network errors and timeouts.
  #request(job: Job, timeoutMs: number): Promise<HttpReply> {
    const o = this.#options;
    this.#agent ??= new this.#transport.Agent({ keepAlive: true, maxSockets: o.concurrency });
    const headers: Record<string, string | number> = {};
    if (o.idempotencyKey) headers['idempotency-key'] = job.key;
    Object.assign(headers, o.headers, { 'content-length': job.body.length });
    return new Promise<HttpReply>((resolve, reject) => {
      const request = this.#transport.request(o.url, {
        method: o.method,
        headers,
        agent: this.#agent,
      });
      const timer = setTimeout(() => {
        request.destroy(new Error(`no complete response within timeoutMs (${timeoutMs} ms)`));
      }, timeoutMs);
      const fail = (error: Error) => {
        clearTimeout(timer);
        reject(error);
      };
      request.on('error', fail);
      request.on('response', (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          if (size < 1024) chunks.push(chunk);
          size += chunk.length;
        });
        response.on('error', fail);
        response.on('end', () => {
          clearTimeout(timer);
          const status = response.statusCode ?? 0;
          resolve({
            status,
            statusText: response.statusMessage ?? '',
            retryAfterMs: parseRetryAfterMs(response.headers['retry-after']),
            bodyExcerpt: excerpt(Buffer.concat(chunks).toString('utf8')),
          });
        });
      });
      request.end(job.body);
    });
  }
}

/** A status that retrying will not change (4xx other than 408/425/429, 3xx). */
class HttpDeliveryError extends Error {}

// Exponential back-off with jitter: base·2^attempt capped at max, then 50-100 % of it.
function backoffDelayMs(attempt: number, baseMs: number, maxMs: number): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling * (0.5 + Math.random() * 0.5));
}

// `Retry-After: <seconds>` or `<HTTP date>`, in milliseconds from now.
function parseRetryAfterMs(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

// The start of a response body, on one line, for error messages.
function excerpt(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}

// Check one header with Node's own rules; `toError` wraps the message.
function validateHeader(name: string, value: unknown, toError: (message: string) => Error): void {
  if (name === '')
    throw toError(`a header needs a name before the ':', got ${quote(`:${String(value)}`)}`);
  try {
    validateHeaderName(name);
  } catch {
    throw toError(
      `${quote(name)} is not a valid header name (letters, digits and !#$%&'*+-.^_\`|~ only)`,
    );
  }
  if (typeof value !== 'string') {
    throw toError(`header ${quote(name)} needs a string value, got ${describe(value)}`);
  }
  try {
    validateHeaderValue(name, value);
  } catch {
    throw toError(
      `header ${quote(name)} has a value with characters not allowed in HTTP headers (control characters or newlines)`,
    );
  }
}

// A URL for names and messages: password and query string hidden (they often hold secrets).
function redactUrl(url: URL): string {
  const user = url.username === '' ? '' : `${url.username}${url.password === '' ? '' : ':***'}@`;
  return `${url.protocol}//${user}${url.host}${url.pathname}${url.search === '' ? '' : '?…'}`;
}

// Validate a numeric option.
function validateNumber(
  name: string,
  value: unknown,
  fallback: number,
  min: number,
  integer = false,
): number {
  if (value === undefined) return fallback;
  if (
    typeof value !== 'number' ||
    !Number.isFinite(value) ||
    value < min ||
    (integer && !Number.isInteger(value))
  ) {
    const kind = integer
      ? 'an integer'
      : name.endsWith('Ms')
        ? 'a number of milliseconds'
        : 'a number';
    throw new OptionError(
      `Expected HTTP output \`${name}\` to be ${kind} >= ${min}, got ${describe(value)}`,
    );
  }
  return value;
}

// Python-style quoting used in CLI messages: 'text'.
function quote(text: unknown): string {
  return `'${String(text)}'`;
}

// `value` (type) for error messages.
function describe(value: unknown): string {
  const text =
    typeof value === 'string'
      ? JSON.stringify(value)
      : value instanceof URL
        ? value.href
        : String(value);
  return `${text} (${value === null ? 'null' : typeof value})`;
}
