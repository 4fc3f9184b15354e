/**
 * A resource's history: every revision the key index holds for it (as far as compaction
 * left it), each read back from the log with its kind, time, diff and record. With a field
 * path, only the points where that field's value changed: the field's timeline (for
 * `tags.Owner` or `owner`, the ownership timeline).
 *
 * In a field timeline a resource that does not exist has the value null, so an appearance
 * with a value, a disappearance, and a change each show as one entry; a change of other
 * fields shows nothing. After compaction the first entry kept may be a `changed` event:
 * the timeline then starts there, from null.
 */
import assert from 'node:assert/strict';
import type { FieldChange } from '../model/events.js';
import type { AttrValue, ResourceRecord } from '../model/resource.js';
import { attrValuesEqual } from '../changes/record-equal.js';
import { QueryError } from './errors.js';
import { checkFieldPath, fieldValue } from './fields.js';
import type { QueryState } from './query-state.js';
import { readChange } from './read-back.js';

export type HistoryKind = 'appeared' | 'changed' | 'disappeared';

export interface HistoryEntry {
  kind: HistoryKind;
  main: number;
  sub: number;
  timeMs: number | null;
  /** The field changes, for `changed`; null otherwise. */
  diff: FieldChange[] | null;
  /** The record after this revision; null for `disappeared`. */
  record: ResourceRecord | null;
}

export interface FieldHistoryEntry {
  kind: HistoryKind;
  main: number;
  sub: number;
  timeMs: number | null;
  before: AttrValue;
  after: AttrValue;
}

export function resourceHistory(state: QueryState, key: string): HistoryEntry[];
export function resourceHistory(state: QueryState, key: string, field: string): FieldHistoryEntry[];
export function resourceHistory(state: QueryState, key: string, field?: string): HistoryEntry[] | FieldHistoryEntry[] {
  if (field !== undefined) checkFieldPath(field);
  assert.ok(state.onlyKey === undefined || state.onlyKey === key, 'a state opened for one key answers about that key only');
  const ki = state.index.keyIndex(key);
  if (ki === undefined) throw new QueryError('unknown-key', `no resource with key ${key}`);
  const entries: HistoryEntry[] = [];
  for (const revision of ki.history()) {
    const event = readChange(state, key, revision);
    const timeMs = state.times.timeOf(revision.main);
    const base = { main: revision.main, sub: revision.sub, timeMs };
    if (event.type === 'disappeared') entries.push({ kind: 'disappeared', ...base, diff: null, record: null });
    else entries.push({ kind: event.type, ...base, diff: event.type === 'changed' ? event.diff : null, record: event.record });
  }
  return field === undefined ? entries : fieldTimeline(entries, field);
}

/** The entries of `history` where `field` changed value, with before and after. */
export function fieldTimeline(history: readonly HistoryEntry[], field: string): FieldHistoryEntry[] {
  const out: FieldHistoryEntry[] = [];
  let before: AttrValue = null;
  for (const e of history) {
    const after = fieldValue(e.record, field);
    if (!attrValuesEqual(before, after)) out.push({ kind: e.kind, main: e.main, sub: e.sub, timeMs: e.timeMs, before, after });
    before = after;
  }
  return out;
}
