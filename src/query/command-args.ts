/**
 * Command-line options of the query commands (node:util parseArgs, strict: an unknown
 * option is a usage error), and their translation into filters and points.
 */
import { UsageError } from '../usage-error.js';
import { parseArgs } from 'node:util';
import { repeatedOption } from '../cli/repeated-options.js';
import type { ResourceType } from '../model/resource.js';
import type { QueryCommandName } from './command-help.js';
import { QueryError } from './errors.js';
import type { ListFilter } from './queries.js';

const FILTER_OPTIONS = {
  provider: { type: 'string' },
  account: { type: 'string' },
  region: { type: 'string' },
  type: { type: 'string' },
  owner: { type: 'string' },
  unowned: { type: 'boolean' },
  tag: { type: 'string' },
  untagged: { type: 'boolean' },
  state: { type: 'string' },
} as const;

const COMMON_OPTIONS = {
  'data-dir': { type: 'string', default: './elava-data' },
  'no-daemon': { type: 'boolean', default: false },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

const OPTIONS = {
  list: {
    ...COMMON_OPTIONS, ...FILTER_OPTIONS, at: { type: 'string' },
    limit: { type: 'string' }, after: { type: 'string' }, counts: { type: 'boolean' },
  },
  get: { ...COMMON_OPTIONS, at: { type: 'string' } },
  history: { ...COMMON_OPTIONS, field: { type: 'string' } },
  at: { ...COMMON_OPTIONS, ...FILTER_OPTIONS },
  diff: { ...COMMON_OPTIONS, ...FILTER_OPTIONS, limit: { type: 'string' } },
  disappeared: { ...COMMON_OPTIONS, since: { type: 'string' }, until: { type: 'string' } },
  waste: {
    ...COMMON_OPTIONS,
    'stopped-days': { type: 'string', default: '30' },
    'idle-days': { type: 'string', default: '30' },
    by: { type: 'string', default: 'rule' },
    prices: { type: 'string' },
    now: { type: 'string' },
    limit: { type: 'string' },
  },
  sources: { ...COMMON_OPTIONS, self: { type: 'boolean' } },
} as const;

/** How many positional arguments each command takes, and what they are called. */
const POSITIONALS: Record<QueryCommandName, readonly string[]> = {
  list: [],
  get: ['KEY'],
  history: ['KEY'],
  at: ['REV|TIME'],
  diff: ['A', 'B'],
  disappeared: [],
  waste: [],
  sources: [],
};

/** The parsed command line: option values by name (strings and booleans), positionals. */
export interface ParsedArgs {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
  dataDir: string;
  /** --no-daemon: open the data directory read-only even when a daemon answers on its socket. */
  noDaemon: boolean;
  json: boolean;
  help: boolean;
}

export { UsageError };

export function parseCommandArgs(name: QueryCommandName, argv: readonly string[]): ParsedArgs {
  let parsed: { values: Record<string, string | boolean | undefined>; positionals: string[] };
  try {
    const config = { args: [...argv], options: OPTIONS[name], allowPositionals: true, strict: true };
    parsed = parseArgs(config) as typeof parsed;
    const twice = repeatedOption(config);
    if (twice !== null) throw new UsageError(`--${twice} given twice`);
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(err instanceof Error ? err.message.split('\n')[0] ?? 'bad arguments' : 'bad arguments');
  }
  const { values, positionals } = parsed;
  const help = values['help'] === true;
  const wanted = POSITIONALS[name];
  if (!help && positionals.length !== wanted.length) {
    const got = positionals.length === 0 ? 'none' : positionals.map((p) => `"${p}"`).join(' ');
    throw new UsageError(wanted.length === 0 ? `takes no arguments, got ${got}` : `expects ${wanted.join(' ')}, got ${got}`);
  }
  return { values, positionals, dataDir: String(values['data-dir']), noDaemon: values['no-daemon'] === true, json: values['json'] === true, help };
}

export function filterFrom(values: ParsedArgs['values']): ListFilter {
  const filter: ListFilter = {};
  const str = (k: string): string | undefined => (typeof values[k] === 'string' ? (values[k] as string) : undefined);
  if (str('provider') !== undefined) filter.provider = str('provider');
  if (str('account') !== undefined) filter.account = str('account');
  if (str('region') !== undefined) filter.region = str('region');
  if (str('type') !== undefined) filter.type = str('type') as ResourceType; // checked by listResources
  if (str('state') !== undefined) filter.state = str('state');
  if (str('owner') !== undefined && values['unowned'] === true) throw new QueryError('bad-filter', '--owner and --unowned exclude each other');
  if (str('owner') !== undefined) filter.owner = str('owner');
  if (values['unowned'] === true) filter.owner = null;
  if (values['untagged'] === true) filter.untagged = true;
  const tag = str('tag');
  if (tag !== undefined) {
    const eq = tag.indexOf('=');
    filter.tag = eq < 0 ? { key: tag } : { key: tag.slice(0, eq), value: tag.slice(eq + 1) };
  }
  return filter;
}

export function nonNegativeNumber(text: string, option: string): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n < 0) throw new QueryError('bad-filter', `${option} needs a number ≥ 0, not "${text}"`);
  return n;
}
