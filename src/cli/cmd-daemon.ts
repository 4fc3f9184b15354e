/**
 * `elava daemon`: config in (file, ELAVA_* env, flags), the daemon up, cycles until a
 * signal, a clean stop. Start-up errors are one line on stderr and an exit code (2 for
 * config, 1 for the data directory, the port, the log); never a stack trace. With --once
 * the exit code also tells how the cycle went (once-outcome.ts: 10 some, 11 every scope failed).
 *
 * Signals: the first SIGTERM/SIGINT asks the daemon to stop (abort the listing in flight,
 * checkpoint, close the log); if that takes longer than SHUTDOWN_MS_MAX the process exits 1.
 * A second signal exits at once with 128 + the signal number (130 for SIGINT, 143 for SIGTERM).
 */
import { loadConfig } from '../daemon/config-load.js';
import { CONFIG_KEYS, flagNameOf } from '../daemon/config-keys.js';
import type { DaemonConfig } from '../daemon/config.js';
import { isDaemonError } from '../daemon/errors.js';
import { SIMULATE_PRESETS, simulateForced } from './simulate-config.js';
import { demoScenario, loadScenario, type SimScenario } from '../sim/scenario-load.js';
import { parseArgs, UsageError, type FlagKind } from './args.js';
import { daemonHelp } from './help.js';
import { EXIT_OK, EXIT_USAGE, type CliIo } from './io.js';

/** Longest a clean stop may take after the first signal. */
export const SHUTDOWN_MS_MAX = 10_000;

const DAEMON_FLAGS: ReadonlyMap<string, FlagKind> = new Map<string, FlagKind>([
  ['help', 'boolean'], ['config', 'string'], ['simulate', 'boolean'], ['scenario', 'string'], ['once', 'boolean'], ['create', 'boolean'],
  ...CONFIG_KEYS.map((k): [string, FlagKind] => [flagNameOf(k.path), 'string']),
]);

export interface DaemonInvocation {
  config: DaemonConfig;
  scenario: SimScenario | null;
  once: boolean;
  create: boolean;
}

export async function daemonCommand(argv: readonly string[], io: CliIo): Promise<number> {
  let inv: DaemonInvocation | null;
  try {
    inv = parseInvocation(argv, io);
  } catch (err) {
    return reportStartError(err, io);
  }
  if (inv === null) return EXIT_OK; // --help
  // Loaded after the config is valid: the cloud SDKs take about a second to load.
  const { runDaemon } = await import('./daemon-run.js');
  return runDaemon(inv, io);
}

/** The invocation, or null after printing --help. Throws UsageError / DaemonError. */
function parseInvocation(argv: readonly string[], io: CliIo): DaemonInvocation | null {
  const { flags, positionals } = parseArgs(argv, DAEMON_FLAGS);
  if (flags.has('help')) {
    io.out(daemonHelp());
    return null;
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument ${positionals[0]}`);
  const simulate = flags.has('simulate');
  const scenarioPath = flags.get('scenario');
  if (scenarioPath !== undefined && !simulate) throw new UsageError('--scenario needs --simulate');
  let scenario: SimScenario | null = null;
  if (simulate) {
    try {
      scenario = scenarioPath !== undefined ? loadScenario(scenarioPath) : demoScenario();
    } catch (err) {
      throw new UsageError((err as Error).message.split('\n', 1)[0] ?? 'bad scenario');
    }
  }
  const keyFlags = new Map([...flags].filter(([name]) => !['help', 'config', 'simulate', 'scenario', 'once', 'create'].includes(name)));
  const configPath = flags.get('config') ?? io.env['ELAVA_CONFIG'];
  const config = loadConfig({
    ...(configPath !== undefined && configPath !== '' ? { configPath } : {}),
    env: io.env,
    flags: keyFlags,
    ...(scenario !== null ? { presets: SIMULATE_PRESETS, forced: simulateForced(scenario), modeLabel: '--simulate' } : {}),
  });
  if (flags.has('once') && config.aggregate !== null) {
    throw new UsageError('--once runs one scan cycle, and an aggregating daemon (aggregate.natsServers) runs none');
  }
  return { config, scenario, once: flags.has('once'), create: flags.has('create') };
}

export function reportStartError(err: unknown, io: CliIo): number {
  if (err instanceof UsageError) {
    io.err(`elava daemon: ${err.message}`);
    io.err('usage: elava daemon [--config FILE] [--simulate] [--once] [options]   (elava daemon --help)');
    return EXIT_USAGE;
  }
  if (isDaemonError(err)) {
    io.err(`elava: ${err.message}`);
    return err.exitCode;
  }
  throw err; // a bug: let elava.ts report it
}

