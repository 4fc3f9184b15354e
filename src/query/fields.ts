/**
 * Field paths of a resource record, as the change diff names them (src/changes/diff.ts):
 * `name`, `state`, `owner` (and the other top-level fields), `tags.<tag key>` and
 * `attrs.<attribute>`. A tag key may contain dots (`tags.kubernetes.io/cluster`): the first
 * dot separates the section from the key. An attribute path tries the whole rest as one
 * attribute first, then walks nested maps dot by dot (`attrs.ips.external`).
 */
import type { AttrValue, ResourceRecord } from '../model/resource.js';
import { QueryError } from './errors.js';

const TOP_LEVEL = new Set(['key', 'provider', 'account', 'region', 'type', 'id', 'name', 'state', 'owner']);
const NESTING_MAX = 8;

/** Throws QueryError('bad-filter') unless `path` names a record field. */
export function checkFieldPath(path: string): void {
  if (TOP_LEVEL.has(path)) return;
  const dot = path.indexOf('.');
  const section = dot < 0 ? path : path.slice(0, dot);
  if ((section === 'tags' || section === 'attrs') && dot > 0 && dot < path.length - 1) return;
  throw new QueryError('bad-filter', `unknown field "${path}": use ${[...TOP_LEVEL].join(', ')}, tags.<key> or attrs.<name>`);
}

/** The value of `path` in `record`; null when absent (or when there is no record). */
export function fieldValue(record: ResourceRecord | null, path: string): AttrValue {
  if (record === null) return null;
  if (TOP_LEVEL.has(path)) return (record as unknown as Record<string, AttrValue>)[path] ?? null;
  const dot = path.indexOf('.');
  const rest = path.slice(dot + 1);
  if (path.startsWith('tags.')) return record.tags[rest] ?? null;
  if (Object.hasOwn(record.attrs, rest)) return record.attrs[rest] ?? null;
  let value: AttrValue = record.attrs;
  const parts = rest.split('.');
  for (let i = 0; i < parts.length && i < NESTING_MAX; i++) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
    value = (value as Record<string, AttrValue>)[parts[i] as string] ?? null;
  }
  return value;
}
