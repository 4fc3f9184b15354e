/**
 * Field-level difference between two records of the same key.
 *
 * Paths: `name`, `state`, `owner`, `tags.<tag key>`, `attrs.<attribute>`. A tag key may
 * itself contain dots (`tags.kubernetes.io/cluster`): the path's first dot separates the
 * section from the key. An attribute that holds a list or map is compared as a whole and
 * reported as one change with the whole before/after values.
 *
 * A missing value is `null` on either side, so "Owner tag removed" reads
 * `{ path: 'tags.Owner', before: 'platform', after: null }`, and an attribute present as
 * `null` on one side and absent on the other is no change.
 *
 * Order: sorted by path (code-unit order), so the same two records always give the same
 * list: `attrs.*`, then `name`, `owner`, `state`, then `tags.*`.
 */
import assert from 'node:assert/strict';
import type { AttrValue, ResourceRecord } from '../model/resource.js';
import type { FieldChange } from '../model/events.js';
import { attrValuesEqual } from './record-equal.js';

export function diffRecords(before: ResourceRecord, after: ResourceRecord): FieldChange[] {
  if (before.key !== after.key) assert.fail('diff compares two records of one key');
  const changes: FieldChange[] = [];
  diffMap('attrs', before.attrs, after.attrs, changes);
  pushIfDifferent('name', before.name, after.name, changes);
  pushIfDifferent('owner', before.owner, after.owner, changes);
  pushIfDifferent('state', before.state, after.state, changes);
  diffMap('tags', before.tags, after.tags, changes);
  assertSortedByPath(changes);
  return changes;
}

/** The keys of either map whose values differ, sorted; paths are built for those only. */
function diffMap(
  section: string,
  before: { readonly [k: string]: AttrValue },
  after: { readonly [k: string]: AttrValue },
  out: FieldChange[],
): void {
  const differing: string[] = [];
  for (const key in before) if (!attrValuesEqual(valueOf(before, key), valueOf(after, key))) differing.push(key);
  for (const key in after) {
    if (!Object.hasOwn(before, key) && !attrValuesEqual(null, valueOf(after, key))) differing.push(key);
  }
  differing.sort();
  for (const key of differing) out.push({ path: `${section}.${key}`, before: valueOf(before, key), after: valueOf(after, key) });
}

function valueOf(map: { readonly [k: string]: AttrValue }, key: string): AttrValue {
  return Object.hasOwn(map, key) ? (map[key] ?? null) : null;
}

function pushIfDifferent(path: string, before: AttrValue, after: AttrValue, out: FieldChange[]): void {
  if (!attrValuesEqual(before, after)) out.push({ path, before, after });
}

function assertSortedByPath(changes: readonly FieldChange[]): void {
  for (let i = 1; i < changes.length; i++) {
    const prev = changes[i - 1] as FieldChange;
    const next = changes[i] as FieldChange;
    if (!(prev.path < next.path)) assert.fail(`diff paths sorted: ${prev.path} < ${next.path}`);
  }
}
