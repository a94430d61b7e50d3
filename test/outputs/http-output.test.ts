import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { OptionError, UsageError } from '../../src/errors.js';
import { httpOutput, parseHttpHeader, resolveHttpOutputOptions } from '../../src/outputs/http.js';
import type { BenchRecord } from '../../src/record/record.js';
import { startHttpServer, type TestHttpServer } from '../helpers/http-server.js';

// A record with a unique id, and its JSON line.
function record(id: string): [BenchRecord, () => string] {
  const r = { function_name: 'http-test', id } as unknown as BenchRecord;
  return [r, () => JSON.stringify(r)];
}

// Fast retry settings so failure tests take milliseconds.
const FAST = { backoffMs: 5, maxBackoffMs: 20 } as const;

describe('httpOutput options', () => {
  test('defaults: POST, JSON content type, 30 s per attempt, 3 retries from 250 ms', () => {
    const o = resolveHttpOutputOptions('http://127.0.0.1:1/records');
    assert.equal(o.method, 'POST');
    assert.deepEqual(o.headers, { 'content-type': 'application/json' });
    assert.deepEqual(
      [o.timeoutMs, o.retries, o.backoffMs, o.totalTimeoutMs, o.concurrency],
      [30_000, 3, 250, 60_000, 4],
    );
  });

  test('bad URL, method, headers and numbers are OptionErrors that say what was expected', () => {
    const bad: [() => unknown, RegExp][] = [
      [() => httpOutput('not a url'), /absolute http:\/\/ or https:\/\/ URL, got "not a url"/],
      [() => httpOutput('ftp://host/x'), /start with http:\/\/ or https:\/\/, got "ftp:"/],
      [() => httpOutput('http://h/', { method: 'GET' }), /carries a request body .* got "GET"/],
      [() => httpOutput('http://h/', { method: 'PO ST' }), /`method` to be an HTTP method/],
      [
        () => httpOutput('http://h/', { headers: { 'Bad Name': 'x' } }),
        /'Bad Name' is not a valid header name/,
      ],
      [
        () => httpOutput('http://h/', { headers: { A: 'x\ny' } }),
        /header 'A' has a value with characters/,
      ],
      [() => httpOutput('http://h/', { retries: -1 }), /`retries` to be an integer >= 0, got -1/],
      [
        () => httpOutput('http://h/', { timeoutMs: 0 }),
        /`timeoutMs` to be a number of milliseconds >= 1/,
      ],
    ];
    for (const [create, message] of bad) {
      assert.throws(create, (e: Error) => e instanceof OptionError && message.test(e.message));
    }
  });

  test('the name hides a password and the query string', () => {
    const output = httpOutput('https://me:secret@collector.example/in?token=abc');
    assert.equal(output.name, 'https://me:***@collector.example/in?…');
    assert.equal(output.method, 'POST');
  });

  test('parseHttpHeader splits at the first colon and trims (microbench rule)', () => {
    assert.deepEqual(parseHttpHeader('Authorization: Bearer a:b'), ['Authorization', 'Bearer a:b']);
    assert.deepEqual(parseHttpHeader('X-Empty:'), ['X-Empty', '']);
    assert.throws(
      () => parseHttpHeader('NoColon'),
      (e: Error) =>
        e instanceof UsageError &&
        /^--http-output-header: expected KEY:VALUE, got 'NoColon'/.test(e.message),
    );
    assert.throws(() => parseHttpHeader(': value'), /needs a name before the ':'/);
    assert.throws(() => parseHttpHeader('Bad Name: v'), /'Bad Name' is not a valid header name/);
  });
});

describe('httpOutput against a real HTTP server', () => {
  let server: TestHttpServer;
  before(async () => {
    server = await startHttpServer();
  });
  beforeEach(() => {
    server.requests.length = 0;
    server.respond = () => ({ status: 200 });
  });
  after(async () => {
    await server?.close();
  });

  test('POSTs each record as JSON to the exact URL', async () => {
    const output = httpOutput(`${server.origin}/ingest/run?x=1`);
    await Promise.all([output.write(...record('a')), output.write(...record('b'))]);
    await output.close();
    assert.equal(server.requests.length, 2);
    for (const request of server.requests) {
      assert.equal(request.method, 'POST');
      assert.equal(request.path, '/ingest/run?x=1');
      assert.equal(request.headers['content-type'], 'application/json');
      assert.equal(request.headers['content-length'], String(Buffer.byteLength(request.body)));
      assert.match(String(request.headers['idempotency-key']), /^[0-9a-f-]{36}$/);
    }
    assert.deepEqual(
      server
        .delivered()
        .map((r) => (r as { id: string }).id)
        .sort(),
      ['a', 'b'],
    );
  });

  test('method and headers are configurable; the caller wins over defaults whatever the case', async () => {
    const output = httpOutput(`${server.origin}/`, {
      method: 'put',
      headers: {
        'content-TYPE': 'application/x-ndjson',
        Authorization: 'Bearer t',
        'Idempotency-Key': 'mine',
      },
      formatPayload: (r) => `{"text":"${String(r.id)}"}`,
    });
    await output.write(...record('p'));
    await output.close();
    const [request] = server.requests;
    assert.equal(request?.method, 'PUT');
    assert.equal(request?.headers['content-type'], 'application/x-ndjson');
    assert.equal(request?.headers.authorization, 'Bearer t');
    assert.equal(request?.headers['idempotency-key'], 'mine');
    assert.equal(request?.body, '{"text":"p"}');
  });

  test('HTTP 500 then recovery: retried with the same Idempotency-Key and delivered once', async () => {
    server.script(
      { status: 500, body: 'boom' },
      { status: 503 },
      { status: 429, headers: { 'retry-after': '0' } },
    );
    const output = httpOutput(`${server.origin}/`, FAST);
    await output.write(...record('retry-me'));
    await output.close();
    assert.deepEqual(
      server.requests.map((r) => r.status),
      [500, 503, 429, 200],
    );
    assert.equal(new Set(server.requests.map((r) => r.headers['idempotency-key'])).size, 1);
    assert.deepEqual(server.delivered(), [{ function_name: 'http-test', id: 'retry-me' }]);
  });

  test('a dropped connection and a timed-out attempt are retried too', async () => {
    server.script({ destroy: true }, { hang: true });
    const output = httpOutput(`${server.origin}/`, { ...FAST, timeoutMs: 200 });
    await output.write(...record('flaky'));
    await output.close();
    assert.equal(server.requests.length, 3);
    assert.deepEqual(server.delivered(), [{ function_name: 'http-test', id: 'flaky' }]);
  });

  test('other 4xx fail at once, with the status and the start of the body', async () => {
    server.respond = () => ({ status: 422, body: 'field "x" is required' });
    const output = httpOutput(`${server.origin}/`, FAST);
    await assert.rejects(
      output.write(...record('bad')),
      /POST http:\/\/127\.0\.0\.1:\d+\/: the server refused the record with HTTP 422 Unprocessable Entity: field "x" is required/,
    );
    assert.equal(server.requests.length, 1);
    await output.close();
  });

  test('redirects are not followed and say so', async () => {
    server.respond = () => ({ status: 301, headers: { location: '/elsewhere' } });
    const output = httpOutput(`${server.origin}/`, FAST);
    await assert.rejects(output.write(...record('moved')), /HTTP 301 .*redirects are not followed/);
    await output.close();
  });

  test('retries are bounded: a server that keeps failing ends in a clear rejection', async () => {
    server.respond = () => ({ status: 502 });
    const output = httpOutput(`${server.origin}/`, { ...FAST, retries: 2 });
    await assert.rejects(
      output.write(...record('never')),
      /not delivered after 3 attempts; last problem: HTTP 502 Bad Gateway/,
    );
    assert.equal(server.requests.length, 3);
    await output.close();
  });

  test('the whole delivery is bounded by totalTimeoutMs, even against a hanging server', async () => {
    server.respond = () => ({ hang: true });
    const output = httpOutput(`${server.origin}/`, { ...FAST, retries: 100, totalTimeoutMs: 400 });
    const started = Date.now();
    await assert.rejects(
      output.write(...record('slow')),
      /not delivered within totalTimeoutMs \(400 ms, 1 attempt\); last problem: no complete response within timeoutMs/,
    );
    assert.ok(Date.now() - started < 5000);
    await output.close();
  });

  test('an unreachable server fails after the retries with the network error', async () => {
    const down = await startHttpServer();
    const origin = down.origin;
    await down.close();
    const output = httpOutput(`${origin}/`, { ...FAST, retries: 1 });
    await assert.rejects(
      output.write(...record('nobody')),
      /not delivered after 2 attempts; last problem: .*ECONNREFUSED/,
    );
    await output.close();
  });
});
