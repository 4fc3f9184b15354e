/**
 * The daemon's logger: pino JSON lines on stdout (for journald, Docker, Loki...). Secrets
 * never reach a line: tokens, AWS secret keys and session tokens, authorization headers
 * and credential objects are replaced with "[redacted]" at the top level and up to five
 * levels down (array items count as a level). For humans: `elava daemon --simulate | npx pino-pretty`.
 */
import pino, { type DestinationStream, type Logger } from 'pino';
import type { LogLevel } from './config.js';

const SECRET_FIELDS = ['token', 'secretAccessKey', 'sessionToken', 'accessKeyId', 'authorization', 'Authorization', 'password', 'credentials', 'externalId', 'accessToken'];

/** Levels below the top at which secret fields are found (logging is low-volume: cheap). */
const REDACT_DEPTH_MAX = 5;

function redactPaths(): string[] {
  const paths: string[] = [];
  for (const field of SECRET_FIELDS) {
    // Arrays count as a level too (`config.aws.accounts[0].externalId` is five deep).
    for (let depth = 0; depth <= REDACT_DEPTH_MAX; depth++) paths.push('*.'.repeat(depth) + field);
  }
  paths.push('req.headers.authorization', 'headers.authorization');
  return paths;
}

export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { pid: process.pid, name: 'elava' },
    redact: { paths: redactPaths(), censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return destination === undefined ? pino(options) : pino(options, destination);
}
