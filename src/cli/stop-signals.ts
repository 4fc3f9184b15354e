/**
 * SIGTERM/SIGINT for the long-running fan-in commands: the first aborts `controller` (the
 * command finishes cleanly: the forwarder writes its cursor, the aggregator checkpoints and
 * closes its log); a second exits at once with 128 + the signal number.
 */
import type { Logger } from 'pino';
import type { CliIo } from './io.js';

export function stopOnSignals(controller: AbortController, logger: Logger, io: CliIo): () => void {
  const onSignal = (signal: NodeJS.Signals): void => {
    if (controller.signal.aborted) {
      io.err(`elava: second ${signal}: exiting now`);
      process.exit(128 + (signal === 'SIGINT' ? 2 : 15));
    }
    logger.info({ signal }, `${signal} received: stopping cleanly (send it again to exit at once)`);
    controller.abort();
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  return () => {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  };
}
