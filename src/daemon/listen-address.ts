/**
 * `host:port` of the HTTP server. IPv6 hosts are bracketed (`[::1]:9464`). Port 0 asks the
 * kernel for a free port (tests). Loopback means 127.0.0.0/8, ::1 or `localhost`: only
 * there may the server run without a bearer token.
 */
import net from 'node:net';

export interface ListenAddress {
  host: string;
  port: number;
  loopback: boolean;
}

/** The address, or a one-line problem. */
export function parseListen(text: string): ListenAddress | string {
  const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(text.trim());
  if (match === null) return `${JSON.stringify(text)} is not host:port (e.g. 127.0.0.1:9464, [::1]:9464, 0.0.0.0:9464)`;
  const host = (match[1] ?? match[2]) as string;
  const port = Number(match[3]);
  if (port > 65535) return `port ${port} is out of range 0..65535`;
  if (host !== 'localhost' && net.isIP(host) === 0) return `${JSON.stringify(host)} is not an IP address or localhost`;
  return { host, port, loopback: isLoopback(host) };
}

export function isLoopback(host: string): boolean {
  if (host === 'localhost' || host === '::1') return true;
  return net.isIPv4(host) && host.startsWith('127.');
}

export function formatListen(host: string, port: number): string {
  return net.isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`;
}
