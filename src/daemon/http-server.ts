/**
 * The daemon's HTTP face (node:http): /healthz (the process is up; it answers while state
 * is recovered, since recovery yields to the event loop), /readyz (200 once recovery has
 * finished, 503 with phase, percent and ETA before), /metrics (Prometheus text), /v1/...
 * JSON query endpoints (http-query.ts), POST /v1/admin/... (compaction on request), and
 * the read-only web console under /ui/ (src/console/; `/` redirects there).
 *
 * Binds 127.0.0.1 by default. When a bearer token is configured (required for any
 * non-loopback address), every request must carry `Authorization: Bearer <token>`;
 * the comparison is constant-time. The console's static files are the exception: they
 * hold no data and a browser cannot send the header when it navigates, so they are
 * served to anyone; the pages ask for the token and send it with every /v1/ call.
 * Every answer says `nosniff`; JSON answers are `no-store` (no shared cache keeps them).
 * A port in use is a DaemonError HTTP_LISTEN.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { ListenAddress } from './listen-address.js';
import { formatListen } from './listen-address.js';
import { CONSOLE_PREFIX, type StaticAnswer } from '../console/static-files.js';
import { DaemonError } from './errors.js';
import { writeJson } from './json-stream.js';
import { ANSWER_STALL_MS_MAX } from '../limits.js';

export interface JsonAnswer {
  status: number;
  body: unknown;
}

export interface HttpHandlers {
  isReady(): boolean;
  /** What /readyz says while not ready (phase, percent, ETA of recovery). */
  startup(): object;
  metrics(): Promise<{ contentType: string; body: string }>;
  /** Answers a /v1/ path, or null when no such endpoint exists. */
  query(path: string, params: URLSearchParams): Promise<JsonAnswer | null>;
  /** Answers a POST to /v1/admin/... (operations that change state), or null. */
  admin?(path: string, params: URLSearchParams): Promise<JsonAnswer | null>;
  /** The console's file for a path under /ui/, or null; absent: no console. */
  console?(path: string): StaticAnswer | null;
}

export interface HttpServer {
  /** `host:port` actually bound (the real port when 0 was asked for). */
  readonly address: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Operations that change state: POST only, never cached, answered only once ready. */
const ADMIN_PREFIX = '/v1/admin/';

async function handleAdmin(req: http.IncomingMessage, res: http.ServerResponse, url: URL, h: HttpHandlers): Promise<void> {
  req.resume(); // no body is read: parameters travel in the query string
  if (req.method !== 'POST') {
    res.setHeader('allow', 'POST');
    return sendJson(res, { status: 405, body: { error: 'method-not-allowed', message: 'admin endpoints take POST' } });
  }
  if (!h.isReady()) return sendJson(res, { status: 503, body: { error: 'not-ready', message: 'state is being recovered; retry shortly' } });
  const answer = h.admin === undefined ? null : await h.admin(url.pathname, url.searchParams);
  res.setHeader('cache-control', 'no-store');
  return sendJson(res, answer ?? { status: 404, body: { error: 'not-found', message: `no admin endpoint ${url.pathname}` } });
}

/** Longest request line path accepted; longer is a 414. */
const URL_BYTES_MAX = 8192;

export interface HttpServerOptions {
  /** How long a client may take no bytes of a long answer before it is dropped (default ANSWER_STALL_MS_MAX). */
  answerStallMs?: number;
}

export async function startHttpServer(listen: ListenAddress, token: string | null, handlers: HttpHandlers, logger: Logger, options: HttpServerOptions = {}): Promise<HttpServer> {
  const expected = token === null ? null : Buffer.from(`Bearer ${token}`);
  const stallMs = options.answerStallMs ?? ANSWER_STALL_MS_MAX;
  const server = http.createServer((req, res) => {
    handle(req, res, expected, handlers, stallMs, logger).catch((err: unknown) => {
      logger.error({ err, url: req.url }, 'HTTP handler failed');
      if (!res.headersSent) sendJson(res, { status: 500, body: { error: 'internal', message: 'internal error; see the daemon log' } });
      else res.destroy();
    });
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      const where = formatListen(listen.host, listen.port);
      const why = err.code === 'EADDRINUSE' ? 'address already in use (another daemon? set http.listen / ELAVA_HTTP_LISTEN)'
        : err.code === 'EACCES' ? 'permission denied (ports below 1024 need privileges)'
        : err.code === 'EADDRNOTAVAIL' ? 'no such local address'
        : `${err.code ?? 'error'}: ${err.message}`;
      reject(new DaemonError('HTTP_LISTEN', `http.listen ${where}: ${why}`, { key: 'http.listen', cause: err }));
    };
    server.once('error', onError);
    server.listen(listen.port, listen.host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const bound = server.address() as AddressInfo;
  return {
    address: formatListen(bound.address, bound.port),
    port: bound.port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function handle(req: http.IncomingMessage, res: http.ServerResponse, expected: Buffer | null, h: HttpHandlers, stallMs: number, logger: Logger): Promise<void> {
  res.setHeader('x-content-type-options', 'nosniff');
  if (h.console !== undefined && (req.method === 'GET' || req.method === 'HEAD') && serveConsole(req, res, h.console)) return;
  if (expected !== null && !authorized(req.headers.authorization, expected)) {
    res.setHeader('www-authenticate', 'Bearer');
    return sendJson(res, { status: 401, body: { error: 'unauthorized', message: 'send Authorization: Bearer <http.token>' } });
  }
  const raw = req.url ?? '/';
  if (raw.length > URL_BYTES_MAX) return sendJson(res, { status: 414, body: { error: 'uri-too-long', message: `over ${URL_BYTES_MAX} bytes` } });
  const url = new URL(raw, 'http://localhost');
  if (url.pathname.startsWith(ADMIN_PREFIX)) return handleAdmin(req, res, url, h);
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('allow', 'GET, HEAD');
    return sendJson(res, { status: 405, body: { error: 'method-not-allowed', message: 'only GET and HEAD' } });
  }
  switch (url.pathname) {
    case '/healthz':
      return sendJson(res, { status: 200, body: { status: 'ok' } });
    case '/readyz':
      return h.isReady()
        ? sendJson(res, { status: 200, body: { status: 'ready' } })
        : sendJson(res, { status: 503, body: { status: 'recovering', ...h.startup() } });
    case '/metrics': {
      const m = await h.metrics();
      res.writeHead(200, { 'content-type': m.contentType });
      res.end(req.method === 'HEAD' ? undefined : m.body);
      return;
    }
  }
  if (url.pathname.startsWith('/v1/')) {
    if (!h.isReady()) return sendJson(res, { status: 503, body: { error: 'not-ready', message: 'state is being recovered; retry shortly' } });
    const answer = await h.query(url.pathname, url.searchParams);
    if (answer === null) return sendJson(res, { status: 404, body: { error: 'not-found', message: `no endpoint ${url.pathname}` } });
    if (!(await writeJson(res, answer.status, answer.body, stallMs))) {
      logger.warn({ url: req.url, stallMs }, 'HTTP client took no bytes of its answer for too long; dropped');
    }
    return;
  }
  sendJson(res, { status: 404, body: { error: 'not-found', message: `no endpoint ${url.pathname}` } });
}

/** Answers `/` (a redirect) and paths under /ui/; false for every other path. */
function serveConsole(req: http.IncomingMessage, res: http.ServerResponse, files: (path: string) => StaticAnswer | null): boolean {
  const raw = req.url ?? '/';
  if (raw.length > URL_BYTES_MAX) return false;
  const pathname = new URL(raw, 'http://localhost').pathname;
  if (pathname === '/') {
    res.writeHead(302, { location: CONSOLE_PREFIX, 'content-length': '0' });
    res.end();
    return true;
  }
  if (pathname === '/ui') {
    res.writeHead(301, { location: CONSOLE_PREFIX, 'content-length': '0' });
    res.end();
    return true;
  }
  if (!pathname.startsWith(CONSOLE_PREFIX)) return false;
  const answer = files(pathname);
  if (answer === null) {
    sendJson(res, { status: 404, body: { error: 'not-found', message: `no console file ${pathname}` } });
    return true;
  }
  res.writeHead(answer.status, answer.headers);
  res.end(req.method === 'HEAD' ? undefined : answer.body);
  return true;
}

function authorized(header: string | undefined, expected: Buffer): boolean {
  if (header === undefined) return false;
  const given = Buffer.from(header);
  return given.length === expected.length && crypto.timingSafeEqual(given, expected);
}

/** Long answers are streamed in pieces that yield to the event loop (json-stream.ts). */
async function sendJson(res: http.ServerResponse, answer: JsonAnswer): Promise<void> {
  await writeJson(res, answer.status, answer.body);
}
