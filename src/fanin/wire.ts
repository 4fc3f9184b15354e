/**
 * What travels through JetStream: one message per event of the source's log.
 *
 *   subject     elava.<source>.<provider>.<account>.<region>.<type>
 *               (the event's scope: a resource event's key without its id, a scope-scanned
 *               event's scope; `type` is the resource type with `.` written `_`, e.g.
 *               `elava.3f9c….aws.123456789012.us-east-1.ec2_instance`. Events without a
 *               scope (checkpoint, compaction, repair markers): `elava.<source>._._._.<event
 *               type>`. Characters NATS reserves in a token become `_`.)
 *   Nats-Msg-Id <source>:<main>.<sub>   (the stream drops a second publish of it)
 *   body        MessagePack: { v, source, main, sub, count, prev, timeMs, event }
 *
 * `count` is how many events the source commit holds, so the aggregator knows when it has
 * all of them; `prev` is the source revision of the previous commit this forwarder
 * published (0: none), so the aggregator applies a source's commits in order, with no gap,
 * whatever order redeliveries come in.
 */
import { Packr } from 'msgpackr';
import { FORWARD_SUBJECTS_CACHED_MAX } from '../limits.js';
import type { ElavaEvent } from '../model/events.js';
import { FaninError } from './errors.js';

export const WIRE_VERSION = 1;
export const SUBJECT_ROOT = 'elava';

export interface WireEvent {
  v: number;
  source: string;
  main: number;
  sub: number;
  count: number;
  prev: number;
  timeMs: number;
  event: ElavaEvent;
}

// Plain maps, no shared structures: every message decodes on its own.
const packr = new Packr({ useRecords: false, moreTypes: false });

export function encodeWire(w: WireEvent): Uint8Array {
  return packr.pack(w);
}

/** The message body as a WireEvent; FaninError FANIN_BAD_MESSAGE when it is not one. */
export function decodeWire(data: Uint8Array, msgId?: string): WireEvent {
  let w: Partial<WireEvent>;
  try {
    w = packr.unpack(data) as Partial<WireEvent>;
  } catch (err) {
    throw new FaninError('FANIN_BAD_MESSAGE', `message ${msgId ?? `of ${data.length} bytes`} does not decode`, { cause: err });
  }
  const ok = typeof w === 'object' && w !== null && w.v === WIRE_VERSION && typeof w.source === 'string' &&
    isCount(w.main) && w.main > 0 && isCount(w.sub) && isCount(w.count) && w.sub < w.count &&
    isCount(w.prev) && w.prev < w.main && isCount(w.timeMs) &&
    typeof w.event === 'object' && w.event !== null && typeof w.event.type === 'string';
  if (!ok) throw new FaninError('FANIN_BAD_MESSAGE', `message ${msgId ?? `of ${data.length} bytes`} is not an Elava fan-in event (version ${String((w as { v?: unknown } | null)?.v)})`);
  return w as WireEvent;
}

export function msgIdOf(source: string, main: number, sub: number): string {
  return `${source}:${main}.${sub}`;
}

export function subjectOf(source: string, event: ElavaEvent): string {
  const scope = scopeOf(event);
  if (scope === null) return `${SUBJECT_ROOT}.${token(source)}._._._.${token(event.type)}`;
  const parts = scope.split('/');
  return [SUBJECT_ROOT, source, parts[0], parts[1], parts[2], parts.slice(3).join('/')].map(token).join('.');
}

/**
 * subjectOf for one source, remembered per scope: a commit's events share a few scopes, and
 * building a subject (split, a replace per token, join) was ~4 % of the forwarder's time.
 * Bounded: forgets everything once it holds FORWARD_SUBJECTS_CACHED_MAX scopes.
 */
export class SubjectCache {
  private readonly byScope = new Map<string, string>();

  constructor(private readonly source: string) {}

  subjectOf(event: ElavaEvent): string {
    const scope = scopeOf(event);
    if (scope === null) return subjectOf(this.source, event);
    let subject = this.byScope.get(scope);
    if (subject === undefined) {
      if (this.byScope.size >= FORWARD_SUBJECTS_CACHED_MAX) this.byScope.clear();
      subject = subjectOf(this.source, event);
      this.byScope.set(scope, subject);
    }
    return subject;
  }
}

/** Every subject of one source: for a consumer that wants only it. */
export function sourceSubjects(source: string): string {
  return `${SUBJECT_ROOT}.${token(source)}.>`;
}

/** The scope an event belongs to; null for events that belong to none (markers). */
export function scopeOf(event: ElavaEvent): string | null {
  switch (event.type) {
    case 'appeared':
    case 'changed':
    case 'disappeared': {
      const slash = event.key.lastIndexOf('/');
      return slash < 0 ? null : event.key.slice(0, slash);
    }
    case 'scope-scanned':
      return event.scope;
    case 'checkpoint':
    case 'compaction-scheduled':
    case 'compaction-finished':
    case 'log-repaired':
    case 'history-downsampled':
    case 'source-commit':
      return null;
    default:
      return assertNever(event);
  }
}

/** A NATS subject token: no dots, wildcards or white space; never empty. */
function token(text: string | undefined): string {
  if (text === undefined || text.length === 0) return '_';
  return text.replace(/[^A-Za-z0-9_-]/g, '_');
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

function assertNever(v: never): never {
  throw new Error(`unhandled event ${JSON.stringify(v)}`);
}
