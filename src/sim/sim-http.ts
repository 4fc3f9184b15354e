/**
 * HTTP plumbing shared by the SIMULATED cloud's servers: loopback-only listening, bounded
 * body reads, labelled responses, and reading the region and access key out of a SigV4
 * Authorization header.
 */

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Every response says it did not come from a real cloud. */
export const SIM_SERVER_HEADER = 'ElavaSimulatedCloud/1 (SIMULATED, not a real cloud)';
export const SIM_HOST = '127.0.0.1';
/** Query-protocol bodies are a few hundred bytes; anything near this is not a client of ours. */
const REQUEST_BODY_BYTES_MAX = 1024 * 1024;

export type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => Promise<void>;

export class BodyTooLargeError extends Error {}

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > REQUEST_BODY_BYTES_MAX) {
        reject(new BodyTooLargeError(`request body over ${REQUEST_BODY_BYTES_MAX} bytes`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  if (res.destroyed) return;
  res.writeHead(status, {
    'content-type': contentType,
    'content-length': Buffer.byteLength(body),
    'server': SIM_SERVER_HEADER,
    'x-elava-simulated': 'true',
  });
  res.end(body);
}

/** Starts `handler` on 127.0.0.1:`port` (0 = ephemeral). Handler errors become plain 500s. */
export async function listen(handler: Handler, port = 0): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    readBody(req)
      .then((body) => handler(req, body, res))
      .catch((err: unknown) => send(res, 500, 'text/plain', `simulated cloud: ${(err as Error).message}\n`));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, SIM_HOST, () => resolve());
  });
  return { server, port: (server.address() as AddressInfo).port };
}

export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((err) => (err ? reject(err) : resolve()));
    server.closeAllConnections();
  });
}

export interface SigV4Scope {
  accessKeyId: string;
  region: string;
  service: string;
}

/** `AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/ec2/aws4_request, ...` → its scope. */
export function sigV4Scope(authorization: string | undefined): SigV4Scope | null {
  if (authorization === undefined) return null;
  const match = /Credential=([^/,\s]+)\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/.exec(authorization);
  if (!match) return null;
  return { accessKeyId: match[1] ?? '', region: match[2] ?? '', service: match[3] ?? '' };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function header(req: IncomingMessage, name: string): string | null {
  const v = req.headers[name];
  if (v === undefined) return null;
  return Array.isArray(v) ? v.join(',') : v;
}

/** A body cut in the middle plus junk: what a proxy that dropped the connection might leave. */
export function truncateBody(body: string): string {
  return body.slice(0, Math.max(1, Math.floor(body.length / 2))) + '<<\u0000';
}
