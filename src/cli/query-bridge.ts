/**
 * The query commands (list, get, history, at, diff, disappeared, waste, sources) live in
 * src/query; this bridge names them for the dispatcher and runs them, loading their module
 * on use: first asking the daemon running on the data directory (query-via-daemon.ts),
 * else opening the directory read-only.
 */
import { QUERY_COMMANDS, QUERY_COMMAND_NAMES, type QueryCommandName } from '../query/command-help.js';
import type { CliIo } from './io.js';

export function queryCommandNames(): string[] {
  return [...QUERY_COMMAND_NAMES];
}

export function queryCommandSummary(name: string): string {
  return QUERY_COMMANDS[name as QueryCommandName]?.summary ?? name;
}

export async function runQuery(name: string, argv: readonly string[], io: CliIo): Promise<number> {
  const { queryViaDaemon } = await import('./query-via-daemon.js');
  const dataDirGiven = argv.some((a) => a === '--data-dir' || a.startsWith('--data-dir='));
  const envDir = io.env['ELAVA_DATA_DIR'];
  // ELAVA_DATA_DIR serves the query commands as it serves the daemon.
  const args = !dataDirGiven && envDir !== undefined && envDir !== '' ? [...argv, '--data-dir', envDir] : [...argv];
  const strip = (s: string): string => (s.endsWith('\n') ? s.slice(0, -1) : s);
  const queryIo = { stdout: (s: string) => io.out(strip(s)), stderr: (s: string) => io.err(strip(s)) };
  const command = name as QueryCommandName;
  const answered = await queryViaDaemon(command, args, queryIo, { env: io.env });
  if (answered !== null) return answered;
  // Loaded only now: the store, replay and query code are what a daemon's answer saves.
  const { runQueryCommand } = await import('../query/commands.js');
  return runQueryCommand(command, args, queryIo);
}
