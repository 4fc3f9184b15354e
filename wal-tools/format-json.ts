/**
 * --json: NDJSON, one object per item, each with its location. Payloads are written as
 * decoded; values JSON cannot hold (bigint, Map, bytes) are converted by jsonReplacer.
 *
 *   {"kind":"header","segment":"…wal","formatVersion":2,"sequence":0,"firstMain":1,"prevCrc":"00000000","sizeBytes":65536}
 *   {"kind":"event","segment":"…wal","offsetBytes":64,"bodyBytes":213,"main":1,"sub":0,"timeMs":…,"time":"…",
 *    "committed":true,"type":"appeared","key":"aws/…","tag":1,"payload":{…}}
 *
 * An event's `key` is the key its frame carries (format 2), else the one its payload
 * names (format 1, keyless frames); `tag` is the frame's tag (0: none, and in format 1).
 *   {"kind":"commit","segment":"…wal","offsetBytes":…,"bodyBytes":24,"main":1,"eventCount":2,"timeMs":…,"time":"…"}
 *   {"kind":"structures","segment":"…wal","offsetBytes":64,"bodyBytes":…,"tableLength":2,"table":[["type","key",…],…]}
 *   {"kind":"skipped","segment":"…wal","offsetBytes":…,"lengthBytes":…,"sampleHex":"…"}
 *   {"kind":"problem","severity":"corruption","code":"WAL_CRC_MISMATCH","segment":"…wal","offsetBytes":…,"message":"…"}
 */
import { jsonReplacer, type EventDescription } from './describe-event.js';
import type { Problem } from './problems.js';
import { isoTime } from './time-text.js';
import type { CommitItem, EventItem, HeaderItem, SkippedItem, StructuresItem } from './walk-items.js';

export function headerJson(h: HeaderItem): string {
  return JSON.stringify({ kind: 'header', segment: h.segment, formatVersion: h.formatVersion, sequence: h.sequence, firstMain: h.firstMain, prevCrc: h.prevCrc.toString(16).padStart(8, '0'), sizeBytes: h.sizeBytes });
}

export function eventJson(e: EventItem, d: EventDescription | null): string {
  const base = {
    kind: 'event', segment: e.segment, offsetBytes: e.offsetBytes, bodyBytes: e.bodyBytes, main: e.main, sub: e.sub,
    timeMs: e.timeMs, time: e.timeMs === null ? null : isoTime(e.timeMs), committed: e.committed,
    type: d?.kind ?? null, key: e.key ?? d?.key ?? null, tag: e.tag,
  };
  if (e.payloadError) return JSON.stringify({ ...base, payloadError: 'payload does not decode' });
  try {
    return JSON.stringify({ ...base, payload: e.payload }, jsonReplacer);
  } catch {
    return JSON.stringify({ ...base, payloadError: 'payload cannot be written as JSON' });
  }
}

export function commitJson(c: CommitItem): string {
  return JSON.stringify({ kind: 'commit', segment: c.segment, offsetBytes: c.offsetBytes, bodyBytes: c.bodyBytes, main: c.main, eventCount: c.eventCount, timeMs: c.timeMs, time: isoTime(c.timeMs) });
}

export function structuresJson(s: StructuresItem): string {
  return JSON.stringify({ kind: 'structures', segment: s.segment, offsetBytes: s.offsetBytes, bodyBytes: s.bodyBytes, tableLength: s.tableLength, table: s.table });
}

export function skippedJson(s: SkippedItem): string {
  return JSON.stringify({ kind: 'skipped', segment: s.segment, offsetBytes: s.offsetBytes, lengthBytes: s.lengthBytes, sampleHex: Buffer.from(s.sample).toString('hex') });
}

export function problemJson(p: Problem): string {
  return JSON.stringify({ kind: 'problem', ...p });
}
