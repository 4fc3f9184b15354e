/**
 * The configuration as layered values: one entry per dotted key, holding its value and
 * where it came from (`default`, the TOML file, `ELAVA_INTERVAL`, `--interval`). A later
 * layer replaces an earlier one. `checkValue` turns an entry into its typed value or fails
 * with a message naming the key and its source.
 */
import type { AwsAccountConfig } from '../scan/aws/aws-clients.js';
import { keySpec, type KeySpec } from './config-keys.js';
import { parseDurationMs } from './duration.js';
import { checkEndpoints, endpointsFromText } from './endpoint-url.js';
import { DaemonError } from './errors.js';

interface Entry {
  value: unknown;
  source: string;
}

export class ConfigValues {
  private readonly entries = new Map<string, Entry>();

  set(path: string, value: unknown, source: string): void {
    this.entries.set(path, { value, source });
  }

  /** Sets a value given as text (env or flag): lists split on commas, integers parsed. */
  setText(spec: KeySpec, text: string, source: string): void {
    this.set(spec.path, fromText(spec, text), source);
  }

  get(path: string): unknown {
    return this.entries.get(path)?.value;
  }

  /** Where the value came from; an item of a list (`aws.accounts[0].id`) has its list's source. */
  sourceOf(path: string): string {
    const entry = this.entries.get(path) ?? this.entries.get(path.replace(/\[.*$/, ''));
    return entry?.source ?? 'default';
  }

  fail(path: string, problem: string): never {
    const source = this.sourceOf(path);
    const from = source === 'default' ? '' : ` (from ${source})`;
    throw new DaemonError('CONFIG_INVALID', `config ${path}${from}: ${problem}`, { key: path });
  }
}

function fromText(spec: KeySpec, text: string): unknown {
  switch (spec.kind) {
    case 'int':
      return /^-?\d+$/.test(text.trim()) ? Number(text.trim()) : text;
    case 'list':
    case 'enumList':
      return splitList(text);
    case 'accounts':
      return splitList(text).map((id) => ({ id }));
    case 'endpoints':
      return endpointsFromText(text);
    case 'boolean':
      return text.trim() === 'true' ? true : text.trim() === 'false' ? false : text;
    case 'number':
      return /^-?\d+(\.\d+)?$/.test(text.trim()) ? Number(text.trim()) : text;
    default:
      return text;
  }
}

function splitList(text: string): string[] {
  return text.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
}

/** The typed value of `path` (undefined when unset and without default). */
export function checkValue(values: ConfigValues, path: string): unknown {
  const spec = keySpec(path);
  if (spec === undefined) throw new Error(`unknown config key ${path}`); // programmer error
  const value = values.get(path);
  if (value === undefined) return undefined;
  const fail = (problem: string): never => values.fail(path, problem);
  // A credential's value never reaches a message, whatever is wrong with it.
  const describe = spec.secret ? describeKind : describeValue;
  switch (spec.kind) {
    case 'string':
      return typeof value === 'string' ? value : fail(`must be a string, got ${describe(value)}`);
    case 'duration': {
      const ms = typeof value === 'string' ? parseDurationMs(value) : null;
      return ms ?? fail(`${describe(value)} is not a duration (write e.g. 500ms, 30s, 5m, 1h)`);
    }
    case 'int':
      if (typeof value !== 'number' || !Number.isSafeInteger(value)) return fail(`must be an integer, got ${describe(value)}`);
      if (value < (spec.min ?? 0) || value > (spec.max ?? Number.MAX_SAFE_INTEGER)) return fail(`${value} is out of range ${spec.min ?? 0}..${spec.max ?? Number.MAX_SAFE_INTEGER}`);
      return value;
    case 'list':
      return checkStringList(value, fail);
    case 'enum':
      return typeof value === 'string' && spec.values?.includes(value) ? value : fail(`${describe(value)} is not one of ${spec.values?.join(', ')}`);
    case 'enumList': {
      const list = checkStringList(value, fail);
      if (list.length === 0) return fail(`must list at least one of ${spec.values?.join(', ')}`);
      const bad = list.find((s) => !spec.values?.includes(s));
      return bad === undefined ? list : fail(`${JSON.stringify(bad)} is not one of ${spec.values?.join(', ')}`);
    }
    case 'accounts':
      return checkAccounts(values, path, value);
    case 'endpoints':
      return checkEndpoints(value, fail);
    case 'boolean':
      if (typeof value === 'boolean') return value;
      return fail(`must be true or false, got ${describe(value)}`);
    case 'number':
      return checkNumber(spec, value, fail);
  }
}

/** A finite number strictly between the spec's min and max (a share: 0 < x < 1). */
function checkNumber(spec: KeySpec, value: unknown, fail: (problem: string) => never): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    return fail(`must be a number, got ${describeValue(value)}`);
  }
  const min = spec.min ?? -Infinity;
  const max = spec.max ?? Infinity;
  if (value > min && value < max) return value;
  return fail(`${value} is not strictly between ${min} and ${max}`);
}

function checkStringList(value: unknown, fail: (problem: string) => never): string[] {
  if (!Array.isArray(value)) return fail(`must be a list of strings, got ${describeValue(value)}`);
  for (const item of value) if (typeof item !== 'string' || item.trim().length === 0) fail(`holds ${describeValue(item)}; every item must be a non-empty string`);
  return value as string[];
}

const ACCOUNT_KEYS = new Set(['id', 'profile', 'roleArn', 'externalId']);

function checkAccounts(values: ConfigValues, path: string, value: unknown): AwsAccountConfig[] {
  if (!Array.isArray(value)) return values.fail(path, `must be a list of tables ([[aws.accounts]] id = "123456789012"), got ${describeValue(value)}`);
  const seen = new Set<string>();
  return value.map((raw: unknown, i): AwsAccountConfig => {
    const at = `${path}[${i}]`;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return values.fail(at, 'must be a table with an id');
    const entry = raw as Record<string, unknown>;
    for (const k of Object.keys(entry)) if (!ACCOUNT_KEYS.has(k)) values.fail(`${at}.${k}`, 'unknown key (known: id, profile, roleArn, externalId)');
    const { id, profile, roleArn, externalId } = entry;
    if (typeof id !== 'string' || !/^\d{12}$/.test(id)) values.fail(`${at}.id`, `${describeValue(id)} is not a 12-digit AWS account id`);
    if (seen.has(id)) values.fail(`${at}.id`, `account ${id} is listed twice`);
    seen.add(id);
    for (const [k, v] of [['profile', profile], ['roleArn', roleArn], ['externalId', externalId]] as const) {
      if (v !== undefined && (typeof v !== 'string' || v.length === 0)) values.fail(`${at}.${k}`, 'must be a non-empty string');
    }
    if (typeof roleArn === 'string' && !roleArn.startsWith('arn:')) values.fail(`${at}.roleArn`, `${JSON.stringify(roleArn)} is not an ARN (arn:aws:iam::ACCOUNT:role/NAME)`);
    return {
      id,
      ...(typeof profile === 'string' ? { profile } : {}),
      ...(typeof roleArn === 'string' ? { roleArn } : {}),
      ...(typeof externalId === 'string' ? { externalId } : {}),
    };
  });
}

/** What kind of value it is, without the value (for secret keys). */
function describeKind(value: unknown): string {
  if (typeof value === 'string') return 'a string';
  if (typeof value === 'number') return 'a number';
  if (typeof value === 'boolean') return 'true/false';
  return describeValue(value);
}

function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? value.slice(0, 60) + '…' : value);
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'a table';
  return String(value);
}
