/** `elava sim`: the SIMULATED cloud on its own, for pointing a daemon or an SDK at it. */
import { createLogger } from '../daemon/logger.js';
import { parseDurationMs } from '../daemon/duration.js';
import { runSimStandalone } from '../sim/main.js';
import { demoScenario, loadScenario, type SimScenario } from '../sim/scenario-load.js';
import { parseArgs, UsageError, type FlagKind } from './args.js';
import { SIM_HELP } from './help.js';
import { EXIT_OK, type CliIo } from './io.js';

const SIM_FLAGS: ReadonlyMap<string, FlagKind> = new Map<string, FlagKind>([
  ['help', 'boolean'], ['scenario', 'string'], ['tick', 'string'], ['ec2-port', 'string'], ['rds-port', 'string'], ['gcp-port', 'string'],
  ['sts-port', 'string'],
]);

export async function simCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const { flags, positionals } = parseArgs(argv, SIM_FLAGS);
  if (flags.has('help')) {
    io.out(SIM_HELP);
    return EXIT_OK;
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument ${positionals[0]}`);
  const tickText = flags.get('tick');
  const tickIntervalMs = tickText === undefined ? undefined : parseDurationMs(tickText);
  if (tickIntervalMs === null) throw new UsageError(`--tick ${JSON.stringify(tickText)} is not a duration (e.g. 10s)`);
  let scenario: SimScenario;
  try {
    const path = flags.get('scenario');
    scenario = path !== undefined ? loadScenario(path) : demoScenario();
  } catch (err) {
    throw new UsageError((err as Error).message.split('\n', 1)[0] ?? 'bad scenario');
  }
  const ports = {
    ...port(flags, 'ec2'), ...port(flags, 'rds'), ...port(flags, 'gcp'), ...port(flags, 'sts'),
  };
  await runSimStandalone(scenario, createLogger('info'), { ports, ...(tickIntervalMs !== undefined ? { tickIntervalMs } : {}) });
  return EXIT_OK;
}

type SimService = 'ec2' | 'rds' | 'gcp' | 'sts';

function port(flags: Map<string, string>, name: SimService): Partial<Record<SimService, number>> {
  const text = flags.get(`${name}-port`);
  if (text === undefined) return {};
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`--${name}-port ${JSON.stringify(text)} is not a port (0..65535)`);
  return { [name]: n };
}
