/**
 * Narrowing of log payloads (`unknown` to the log) into Elava events. The checks are the
 * cheap ones every projection relies on — a known `type`, a string `key`, a record object
 * whose key matches — so they can run once per event per projection on the replay path.
 * Deeper checks of a record's fields belong to restore paths (isRecordShaped).
 */
import type { ElavaEvent } from '../model/events.js';
import type { ResourceRecord } from '../model/resource.js';
import type { LogEvent } from '../wal/types.js';
import { ProjectionError } from './errors.js';
import { EVENT_TAG_AGED, EVENT_TAG_KIND_MASK } from './event-frame-key.js';

/**
 * The kind of a change event as its frame names it (format 2: key and tag beside the
 * payload, event-frame-key.ts): EVENT_TAG_APPEARED, _CHANGED or _DISAPPEARED, its key in
 * `log.key`; or 0 when the frame names none (a format-1 event, a control event, an event
 * built in memory), and the payload must be read (eventOf). A projection that needs only
 * the kind and key of a change reads them here, and a replay that reads payloads on
 * demand (the history replay of a recovery) never decodes it.
 */
export function framedKind(log: LogEvent): number {
  return typeof log.key === 'string' ? (log.tag ?? 0) & EVENT_TAG_KIND_MASK : 0;
}

/** The frame says the change's record is in an aged waste condition (with framedKind ≠ 0). */
export function framedAged(log: LogEvent): boolean {
  return ((log.tag ?? 0) & EVENT_TAG_AGED) !== 0;
}

/** The Elava event carried by `log`; throws PROJECTION_BAD_EVENT when it is not one. */
export function eventOf(log: LogEvent): ElavaEvent {
  const p = log.payload as { type?: unknown; key?: unknown; record?: { key?: unknown } | null } | null;
  if (typeof p !== 'object' || p === null) return badEvent(log, 'payload is not an Elava event');
  // A switch on string constants, not a Set lookup: this runs per event per projection.
  switch (p.type) {
    case 'appeared':
    case 'changed':
      if (typeof p.key !== 'string' || typeof p.record !== 'object' || p.record === null || p.record.key !== p.key) {
        return badEvent(log, `${p.type} event without a key or a matching record`);
      }
      return p as ElavaEvent;
    case 'disappeared':
      // `record` is optional: events written before it existed carry only the key.
      if (typeof p.key !== 'string') return badEvent(log, 'disappeared event without a key');
      if (p.record !== undefined) {
        if (typeof p.record !== 'object' || p.record === null || p.record.key !== p.key) {
          return badEvent(log, 'disappeared event with a record of another key');
        }
      }
      return p as ElavaEvent;
    case 'scope-scanned':
    case 'checkpoint':
    case 'compaction-scheduled':
    case 'compaction-finished':
    case 'log-repaired':
    case 'history-downsampled':
      return p as ElavaEvent;
    case 'source-commit': {
      const c = p as { source?: unknown; sourceMain?: unknown; conflicts?: unknown };
      if (typeof c.source !== 'string' || typeof c.sourceMain !== 'number' || !Array.isArray(c.conflicts)) {
        return badEvent(log, 'source-commit event without a source, revision or conflict list');
      }
      return p as ElavaEvent;
    }
    default:
      return badEvent(log, 'payload is not an Elava event');
  }
}

/** Structural check of a resource record (restore paths; cheap enough for events too). */
export function isRecordShaped(v: unknown): v is ResourceRecord {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Record<string, unknown>;
  return (
    typeof r['key'] === 'string' &&
    typeof r['type'] === 'string' &&
    (r['owner'] === null || typeof r['owner'] === 'string') &&
    (r['state'] === null || typeof r['state'] === 'string') &&
    typeof r['tags'] === 'object' &&
    r['tags'] !== null
  );
}

function badEvent(log: LogEvent, why: string): never {
  throw new ProjectionError('PROJECTION_BAD_EVENT', `${why} at revision ${log.main}.${log.sub}`, {
    location: log.location,
  });
}

/**
 * Hands a resource event the key's one string, `key` (equal to the event's key and its
 * record's, as eventOf checked; decoding made them separate strings, one per event). The
 * key index runs first and hands over the string it holds, so every projection after it
 * keeps that same string: one string per key in the process instead of one per event and
 * record, and map lookups by `record.key` find a string whose hash is already computed
 * and compare by identity (a whole-fleet query over a just-recovered state otherwise
 * spends ~0.5 µs per record on its first lookups).
 */
export function adoptKeyString(payload: unknown, key: string): void {
  const p = payload as { key?: unknown; record?: { key?: unknown } | null } | null;
  if (typeof p !== 'object' || p === null || p.key !== key) return;
  p.key = key;
  const record = p.record;
  if (typeof record === 'object' && record !== null && record.key === key) record.key = key;
}
