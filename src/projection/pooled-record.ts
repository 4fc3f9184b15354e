/**
 * A record about to be kept (decoded from the log, or a scan's handed over in a commit),
 * made to hold as little of its own as it can: its key is the caller's one string for that
 * key (the key index's), its id a slice of that key, and its short string values the
 * pool's copies — or its neighbour's, when `like` (the record read before it, or the one
 * it replaces) holds an equal value in the same place.
 *
 * What is kept for long is what the collector copies: the current state keeps a million
 * records, a whole-fleet answer from the log holds as many until it is written. Pooled,
 * a record's fresh strings die young, and only the record and its maps survive.
 */
import type { ResourceKey, ResourceRecord } from '../model/resource.js';
import { flatString } from '../model/flat-string.js';
import type { StringPool } from './string-pool.js';

/** The fields set here from the key, not pooled. */
const KEPT_APART: readonly string[] = ['key', 'id'];

/** `record` (the caller's alone: it is changed in place), its strings pooled; returns `record`. */
export function pooledRecord(pool: StringPool, record: ResourceRecord, key: ResourceKey, like: ResourceRecord | undefined): ResourceRecord {
  record.key = key;
  pool.internValues(record, like, KEPT_APART);
  record.id = idOfKey(key, record.id);
  return record;
}

/**
 * `id` as the last characters of `key` when the key ends in "/" + id (a slice: V8 keeps 13
 * characters or more as a view of the key, fewer as a copy); else a flat copy of `id`
 * (flat-string.ts). A non-string id (a malformed record) is left as it is.
 */
function idOfKey(key: ResourceKey, id: unknown): string {
  if (typeof id !== 'string') return id as string;
  const from = key.length - id.length;
  if (from > 0 && key.charCodeAt(from - 1) === 0x2f && key.endsWith(id)) return key.slice(from);
  return flatString(id);
}
