/**
 * What the Store's events are named and classified by in the log's frames (format 2,
 * src/wal/frame.ts): the log stores a key and a tag beside each payload so that a replay
 * learns an event's resource and kind without decoding it. The log treats both as opaque;
 * their meaning is defined here, beside the projections that read them (framedKind in
 * event-payload.ts); the Store frames what it commits with them.
 *
 *   key: the resource key of an `appeared`, `changed` or `disappeared` event; null for
 *        every other event (scope-scanned, checkpoint, ...).
 *   tag: low nibble, the kind (EVENT_TAG_APPEARED 1, EVENT_TAG_CHANGED 2,
 *        EVENT_TAG_DISAPPEARED 3, 0 anything else), plus EVENT_TAG_AGED (0x10) when the
 *        event carries a record in an aged waste condition (unattached, stopped:
 *        src/model/waste-conditions.ts).
 *
 * For example `{ type: 'changed', key: 'aws/1/us-east-1/ec2.volume/vol-1', record: <an
 * available volume> }` is framed with key `aws/1/us-east-1/ec2.volume/vol-1` and tag 0x12.
 */
import type { ResourceRecord } from '../model/resource.js';
import { inAgedCondition } from '../model/waste-conditions.js';

export const EVENT_TAG_NONE = 0;
export const EVENT_TAG_APPEARED = 1;
export const EVENT_TAG_CHANGED = 2;
export const EVENT_TAG_DISAPPEARED = 3;
/** The kind's bits of a tag. */
export const EVENT_TAG_KIND_MASK = 0x0f;
/** Set when the event's record is in an aged waste condition. */
export const EVENT_TAG_AGED = 0x10;

/** The fields read here; payloads come from the Store's own commits, but are checked anyway. */
interface ChangeFields {
  type?: unknown;
  key?: unknown;
  record?: unknown;
}

function kindTag(type: unknown): number {
  switch (type) {
    case 'appeared':
      return EVENT_TAG_APPEARED;
    case 'changed':
      return EVENT_TAG_CHANGED;
    case 'disappeared':
      return EVENT_TAG_DISAPPEARED;
    default:
      return EVENT_TAG_NONE;
  }
}

function fieldsOf(payload: unknown): ChangeFields | null {
  return typeof payload === 'object' && payload !== null && !Array.isArray(payload) ? (payload as ChangeFields) : null;
}

/** WalOptions.eventKey: the resource key of a change event, else null. */
export function eventFrameKey(payload: unknown): string | null {
  const p = fieldsOf(payload);
  if (p === null || kindTag(p.type) === EVENT_TAG_NONE) return null;
  return typeof p.key === 'string' ? p.key : null;
}

/** WalOptions.eventTag: the change kind, plus EVENT_TAG_AGED for a record in an aged condition. */
export function eventFrameTag(payload: unknown): number {
  const p = fieldsOf(payload);
  if (p === null) return EVENT_TAG_NONE;
  const kind = kindTag(p.type);
  if (kind === EVENT_TAG_NONE) return EVENT_TAG_NONE;
  const record = p.record;
  const aged = typeof record === 'object' && record !== null && inAgedCondition(record as ResourceRecord);
  return aged ? kind | EVENT_TAG_AGED : kind;
}
