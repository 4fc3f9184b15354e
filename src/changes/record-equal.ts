/**
 * Equality of resource records and attribute values, by value. This is the hot path of
 * change detection (every observed record is compared with its last known state, and
 * nearly all are unchanged), so it exits at the first difference and allocates nothing.
 *
 * Maps compare by content, whatever their key order: a record read back from the log and
 * a freshly normalized one are equal when they hold the same values.
 */
import assert from 'node:assert/strict';
import { ATTR_DEPTH_MAX } from '../limits.js';
import type { AttrValue, ResourceRecord } from '../model/resource.js';


export function recordsEqual(a: ResourceRecord, b: ResourceRecord): boolean {
  return (
    a.key === b.key &&
    a.name === b.name &&
    a.state === b.state &&
    a.owner === b.owner &&
    a.id === b.id &&
    a.type === b.type &&
    a.provider === b.provider &&
    a.account === b.account &&
    a.region === b.region &&
    stringMapsEqual(a.tags, b.tags) &&
    attrMapsEqual(a.attrs, b.attrs, 0)
  );
}

export function stringMapsEqual(a: Record<string, string>, b: Record<string, string>): boolean {
  let count = 0;
  for (const key in a) {
    if (!Object.hasOwn(b, key) || a[key] !== b[key]) return false;
    count++;
  }
  for (const _key in b) count--;
  return count === 0;
}

export function attrValuesEqual(a: AttrValue, b: AttrValue, depth = 0): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (depth >= ATTR_DEPTH_MAX) assert.fail('attribute values nest within ATTR_DEPTH_MAX'); // hot: no assert.ok call
  const aIsList = Array.isArray(a);
  if (aIsList !== Array.isArray(b)) return false;
  if (aIsList) {
    const la = a as readonly AttrValue[];
    const lb = b as readonly AttrValue[];
    if (la.length !== lb.length) return false;
    for (let i = 0; i < la.length; i++) {
      if (!attrValuesEqual(la[i] as AttrValue, lb[i] as AttrValue, depth + 1)) return false;
    }
    return true;
  }
  return attrMapsEqual(
    a as { readonly [k: string]: AttrValue },
    b as { readonly [k: string]: AttrValue },
    depth + 1,
  );
}

function attrMapsEqual(
  a: { readonly [k: string]: AttrValue },
  b: { readonly [k: string]: AttrValue },
  depth: number,
): boolean {
  let count = 0;
  for (const key in a) {
    if (!Object.hasOwn(b, key)) return false;
    if (!attrValuesEqual(a[key] as AttrValue, b[key] as AttrValue, depth)) return false;
    count++;
  }
  for (const _key in b) count--;
  return count === 0;
}
