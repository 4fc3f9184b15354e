/** Command-line options of wal-dump, parsed with node:util parseArgs and validated. */
import { UsageError } from '../src/usage-error.js';
import { parseArgs } from 'node:util';
import { repeatedOption } from '../src/cli/repeated-options.js';
import type { RecordFilter } from './record-filter.js';
import { parseTimeMs } from './time-text.js';

export type Mode = 'dump' | 'verify' | 'stats' | 'follow';

export interface DumpOptions {
  mode: Mode;
  json: boolean;
  raw: boolean;
  filter: RecordFilter;
  limit: number | null;
  paths: string[];
}

export type ParsedArgs = { help: true } | { help: false; options: DumpOptions };

export { UsageError };

export const KINDS: readonly string[] = [
  'appeared', 'changed', 'disappeared', 'scope-scanned', 'checkpoint', 'compaction-scheduled', 'compaction-finished', 'log-repaired', 'history-downsampled', 'source-commit', 'commit', 'header', 'structures',
];

const SPEC = {
  verify: { type: 'boolean' }, stats: { type: 'boolean' }, follow: { type: 'boolean' }, json: { type: 'boolean' }, raw: { type: 'boolean' },
  from: { type: 'string' }, to: { type: 'string' }, since: { type: 'string' }, until: { type: 'string' },
  kind: { type: 'string', multiple: true }, key: { type: 'string' }, type: { type: 'string' }, limit: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export function parseOptions(argv: readonly string[]): ParsedArgs {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: SPEC, allowPositionals: true, strict: true });
    const twice = repeatedOption({ args: [...argv], options: SPEC, allowPositionals: true, strict: true });
    if (twice !== null) throw new UsageError(`--${twice} given twice`);
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError((err as Error).message);
  }
  const v = parsed.values;
  if (v.help) return { help: true };
  const modes = (['verify', 'stats', 'follow'] as const).filter((m) => v[m] === true);
  if (modes.length > 1) throw new UsageError(`--${modes[0]} and --${modes[1]} cannot be combined`);
  const mode: Mode = modes[0] ?? 'dump';
  const filter = parseFilter(v);
  const limit = v.limit === undefined ? null : count('--limit', v.limit);
  if (mode === 'verify' && (limit !== null || filterGiven(v))) {
    throw new UsageError('--verify checks the whole log: it takes no filters or --limit');
  }
  if (parsed.positionals.length === 0) throw new UsageError('give a log directory or segment files');
  return { help: false, options: { mode, json: v.json === true, raw: v.raw === true, filter, limit, paths: parsed.positionals } };
}

type Values = { [K in 'from' | 'to' | 'since' | 'until' | 'key' | 'type']?: string } & { kind?: string[] };

function filterGiven(v: Values): boolean {
  return [v.from, v.to, v.since, v.until, v.key, v.type, v.kind].some((x) => x !== undefined);
}

function parseFilter(v: Values): RecordFilter {
  const fromMain = v.from === undefined ? null : count('--from', v.from);
  const toMain = v.to === undefined ? null : count('--to', v.to);
  if (fromMain !== null && toMain !== null && fromMain > toMain) throw new UsageError(`--from ${fromMain} is after --to ${toMain}`);
  const sinceMs = v.since === undefined ? null : time('--since', v.since);
  const untilMs = v.until === undefined ? null : time('--until', v.until);
  if (sinceMs !== null && untilMs !== null && sinceMs > untilMs) throw new UsageError('--since is after --until');
  let kinds: Set<string> | null = null;
  if (v.kind) {
    kinds = new Set(v.kind.flatMap((k) => k.split(',')).map((k) => k.trim()).filter((k) => k !== ''));
    for (const k of kinds) if (!KINDS.includes(k)) throw new UsageError(`unknown --kind ${JSON.stringify(k)} (one of: ${KINDS.join(', ')})`);
  }
  const key = v.key === undefined ? null : nonEmpty('--key', v.key);
  const type = v.type === undefined ? null : nonEmpty('--type', v.type);
  return { fromMain, toMain, sinceMs, untilMs, kinds, key, type };
}

function count(name: string, text: string): number {
  if (!/^\d{1,15}$/.test(text)) throw new UsageError(`${name} wants a whole number, got ${JSON.stringify(text)}`);
  return Number(text);
}

function time(name: string, text: string): number {
  const ms = parseTimeMs(text);
  if (ms === null) throw new UsageError(`${name} wants milliseconds since the epoch or an ISO 8601 time, got ${JSON.stringify(text)}`);
  return ms;
}

function nonEmpty(name: string, text: string): string {
  if (text === '') throw new UsageError(`${name} must not be empty`);
  return text;
}
