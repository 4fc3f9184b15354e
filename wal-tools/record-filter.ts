/**
 * Which records a dump shows. Revision bounds apply to records and to headers (by their
 * first revision); time bounds to records whose commit time is known; kind, key and type
 * to records that have them (a filter on key or type hides records without a key).
 * Segment headers are context: shown unless a key, type or time filter narrows the dump
 * (--kind header brings them back).
 * Structure-table records are control records with no revision (see structuresPass).
 *
 * --key matches a key equal to it or below it by whole components:
 * `aws/123456789012` matches `aws/123456789012/us-east-1/ec2.volume/vol-1` but not
 * `aws/1234567890123/...`. A trailing `*` matches any string prefix.
 */
import type { EventDescription } from './describe-event.js';
import type { HeaderItem, RecordItem } from './walk-items.js';

export interface RecordFilter {
  fromMain: number | null;
  toMain: number | null;
  sinceMs: number | null;
  untilMs: number | null;
  /** Kinds shown: event types, `commit`, `header`; null shows all. */
  kinds: ReadonlySet<string> | null;
  key: string | null;
  /** Resource type, the fourth component of a key (e.g. `ec2.volume`). */
  type: string | null;
}

export const NO_FILTER: RecordFilter = { fromMain: null, toMain: null, sinceMs: null, untilMs: null, kinds: null, key: null, type: null };

export function keyMatches(pattern: string, key: string): boolean {
  if (pattern.endsWith('*')) return key.startsWith(pattern.slice(0, -1));
  return key === pattern || key.startsWith(pattern.endsWith('/') ? pattern : `${pattern}/`);
}

/** The resource type named by a key or scope: `provider/account/region/type[/id]`. */
export function typeOfKey(key: string): string | null {
  return key.split('/', 4)[3] ?? null;
}

/** Headers show unless filtered out: asked for by --kind, or hidden by a key, type or time filter. */
export function headerPasses(f: RecordFilter, h: HeaderItem): boolean {
  if (f.toMain !== null && h.firstMain > f.toMain) return false;
  if (f.kinds) return f.kinds.has('header');
  return f.key === null && f.type === null && f.sinceMs === null && f.untilMs === null;
}

/** Structure tables have no revision, time or key: shown unless a filter narrows the dump, or asked for by --kind. */
export function structuresPass(f: RecordFilter): boolean {
  if (f.kinds) return f.kinds.has('structures');
  return f.key === null && f.type === null && f.fromMain === null && f.toMain === null && f.sinceMs === null && f.untilMs === null;
}

/** `described` is the event's description (null for a commit record). */
export function recordPasses(f: RecordFilter, r: RecordItem, described: EventDescription | null): boolean {
  if (f.fromMain !== null && r.main < f.fromMain) return false;
  if (f.toMain !== null && r.main > f.toMain) return false;
  if (f.sinceMs !== null && (r.timeMs === null || r.timeMs < f.sinceMs)) return false;
  if (f.untilMs !== null && (r.timeMs === null || r.timeMs > f.untilMs)) return false;
  const kind = described ? described.kind : 'commit';
  if (f.kinds && !f.kinds.has(kind)) return false;
  if (f.key === null && f.type === null) return true;
  const key = described?.key ?? null;
  if (key === null) return false;
  if (f.key !== null && !keyMatches(f.key, key)) return false;
  return f.type === null || typeOfKey(key) === f.type;
}

/** True when a filter needs event descriptions (so events must be decoded to filter them). */
export function needsDescription(f: RecordFilter): boolean {
  return f.kinds !== null || f.key !== null || f.type !== null;
}
