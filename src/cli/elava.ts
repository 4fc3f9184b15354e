#!/usr/bin/env node
/**
 * `elava <command>`: the dispatcher. Each command returns its exit code; usage errors are
 * exit 2 with the usage on stderr; operating errors (DaemonError, WalError, SnapshotError,
 * anything with a string `code`) are one line on stderr and exit 1 (or the error's own
 * exit code). A stack trace is printed only for a bug, or with ELAVA_DEBUG=1.
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isDaemonError } from '../daemon/errors.js';
import { UsageError } from './args.js';
import { mainUsage, type CommandSummary } from './help.js';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, processIo, type CliIo } from './io.js';
import { queryCommandNames, queryCommandSummary, runQuery } from './query-bridge.js';
import { elavaVersion } from '../version.js';

type Command = (argv: readonly string[], io: CliIo) => Promise<number>;

// Commands load their modules on use: --help, --version and query commands start without
// loading the cloud SDKs (about a second of start-up).
const OWN_COMMANDS: ReadonlyArray<CommandSummary & { run: Command }> = [
  { name: 'daemon', summary: 'scan on an interval and record every change (--simulate for the demo)', run: async (a, io) => (await import('./cmd-daemon.js')).daemonCommand(a, io) },
  { name: 'forward', summary: 'publish every event of the log to a NATS JetStream stream (fan-in)', run: async (a, io) => (await import('./cmd-forward.js')).forwardCommand(a, io) },
  { name: 'aggregate', summary: 'one view of many daemons: consume the stream into this log (fan-in)', run: async (a, io) => (await import('./cmd-aggregate.js')).aggregateCommand(a, io) },
  { name: 'sim', summary: 'run the SIMULATED cloud on its own (for tests and demos)', run: async (a, io) => (await import('./cmd-sim.js')).simCommand(a, io) },
  { name: 'checkpoint', summary: 'take a checkpoint of the state now (daemon stopped)', run: async (a, io) => (await import('./cmd-ops.js')).checkpointCommand(a, io) },
  { name: 'compact', summary: 'drop history older than --keep DURATION or --before REV', run: async (a, io) => (await import('./cmd-ops.js')).compactCommand(a, io) },
  { name: 'rebuild', summary: 'replay the whole log into fresh state, print its hash, checkpoint it', run: async (a, io) => (await import('./cmd-ops.js')).rebuildCommand(a, io) },
  { name: 'repair', summary: 'show what a cut at damage in the log would lose; --accept-loss cuts (daemon stopped)', run: async (a, io) => (await import('./cmd-repair.js')).repairCommand(a, io) },
  { name: 'health', summary: "every scope's last listing (failed, suspect), the log's size, the last checkpoint", run: async (a, io) => (await import('./cmd-health.js')).healthCommand(a, io) },
  { name: 'verify', summary: 'check the log end to end and the recovered state against a rebuild', run: async (a, io) => (await import('./cmd-ops.js')).verifyCommand(a, io) },
];

function commands(): Array<CommandSummary & { run: Command }> {
  const query = queryCommandNames().map((name) => ({ name, summary: queryCommandSummary(name), run: (argv: readonly string[], io: CliIo) => runQuery(name, argv, io) }));
  return [...OWN_COMMANDS.slice(0, 1), ...query, ...OWN_COMMANDS.slice(1)];
}

export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const all = commands();
  const [name, ...rest] = argv;
  if (name === undefined) {
    io.err(mainUsage(all));
    return EXIT_USAGE;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    io.out(mainUsage(all));
    return EXIT_OK;
  }
  if (name === '--version' || name === '-v' || name === 'version') {
    io.out(`elava ${elavaVersion()}`);
    return EXIT_OK;
  }
  const command = all.find((c) => c.name === name);
  if (command === undefined) {
    io.err(`elava: unknown command ${JSON.stringify(name)}`);
    io.err(mainUsage(all));
    return EXIT_USAGE;
  }
  try {
    return await command.run(rest, io);
  } catch (err) {
    return reportError(name, err, io);
  }
}

function reportError(name: string, err: unknown, io: CliIo): number {
  if (err instanceof UsageError) {
    io.err(`elava ${name}: ${err.message}   (elava ${name} --help)`);
    return EXIT_USAGE;
  }
  if (isDaemonError(err)) {
    io.err(`elava: ${err.message}`);
    return err.exitCode;
  }
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && !code.startsWith('ERR_ASSERTION') && io.env['ELAVA_DEBUG'] !== '1') {
    io.err(`elava ${name}: [${code}] ${(err as Error).message}`);
    return EXIT_FAILURE;
  }
  io.err(`elava ${name}: internal error (a bug; please report it with this trace):`);
  io.err((err as Error)?.stack ?? String(err));
  return EXIT_FAILURE;
}

if (isEntryPoint()) {
  main(process.argv.slice(2), processIo()).then(
    (code) => exitAfterFlush(code),
    (err: unknown) => {
      process.stderr.write(`elava: internal error: ${(err as Error)?.stack ?? String(err)}\n`);
      exitAfterFlush(EXIT_FAILURE);
    },
  );
}

/** True when this file is the program run (directly, or through a bin symlink), not an import. */
function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return fs.realpathSync(script) === fileURLToPath(import.meta.url);
  } catch {
    return false;
  }
}

/** Exits once stdout has drained (a pipe to `head` or pino-pretty must get every line). */
function exitAfterFlush(code: number): void {
  if (process.stdout.writableLength === 0) process.exit(code);
  process.stdout.once('drain', () => process.exit(code));
  setTimeout(() => process.exit(code), 2000).unref();
}
