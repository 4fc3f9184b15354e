/**
 * One rule for every command line (elava's own parser in args.ts, the query commands and
 * wal-dump, which use node:util parseArgs): an option given twice is a usage error, never
 * "the last one wins". node:util parseArgs keeps the last value silently; this checks its
 * tokens.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** The first option named more than once, or null. */
export function repeatedOption(config: ParseArgsConfig): string | null {
  const { tokens } = parseArgs({ ...config, tokens: true });
  const seen = new Set<string>();
  for (const t of tokens ?? []) {
    if (t.kind !== 'option') continue;
    if (seen.has(t.name)) return t.name;
    seen.add(t.name);
  }
  return null;
}
