/**
 * The daemon's HTTP face (node:http): /healthz (the process is up; it answers while state
 * is recovered, since recovery yields to the event loop), /readyz (200 once recovery has
 * finished, 503 with phase, percent and ETA before), /metrics (Prometheus text), and /v1/... JSON query
 * endpoints (http-query.ts). GET and HEAD only.
 *
 * Binds 127.0.0.1 by default. When a bearer token is configured (required for any
 * non-loopback address), every request must carry `Authorization: Bearer <token>`;
 * the comparison is constant-time. A port in use is a DaemonError HTTP_LISTEN.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { ListenAddress } from './listen-address.js';
import { formatListen } from './listen-address.js';
import { DaemonError } from './errors.js';

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

export async function startHttpServer(listen: ListenAddress, token: string | null, handlers: HttpHandlers, logger: Logger): Promise<HttpServer> {
  const expected = token === null ? null : Buffer.from(`Bearer ${token}`);
  const server = http.createServer((req, res) => {
    handle(req, res, expected, handlers).catch((err: unknown) => {
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

async function handle(req: http.IncomingMessage, res: http.ServerResponse, expected: Buffer | null, h: HttpHandlers): Promise<void> {
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
    if (answer !== null) return sendJson(res, answer);
  }
  sendJson(res, { status: 404, body: { error: 'not-found', message: `no endpoint ${url.pathname}` } });
}

function authorized(header: string | undefined, expected: Buffer): boolean {
  if (header === undefined) return false;
  const given = Buffer.from(header);
  return given.length === expected.length && crypto.timingSafeEqual(given, expected);
}

function sendJson(res: http.ServerResponse, answer: JsonAnswer): void {
  const body = JSON.stringify(answer.body) + '\n';
  res.writeHead(answer.status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}
