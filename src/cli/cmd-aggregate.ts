/**
 * `elava aggregate`: one view of many daemons. Consumes the JetStream stream the forwarders
 * publish to (src/fanin/aggregator.ts) into this data directory's own log, and serves it as
 * the daemon does (/healthz, /readyz, /metrics, /v1/...); every query command works on the
 * directory, and `elava sources` shows who feeds it.
 */
import fs from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { parseDurationMs } from '../daemon/duration.js';
import { queryEndpoints } from '../daemon/http-query.js';
import { startHttpServer, type HttpServer } from '../daemon/http-server.js';
import { createLogger } from '../daemon/logger.js';
import { DaemonMetrics } from '../daemon/metrics.js';
import { Aggregator } from '../fanin/aggregator.js';
import { DEFAULT_DURABLE } from '../fanin/nats-options.js';
import { AGGREGATE_ACK_PENDING_MAX, AGGREGATE_ACK_WAIT_MS } from '../limits.js';
import { findProjection } from '../projection/builtins.js';
import { Counts } from '../projection/counts.js';
import { parseArgs, UsageError, type FlagKind } from './args.js';
import { FANIN_FLAGS, FANIN_OPTIONS_HELP, faninCommon, httpListen } from './fanin-args.js';
import { EXIT_FAILURE, EXIT_OK, type CliIo } from './io.js';
import { stopOnSignals } from './stop-signals.js';

const FLAGS = new Map<string, FlagKind>([...FANIN_FLAGS, ['durable', 'string'], ['create', 'boolean'], ['ack-wait', 'string']]);
const DEFAULT_LISTEN = '127.0.0.1:9464';

export function aggregateHelp(): string {
  return [
    'usage: elava aggregate --nats-server HOST:PORT [--data-dir DIR] [--durable NAME] [--create] [options]',
    '',
    'Consumes the JetStream stream that `elava forward` publishes to, through a durable pull',
    'consumer, into this data directory\'s own log: each source commit becomes one commit here',
    '(recording the source id and revision), acknowledged to JetStream only after fdatasync.',
    'A redelivered or republished source commit is recognised by (source, revision) and',
    'changes nothing; a source\'s commits are applied in order, never over a gap. Two sources',
    'reporting the same scope is a conflict: the first keeps it, the other\'s events for it are',
    'not applied, and it is logged, counted and shown by `elava sources`. Query the directory',
    'with every query command (elava list, history, diff, ... --data-dir DIR). `elava daemon`',
    'with an [aggregate] section does the same from the daemon (see elava daemon --help).',
    '',
    ...FANIN_OPTIONS_HELP,
    `  --durable NAME         durable consumer name (default ${DEFAULT_DURABLE}); one aggregator each`,
    '  --create               create the data directory (0700) if missing (./elava-data always is)',
    `  --ack-wait DURATION    JetStream redelivery wait (default ${AGGREGATE_ACK_WAIT_MS / 1000}s)`,
    `  --http-listen ADDR     HTTP face as the daemon's (default ${DEFAULT_LISTEN}, or off; off loopback`,
    '                         ELAVA_HTTP_TOKEN is required), with GET /v1/sources',
    '',
    `Limit: a source commit over ${AGGREGATE_ACK_PENDING_MAX} events cannot be taken (it must be held whole`,
    'before it is acknowledged).',
    'SIGTERM/SIGINT: stop, checkpoint, close the log; a second signal exits at once.',
    'Exit codes: 0 stopped; 1 operating error (data directory locked or damaged, log refused an',
    'append, stream unusable); 2 usage; 3 damaged log (see elava repair).',
  ].join('\n');
}

export async function aggregateCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const { flags, positionals } = parseArgs(argv, FLAGS);
  if (flags.has('help')) {
    io.out(aggregateHelp());
    return EXIT_OK;
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument ${positionals[0]}`);
  const common = faninCommon(flags, io.env);
  const durable = flags.get('durable') ?? DEFAULT_DURABLE;
  const ackWaitMs = flags.has('ack-wait') ? parseDurationMs(flags.get('ack-wait') as string) : AGGREGATE_ACK_WAIT_MS;
  if (ackWaitMs === null || ackWaitMs < 1000) throw new UsageError('--ack-wait must be a duration of at least 1s (e.g. 30s)');
  const http = httpListen(flags.get('http-listen') ?? DEFAULT_LISTEN, io.env);
  const create = flags.has('create') || !common.dataDirExplicit;
  if (!create && !fs.existsSync(common.dir)) {
    io.err(`elava aggregate: data directory ${common.dir} does not exist (create it with \`mkdir -m 700 ${common.dir}\`, or pass --create)`);
    return EXIT_FAILURE;
  }
  if (create && !fs.existsSync(path.dirname(path.resolve(common.dir)))) {
    io.err(`elava aggregate: the parent of data directory ${common.dir} does not exist`);
    return EXIT_FAILURE;
  }
  const logger = createLogger(common.logLevel, pino.destination({ dest: 1, sync: true }));
  let aggregator: Aggregator | null = null;
  const metrics = new DaemonMetrics({
    wal: () => aggregator?.log.wal ?? null,
    counts: () => (aggregator === null ? null : findProjection(aggregator.log.projections, Counts) ?? null),
  });
  aggregator = await Aggregator.open({ dir: common.dir, nats: common.nats, durable, logger, registry: metrics.registry, create, ackWaitMs });
  const agg = aggregator;
  let server: HttpServer | null = null;
  const queries = queryEndpoints(common.dir, () => agg.log.projections, () => agg.log.wal.structures);
  const stop = new AbortController();
  const removeSignals = stopOnSignals(stop, logger, io);
  try {
    if (http.listen !== null) {
      server = await startHttpServer(http.listen, http.token, {
        isReady: () => true, startup: () => ({ phase: 'ready' }), metrics: () => metrics.render(),
        query: (p, params) => queries.handle(p, params),
      }, logger);
      logger.info({ http: server.address }, `HTTP listening on ${server.address}`);
    }
    logger.info({ revision: agg.log.wal.lastMain, sources: agg.log.sources.size }, 'ready');
    await agg.run(stop.signal);
    return EXIT_OK;
  } catch (err) {
    logger.fatal({ err }, 'fatal: the aggregator stops (nothing after the failure was acknowledged)');
    return fatalExit(err, io);
  } finally {
    removeSignals();
    queries.close();
    await server?.close();
    await agg.close().catch((err: unknown) => logger.error({ err }, 'closing the log failed'));
  }
}

function fatalExit(err: unknown, io: CliIo): number {
  const code = (err as { code?: unknown } | null)?.code;
  io.err(`elava aggregate: ${typeof code === 'string' ? `[${code}] ` : ''}${(err as Error)?.message ?? String(err)}`);
  return EXIT_FAILURE;
}
