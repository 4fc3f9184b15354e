/**
 * Helpers shared by the normalizers. A normalized record must be byte-identical for an
 * untouched resource, so every map is built with its keys in sorted order, every list that
 * has no meaningful order is sorted, and a missing value is `null` (never `undefined`, never
 * absent), so that the record has the same shape every time.
 */
import assert from 'node:assert/strict';
import type { AttrValue } from '../model/resource.js';

export interface NormalizeOptions {
  /** Tag/label keys that name the owner, in priority order; the first one present wins. */
  readonly ownerTagKeys: readonly string[];
}

export const DEFAULT_OWNER_TAG_KEYS: readonly string[] = ['Owner', 'owner', 'team'];

export const DEFAULT_NORMALIZE_OPTIONS: NormalizeOptions = { ownerTagKeys: DEFAULT_OWNER_TAG_KEYS };

/** A bound on tags per resource (AWS allows 50, GCP 64): more is bad input, not a record. */
export const TAGS_PER_RESOURCE_MAX = 1000;

/** Builds a tag map with sorted keys from key/value pairs; pairs without a key are skipped. */
export function sortedTags(
  pairs: Iterable<{ key: string | undefined | null; value: string | undefined | null }>,
): Record<string, string> {
  const collected: [string, string][] = [];
  for (const pair of pairs) {
    if (pair.key === undefined || pair.key === null) continue;
    collected.push([pair.key, pair.value ?? '']);
    assert.ok(collected.length <= TAGS_PER_RESOURCE_MAX, 'tag count within bound');
  }
  collected.sort(compareEntries);
  const out: Record<string, string> = {};
  for (const [key, value] of collected) out[key] = value;
  return out;
}

/** The value of the first owner tag key present, or null. */
export function deriveOwner(tags: Record<string, string>, ownerTagKeys: readonly string[]): string | null {
  for (const key of ownerTagKeys) {
    if (Object.hasOwn(tags, key)) return tags[key] ?? null;
  }
  return null;
}

/** A shallow copy of `attrs` with its keys in sorted order; undefined values become null. */
export function sortedAttrs(attrs: Record<string, AttrValue | undefined>): Record<string, AttrValue> {
  const keys = Object.keys(attrs).sort();
  const out: Record<string, AttrValue> = {};
  for (const key of keys) out[key] = attrs[key] ?? null;
  return out;
}

/** The last path segment of a GCP resource URL (`.../machineTypes/e2-small` → `e2-small`). */
export function shortName(url: string | null | undefined): string | null {
  if (url === null || url === undefined || url === '') return null;
  const slash = url.lastIndexOf('/');
  return slash === -1 ? url : url.slice(slash + 1);
}

/** Sorted copy of a list of strings, without duplicates or empty values. */
export function sortedStrings(values: Iterable<string | null | undefined>): string[] {
  const set = new Set<string>();
  for (const value of values) if (value !== null && value !== undefined && value !== '') set.add(value);
  return [...set].sort();
}

export function stringOrNull(value: string | null | undefined): string | null {
  return value === undefined || value === null || value === '' ? null : value;
}

export function numberOrNull(value: number | string | null | undefined): number | null {
  if (value === undefined || value === null || value === '') return null;
  const n = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(n) ? n : null;
}

export function booleanOrNull(value: boolean | null | undefined): boolean | null {
  return value === undefined || value === null ? null : value;
}

/** ISO-8601 form of a timestamp the SDK hands over as a Date or string. */
export function isoOrNull(value: Date | string | null | undefined): string | null {
  if (value === undefined || value === null) return null;
  const date = typeof value === 'string' ? new Date(value) : value;
  const ms = date.getTime();
  return Number.isFinite(ms) ? date.toISOString() : null;
}

function compareEntries(a: [string, string], b: [string, string]): number {
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
}
