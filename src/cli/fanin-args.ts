/**
 * The options `elava forward` and `elava aggregate` share: the NATS connection (servers,
 * stream, credentials, TLS), the data directory, the log level, the HTTP face. Secrets come
 * from the environment only (ELAVA_NATS_PASSWORD, ELAVA_NATS_TOKEN, ELAVA_HTTP_TOKEN), never
 * from flags, which other users can read in the process list.
 */
import type { DaemonConfig } from '../daemon/config.js';
import { LOG_LEVELS } from '../daemon/config-keys.js';
import { parseListen, type ListenAddress } from '../daemon/listen-address.js';
import { checkNatsOptions, DEFAULT_STREAM, type NatsOptions } from '../fanin/nats-options.js';
import { isFaninError } from '../fanin/errors.js';
import { UsageError, type FlagKind } from './args.js';

export const FANIN_FLAGS: ReadonlyArray<[string, FlagKind]> = [
  ['help', 'boolean'], ['data-dir', 'string'], ['nats-server', 'string'], ['stream', 'string'],
  ['nats-user', 'string'], ['nats-creds', 'string'], ['nats-tls-ca', 'string'], ['nats-tls-cert', 'string'],
  ['nats-tls-key', 'string'], ['log-level', 'string'], ['http-listen', 'string'],
];

export const FANIN_OPTIONS_HELP = [
  '  --data-dir DIR         data directory (default ./elava-data)',
  '  --nats-server LIST     NATS servers, host:port or nats://host:port, comma-separated',
  '                         (also ELAVA_NATS_SERVERS; required)',
  `  --stream NAME          JetStream stream (default ${DEFAULT_STREAM}; created with subjects`,
  '                         elava.> and file storage when missing)',
  '  --nats-user USER       user; its password from ELAVA_NATS_PASSWORD',
  '                         (or a token: ELAVA_NATS_TOKEN)',
  '  --nats-creds FILE      a .creds file (JWT and NKey seed)',
  '  --nats-tls-ca FILE     CA certificate to trust for tls://',
  '  --nats-tls-cert FILE   client certificate for TLS (with --nats-tls-key FILE)',
  '  --log-level LEVEL      pino log level (default info)',
];

export interface FaninCommon {
  dir: string;
  dataDirExplicit: boolean;
  nats: NatsOptions;
  logLevel: DaemonConfig['logLevel'];
}

export function faninCommon(flags: ReadonlyMap<string, string>, env: Readonly<Record<string, string | undefined>>): FaninCommon {
  const serversText = flags.get('nats-server') ?? env['ELAVA_NATS_SERVERS'] ?? '';
  const nats: NatsOptions = {
    servers: serversText.split(',').map((s) => s.trim()).filter((s) => s.length > 0),
    stream: flags.get('stream') ?? DEFAULT_STREAM,
  };
  const set = (key: keyof NatsOptions, value: string | undefined): void => {
    if (value !== undefined && value !== '') Object.assign(nats, { [key]: value });
  };
  set('user', flags.get('nats-user'));
  set('password', env['ELAVA_NATS_PASSWORD']);
  set('token', env['ELAVA_NATS_TOKEN']);
  set('credsFile', flags.get('nats-creds'));
  set('tlsCa', flags.get('nats-tls-ca'));
  set('tlsCert', flags.get('nats-tls-cert'));
  set('tlsKey', flags.get('nats-tls-key'));
  try {
    checkNatsOptions(nats);
  } catch (err) {
    if (isFaninError(err, 'FANIN_CONFIG')) throw new UsageError(err.message);
    throw err;
  }
  const logLevel = flags.get('log-level') ?? 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) throw new UsageError(`--log-level must be one of ${LOG_LEVELS.join(', ')}`);
  const dir = flags.get('data-dir') ?? './elava-data';
  if (dir.trim() === '') throw new UsageError('--data-dir must not be empty');
  return { dir, dataDirExplicit: flags.has('data-dir'), nats, logLevel: logLevel as DaemonConfig['logLevel'] };
}

/** `--http-listen host:port|off`; a non-loopback address needs ELAVA_HTTP_TOKEN. */
export function httpListen(text: string, env: Readonly<Record<string, string | undefined>>): { listen: ListenAddress | null; token: string | null } {
  const token = env['ELAVA_HTTP_TOKEN'] ?? null;
  if (token !== null && token.length < 16) throw new UsageError('ELAVA_HTTP_TOKEN must be at least 16 characters');
  if (text.trim() === 'off') return { listen: null, token };
  const listen = parseListen(text.trim());
  if (typeof listen === 'string') throw new UsageError(`--http-listen: ${listen}`);
  if (!listen.loopback && token === null) throw new UsageError(`--http-listen ${text} is not a loopback address, so ELAVA_HTTP_TOKEN is required`);
  return { listen, token };
}

/** A positive integer flag within bounds. */
export function intFlag(flags: ReadonlyMap<string, string>, name: string, fallback: number, min: number, max: number): number {
  const text = flags.get(name);
  if (text === undefined) return fallback;
  const n = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) throw new UsageError(`--${name} must be an integer from ${min} to ${max}`);
  return n;
}
