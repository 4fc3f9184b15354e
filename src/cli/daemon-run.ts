/**
 * The running part of `elava daemon`, loaded once the configuration is valid: clients for
 * the clouds (or the simulated cloud), the daemon, signals, the clean stop.
 */
import pino, { type Logger } from 'pino';
import type { DaemonConfig } from '../daemon/config.js';
import type { CycleReport } from '../daemon/cycle.js';
import { Daemon } from '../daemon/daemon.js';
import { isDaemonError } from '../daemon/errors.js';
import { createLogger } from '../daemon/logger.js';
import { realScanSetup, type ScanSetup } from '../daemon/scan-setup.js';
import { startSimulation, type Simulation } from './simulate.js';
import { reportStartError, SHUTDOWN_MS_MAX, type DaemonInvocation } from './cmd-daemon.js';
import { EXIT_FAILURE, EXIT_OK, type CliIo } from './io.js';
import { onceOutcome } from './once-outcome.js';

export async function runDaemon(inv: DaemonInvocation, io: CliIo): Promise<number> {
  let daemon: Daemon;
  // Synchronous: a few lines per cycle, always in order and never lost at exit (async
  // buffering let the --once summary overtake the shutdown lines on a full stdout pipe).
  const logger = createLogger(inv.config.logLevel, pino.destination({ dest: 1, sync: true }));
  quietSdkNodeWarning(logger);
  try {
    const sim: Simulation | null = inv.scenario !== null ? await startSimulation(inv.scenario, inv.config) : null;
    const scan: ScanSetup = sim ?? realScanSetup(inv.config);
    const cloud = sim?.cloud ?? null;
    if (cloud !== null) logger.info({ simulated: true, ec2: cloud.ec2Endpoint, rds: cloud.rdsEndpoint, gcpPort: cloud.gcp.port }, 'SIMULATED cloud started in this process (not AWS, not Google Cloud)');
    daemon = await Daemon.open({
      config: inv.config,
      scan,
      logger,
      create: inv.create,
      settleHeap: !inv.once, // one cycle, then exit: nothing to give back for
      ...(cloud !== null ? { beforeCycle: (n: number) => (n > 1 ? cloud.advance() : undefined) } : {}),
    });
  } catch (err) {
    return reportStartError(err, io);
  }
  logHint(logger, inv.config, daemon.httpAddress, inv.once);
  const signals = installSignals(daemon, logger, io);
  let last: CycleReport | null = null;
  try {
    last = await daemon.run({ once: inv.once });
  } catch (err) {
    logger.fatal({ err }, 'fatal: stopping without pretending (nothing after the failure was acknowledged)');
    io.err(`elava: ${(err as Error).message}`);
    await daemon.close().catch(() => undefined);
    await signals.remove();
    return isDaemonError(err) ? err.exitCode : EXIT_FAILURE;
  }
  await daemon.close();
  await signals.remove();
  if (!inv.once) return EXIT_OK;
  // The last line of the run: what a cron job or CI step gets told, and why.
  const outcome = onceOutcome(last);
  logger[outcome.level](outcome.fields, outcome.message);
  return outcome.exitCode;
}

/**
 * The AWS SDK prints a multi-line warning to stderr on Node < 22 (future releases will need
 * Node 22). stderr is where start-up errors go, one line each, so say it once in the log.
 */
function quietSdkNodeWarning(logger: Logger): void {
  const name = 'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED';
  if (process.env[name] !== undefined) return;
  process.env[name] = 'true';
  const major = Number(process.versions.node.split('.')[0]);
  if (major < 22) logger.warn({ node: process.versions.node }, 'AWS SDK releases after early 2027 will need Node >= 22; this build pins a version that supports Node 20');
}

function logHint(logger: Logger, config: DaemonConfig, http: string | null, once: boolean): void {
  const dir = config.dataDir;
  const every = config.aggregate !== null
    ? `aggregating stream ${config.aggregate.nats.stream} (consumer ${config.aggregate.durable}) from ${config.aggregate.nats.servers.join(',')}`
    : `scanning every ${Math.round(config.intervalMs / 1000)}s`;
  const pace = once ? 'one cycle (--once), then exit' : every;
  const auth = config.http.token !== null ? ' -H "Authorization: Bearer $ELAVA_HTTP_TOKEN"' : '';
  logger.info({
    dataDir: dir,
    http,
    try: [
      `elava list --data-dir ${dir}`,
      `elava history <KEY> --data-dir ${dir}`,
      `elava diff <REV-A> <REV-B> --data-dir ${dir}`,
      `elava waste --data-dir ${dir}`,
      ...(config.aggregate !== null ? [`elava sources --data-dir ${dir}`] : []),
      ...(http !== null ? [`curl -s${auth} http://${http}/v1/resources`, `curl -s${auth} http://${http}/metrics`, `open http://${http}/ui/ (web console)`] : []),
    ],
  }, `${pace}; query the data with e.g. \`elava list --data-dir ${dir}\` (works while this runs)`);
}

function installSignals(daemon: Daemon, logger: Logger, io: CliIo): { remove(): Promise<void> } {
  let timer: NodeJS.Timeout | null = null;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (daemon.stopRequested) {
      io.err(`elava: second ${signal}: exiting now`);
      process.exit(128 + (signal === 'SIGINT' ? 2 : 15));
    }
    logger.info({ signal }, `${signal} received: stopping cleanly (send it again to exit at once)`);
    daemon.requestStop(signal);
    timer = setTimeout(() => {
      io.err(`elava: clean stop took over ${SHUTDOWN_MS_MAX / 1000}s; exiting`);
      process.exit(EXIT_FAILURE);
    }, SHUTDOWN_MS_MAX);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  return {
    async remove() {
      // A clean stop can now finish within one turn of the event loop (every listing
      // settles at once on abort), while a second signal sent with the first is delivered
      // but not yet dispatched: removing the handlers first would drop it. One turn lets it
      // reach onSignal (which then exits at once, with its code).
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (timer !== null) clearTimeout(timer);
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
    },
  };
}
