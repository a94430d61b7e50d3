/**
 * A real `node:http` server on 127.0.0.1 (free port) whose replies a test scripts: queue replies
 * with `script()`, or set `respond` for full control. Every request is recorded with its body and
 * the status it was answered with.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';

/** One request the server received. */
export interface ReceivedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  /** The status it was answered with (undefined: no answer, the socket was destroyed). */
  status: number | undefined;
}

/** How to answer one request. */
export interface ScriptedReply {
  /** @default 200 */
  status?: number;
  body?: string;
  headers?: Record<string, string>;
  /** Wait this long before answering. */
  delayMs?: number;
  /** Never answer (the client must time out); the socket is closed by `close()`. */
  hang?: boolean;
  /** Destroy the connection instead of answering (a network error for the client). */
  destroy?: boolean;
}

/** A running test HTTP server. */
export interface TestHttpServer {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  readonly port: number;
  /** Every request received, in arrival order. */
  readonly requests: ReceivedRequest[];
  /** Queue replies for the next requests; once used up, `respond` answers. */
  script(...replies: ScriptedReply[]): void;
  /** The answer when no scripted reply is left. @default () => ({ status: 200 }) */
  respond: (request: ReceivedRequest) => ScriptedReply;
  /** Parsed bodies of the requests answered with 2xx. */
  delivered(): unknown[];
  /** Stop listening and destroy open connections (use in `after()`). */
  close(): Promise<void>;
}

/** Start a scriptable HTTP server on a free loopback port. */
export async function startHttpServer(): Promise<TestHttpServer> {
  const scripted: ScriptedReply[] = [];
  const requests: ReceivedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const received: ReceivedRequest = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        status: undefined,
      };
      requests.push(received);
      const reply = scripted.shift() ?? api.respond(received);
      if (reply.hang) return;
      const answer = () => {
        if (reply.destroy) {
          req.socket.destroy();
          return;
        }
        received.status = reply.status ?? 200;
        res.writeHead(received.status, reply.headers ?? {});
        res.end(reply.body ?? '');
      };
      if (reply.delayMs) setTimeout(answer, reply.delayMs);
      else answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const api: TestHttpServer = {
    origin: `http://127.0.0.1:${port}`,
    port,
    requests,
    script: (...replies) => {
      scripted.push(...replies);
    },
    respond: () => ({ status: 200 }),
    delivered: () =>
      requests
        .filter((r) => r.status !== undefined && r.status >= 200 && r.status < 300)
        .map((r) => JSON.parse(r.body) as unknown),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  return api;
}
