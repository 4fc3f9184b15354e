/**
 * The query commands (list, get, history, at, diff, disappeared, waste) live in src/query;
 * this bridge names them for the dispatcher and runs them, loading their module on use.
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
  const { runQueryCommand } = await import('../query/commands.js');
  const dataDirGiven = argv.some((a) => a === '--data-dir' || a.startsWith('--data-dir='));
  const envDir = io.env['ELAVA_DATA_DIR'];
  // ELAVA_DATA_DIR serves the query commands as it serves the daemon.
  const args = !dataDirGiven && envDir !== undefined && envDir !== '' ? [...argv, '--data-dir', envDir] : [...argv];
  const strip = (s: string): string => (s.endsWith('\n') ? s.slice(0, -1) : s);
  return runQueryCommand(name as QueryCommandName, args, { stdout: (s) => io.out(strip(s)), stderr: (s) => io.err(strip(s)) });
}
