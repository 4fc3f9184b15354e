/**
 * --stats: counts and bytes per record kind and per segment, commits, revision and time
 * ranges, over the records the filters let through. Bytes are bytes on disk: a record's
 * frame with its padding, a header's 64 bytes.
 */
import { SEGMENT_HEADER_BYTES } from '../src/limits.js';
import { frameBytes } from '../src/wal/frame.js';
import { printable } from './describe-event.js';
import { isoTime } from './time-text.js';
import type { HeaderItem, RecordItem, StructuresItem } from './walk-items.js';

interface Tally {
  count: number;
  bytes: number;
}

interface SegmentTally extends Tally {
  sizeBytes: number | null;
  firstMain: number | null;
  lastMain: number | null;
}

export interface LogStats {
  kinds: Map<string, Tally>;
  segments: Map<string, SegmentTally>;
  commits: number;
  events: number;
  firstMain: number | null;
  lastMain: number | null;
  firstTimeMs: number | null;
  lastTimeMs: number | null;
  skippedBytes: number;
}

export function emptyStats(): LogStats {
  return { kinds: new Map(), segments: new Map(), commits: 0, events: 0, firstMain: null, lastMain: null, firstTimeMs: null, lastTimeMs: null, skippedBytes: 0 };
}

function tally(map: Map<string, Tally>, kind: string, bytes: number): void {
  const t = map.get(kind);
  if (t) {
    t.count++;
    t.bytes += bytes;
  } else {
    map.set(kind, { count: 1, bytes });
  }
}

function segmentTally(s: LogStats, name: string): SegmentTally {
  let t = s.segments.get(name);
  if (!t) {
    t = { count: 0, bytes: 0, sizeBytes: null, firstMain: null, lastMain: null };
    s.segments.set(name, t);
  }
  return t;
}

export function addHeader(s: LogStats, h: HeaderItem): void {
  tally(s.kinds, 'header', SEGMENT_HEADER_BYTES);
  const t = segmentTally(s, h.segment);
  t.sizeBytes = h.sizeBytes;
  t.bytes += SEGMENT_HEADER_BYTES;
}

export function addStructures(s: LogStats, r: StructuresItem): void {
  const bytes = frameBytes(r.bodyBytes);
  tally(s.kinds, 'structures', bytes);
  const t = segmentTally(s, r.segment);
  t.count++;
  t.bytes += bytes;
}

export function addRecord(s: LogStats, r: RecordItem, kind: string): void {
  const bytes = frameBytes(r.bodyBytes);
  tally(s.kinds, kind, bytes);
  const t = segmentTally(s, r.segment);
  t.count++;
  t.bytes += bytes;
  t.firstMain ??= r.main;
  t.lastMain = r.main;
  s.firstMain = s.firstMain === null ? r.main : Math.min(s.firstMain, r.main);
  s.lastMain = s.lastMain === null ? r.main : Math.max(s.lastMain, r.main);
  if (r.kind === 'event') {
    s.events++;
    return;
  }
  s.commits++;
  s.firstTimeMs = s.firstTimeMs === null ? r.timeMs : Math.min(s.firstTimeMs, r.timeMs);
  s.lastTimeMs = s.lastTimeMs === null ? r.timeMs : Math.max(s.lastTimeMs, r.timeMs);
}

export function statsText(s: LogStats): string[] {
  const lines = [
    `commits    ${s.commits}`,
    `events     ${s.events}`,
    `revisions  ${s.firstMain === null ? '(none)' : `${s.firstMain} .. ${s.lastMain}`}`,
    `time       ${s.firstTimeMs === null ? '(none)' : `${isoTime(s.firstTimeMs)} .. ${isoTime(s.lastTimeMs)}`}`,
  ];
  if (s.skippedBytes > 0) lines.push(`skipped    ${s.skippedBytes} bytes`);
  lines.push('', `${'kind'.padEnd(22)} ${'records'.padStart(10)} ${'bytes'.padStart(14)}`);
  for (const [kind, t] of [...s.kinds].sort((a, b) => a[0].localeCompare(b[0]))) {
    lines.push(`${printable(kind).padEnd(22)} ${String(t.count).padStart(10)} ${String(t.bytes).padStart(14)}`);
  }
  lines.push('', `${'segment'.padEnd(38)} ${'records'.padStart(10)} ${'bytes used'.padStart(14)} ${'file bytes'.padStart(12)}  revisions`);
  for (const [name, t] of s.segments) {
    const revisions = t.firstMain === null ? '(none)' : `${t.firstMain} .. ${t.lastMain}`;
    lines.push(`${printable(name).padEnd(38)} ${String(t.count).padStart(10)} ${String(t.bytes).padStart(14)} ${String(t.sizeBytes ?? '?').padStart(12)}  ${revisions}`);
  }
  return lines;
}

export function statsJson(s: LogStats): string {
  return JSON.stringify({
    commits: s.commits, events: s.events, firstMain: s.firstMain, lastMain: s.lastMain,
    firstTime: s.firstTimeMs === null ? null : isoTime(s.firstTimeMs), lastTime: s.lastTimeMs === null ? null : isoTime(s.lastTimeMs),
    skippedBytes: s.skippedBytes,
    kinds: Object.fromEntries([...s.kinds].sort((a, b) => a[0].localeCompare(b[0]))),
    segments: [...s.segments].map(([segment, t]) => ({ segment, ...t })),
  });
}
