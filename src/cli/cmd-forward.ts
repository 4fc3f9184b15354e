/**
 * `elava forward`: publishes every event of a data directory's log to a NATS JetStream
 * stream, from a durable cursor (src/fanin/forwarder.ts). Runs beside the daemon (it takes
 * no lock and only reads the log) or on a copy of the directory.
 */
import fs from 'node:fs';
import pino from 'pino';
import { Registry } from 'prom-client';
import { startHttpServer } from '../daemon/http-server.js';
import { createLogger } from '../daemon/logger.js';
import { FORWARD_IN_FLIGHT_MAX } from '../limits.js';
import { Forwarder } from '../fanin/forwarder.js';
import { parseArgs, UsageError, type FlagKind } from './args.js';
import { FANIN_FLAGS, FANIN_OPTIONS_HELP, faninCommon, httpListen, intFlag } from './fanin-args.js';
import { EXIT_FAILURE, EXIT_OK, type CliIo } from './io.js';
import { stopOnSignals } from './stop-signals.js';

const FLAGS = new Map<string, FlagKind>([...FANIN_FLAGS, ['once', 'boolean'], ['in-flight', 'string']]);

export function forwardHelp(): string {
  return [
    'usage: elava forward --nats-server HOST:PORT [--data-dir DIR] [--stream NAME] [--once] [options]',
    '',
    'Publishes every event of the data directory\'s log to a NATS JetStream stream, one message',
    'per event: subject elava.<source>.<provider>.<account>.<region>.<type>, Nats-Msg-Id',
    '<source>:<revision>.<sub>. <source> is the directory\'s id (file SOURCE_ID, created on first',
    'use). The cursor (file forward.cursor) moves only after the server acknowledges, so a',
    'restart or kill -9 republishes at most what was in flight, and the stream drops the',
    'duplicates. Takes no lock and only reads the log: run it beside `elava daemon`. Fan-in is',
    'opt-in: the daemon itself never needs NATS.',
    '',
    ...FANIN_OPTIONS_HELP,
    `  --in-flight N          publishes awaiting acknowledgement at most (1..${FORWARD_IN_FLIGHT_MAX}, default ${FORWARD_IN_FLIGHT_MAX})`,
    '  --once                 exit 0 once everything in the log is acknowledged',
    '  --http-listen ADDR     serve /healthz and /metrics (Prometheus) on host:port (default off;',
    '                         off loopback ELAVA_HTTP_TOKEN is required)',
    '',
    'Connection failures are retried with backoff (0.1 s doubling to 10 s), forever.',
    'SIGTERM/SIGINT: stop after writing the cursor; a second signal exits at once.',
    'Exit codes: 0 stopped (or caught up, with --once); 1 operating error (data directory,',
    'log, cursor file, stream); 2 usage.',
  ].join('\n');
}

export async function forwardCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const { flags, positionals } = parseArgs(argv, FLAGS);
  if (flags.has('help')) {
    io.out(forwardHelp());
    return EXIT_OK;
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument ${positionals[0]}`);
  const common = faninCommon(flags, io.env);
  const inFlightMax = intFlag(flags, 'in-flight', FORWARD_IN_FLIGHT_MAX, 1, FORWARD_IN_FLIGHT_MAX);
  const http = httpListen(flags.get('http-listen') ?? 'off', io.env);
  if (!fs.existsSync(common.dir)) {
    io.err(`elava forward: data directory ${common.dir} does not exist`);
    return EXIT_FAILURE;
  }
  const logger = createLogger(common.logLevel, pino.destination({ dest: 1, sync: true }));
  const registry = new Registry();
  const forwarder = Forwarder.open({
    dir: common.dir, nats: common.nats, logger, registry, inFlightMax, exitWhenCaughtUp: flags.has('once'),
  });
  const server = http.listen === null ? null : await startHttpServer(http.listen, http.token, {
    isReady: () => true,
    startup: () => ({ phase: 'ready' }),
    metrics: async () => ({ contentType: registry.contentType, body: await registry.metrics() }),
    query: async () => null,
  }, logger);
  const stop = new AbortController();
  const removeSignals = stopOnSignals(stop, logger, io);
  try {
    await forwarder.run(stop.signal);
  } finally {
    removeSignals();
    await server?.close();
  }
  return EXIT_OK;
}
