/**
 * A small, strict flag parser for the `elava` commands: `--name value`, `--name=value`,
 * boolean `--name`, `--` ends flags. Unknown flags, missing values and repeated flags are
 * UsageErrors (exit 2), never guesses.
 */

import { UsageError } from '../usage-error.js';

export type FlagKind = 'string' | 'boolean';

export { UsageError };

export interface ParsedArgs {
  /** Flag name (no dashes) → value; booleans are "true". */
  flags: Map<string, string>;
  positionals: string[];
}

/** Bound on arguments: a command line longer than this is a mistake. */
const ARGS_MAX = 10_000;

export function parseArgs(argv: readonly string[], known: ReadonlyMap<string, FlagKind>): ParsedArgs {
  if (argv.length > ARGS_MAX) throw new UsageError(`too many arguments (${argv.length})`);
  const flags = new Map<string, string>();
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('--') || arg === '--') {
      if (arg.startsWith('-') && arg.length > 1) throw new UsageError(`unknown option ${arg} (options are spelled --name)`);
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
    const kind = known.get(name);
    if (kind === undefined) throw new UsageError(`unknown option --${name}`);
    if (flags.has(name)) throw new UsageError(`--${name} given twice`);
    if (kind === 'boolean') {
      if (eq >= 0) throw new UsageError(`--${name} takes no value`);
      flags.set(name, 'true');
      continue;
    }
    let value: string | undefined;
    if (eq >= 0) value = arg.slice(eq + 1);
    else value = argv[++i];
    if (value === undefined || (eq < 0 && value.startsWith('--'))) throw new UsageError(`--${name} needs a value`);
    flags.set(name, value);
  }
  return { flags, positionals };
}
