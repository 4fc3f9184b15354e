/**
 * How fan-in reaches NATS: servers, the stream, and the client's credential and TLS options
 * (user/password, token, a .creds file (JWT + NKey), TLS CA / client certificate / key).
 * Secrets are never logged or put in error messages; only which option is wrong.
 */
import fs from 'node:fs';
import { credsAuthenticator, type ConnectionOptions } from 'nats';
import { FaninError } from './errors.js';

export interface NatsOptions {
  /** host:port or nats://host:port / tls://host:port, one or more. */
  servers: string[];
  stream: string;
  user?: string;
  password?: string;
  token?: string;
  credsFile?: string;
  tlsCa?: string;
  tlsCert?: string;
  tlsKey?: string;
}

export const DEFAULT_STREAM = 'ELAVA';
/** The aggregator's durable consumer, unless named: one aggregator per name. */
export const DEFAULT_DURABLE = 'elava-aggregate';
const STREAM_NAME_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** A durable consumer name JetStream takes; throws FaninError FANIN_CONFIG. */
export function checkDurableName(durable: string): void {
  if (!STREAM_NAME_PATTERN.test(durable)) {
    throw new FaninError('FANIN_CONFIG', `consumer name ${JSON.stringify(durable)}: letters, digits, _ and - only (1..64)`);
  }
}

/** Checks what can be checked before connecting; throws FaninError FANIN_CONFIG. */
export function checkNatsOptions(o: NatsOptions): void {
  if (o.servers.length === 0) throw new FaninError('FANIN_CONFIG', 'no NATS server given (--nats-server host:port)');
  for (const s of o.servers) {
    if (!/^((nats|tls):\/\/)?[^\s/]+:\d{1,5}$/.test(s)) throw new FaninError('FANIN_CONFIG', `NATS server ${JSON.stringify(s)} is not host:port (or nats://host:port)`);
  }
  if (!STREAM_NAME_PATTERN.test(o.stream)) throw new FaninError('FANIN_CONFIG', `stream name ${JSON.stringify(o.stream)}: letters, digits, _ and - only (1..64)`);
  if ((o.user === undefined) !== (o.password === undefined)) throw new FaninError('FANIN_CONFIG', 'a NATS user needs a password and a password a user');
  const auths = [o.user !== undefined, o.token !== undefined, o.credsFile !== undefined].filter(Boolean).length;
  if (auths > 1) throw new FaninError('FANIN_CONFIG', 'give one of: NATS user and password, token, or creds file');
  if ((o.tlsCert === undefined) !== (o.tlsKey === undefined)) throw new FaninError('FANIN_CONFIG', 'a TLS client certificate needs its key, and a key its certificate');
  for (const [what, file] of [['creds file', o.credsFile], ['TLS CA', o.tlsCa], ['TLS certificate', o.tlsCert], ['TLS key', o.tlsKey]] as const) {
    if (file === undefined) continue;
    try {
      fs.accessSync(file, fs.constants.R_OK);
    } catch {
      throw new FaninError('FANIN_CONFIG', `${what} ${file} cannot be read`);
    }
  }
}

/** The nats.js connection options; the client reconnects on its own, forever, jittered. */
export function connectionOptions(o: NatsOptions, name: string): ConnectionOptions {
  const opts: ConnectionOptions = {
    servers: o.servers,
    name,
    reconnect: true,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    reconnectJitter: 250,
    timeout: 5000,
  };
  if (o.user !== undefined) Object.assign(opts, { user: o.user, pass: o.password });
  if (o.token !== undefined) opts.token = o.token;
  if (o.credsFile !== undefined) opts.authenticator = credsAuthenticator(fs.readFileSync(o.credsFile));
  if (o.tlsCa !== undefined || o.tlsCert !== undefined) {
    opts.tls = {
      ...(o.tlsCa !== undefined ? { caFile: o.tlsCa } : {}),
      ...(o.tlsCert !== undefined ? { certFile: o.tlsCert, keyFile: o.tlsKey } : {}),
    };
  }
  return opts;
}
