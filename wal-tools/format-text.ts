/**
 * The default output: one line per record.
 *
 *   REVISION   SEGMENT:OFFSET  LEN   KIND                 KEY  SUMMARY
 *   7.1        0:1480          213   changed              aws/…/vol-1  tags.Owner: platform → (none)
 *   7          0:1704          24    commit               2 events at 2024-05-01T12:00:00.000Z
 *
 * SEGMENT is the sequence number from the segment's file name (the full name is on the
 * segment's header line); LEN is the record body length in bytes. KEY is the key the
 * frame carries (format 2), else the one the payload names; a non-zero frame tag follows
 * it as `tag 0x12`.
 */
import { parseSegmentName } from '../src/wal/segment-name.js';
import { printable, type EventDescription } from './describe-event.js';
import { hexDumpLines } from './hex-dump.js';
import { isoTime } from './time-text.js';
import type { CommitItem, EventItem, HeaderItem, SkippedItem, StructuresItem } from './walk-items.js';

const labels = new Map<string, string>();

/** `3` for `0000000000000003-….wal`; the file name itself for a file named otherwise. */
function segmentLabel(name: string): string {
  let label = labels.get(name);
  if (label === undefined) {
    label = String(parseSegmentName(name)?.sequence ?? printable(name));
    if (labels.size < 100_000) labels.set(name, label);
  }
  return label;
}

function columns(revision: string, segment: string, offsetBytes: number, bodyBytes: number, kind: string, rest: string): string {
  const at = `${segmentLabel(segment)}:${offsetBytes}`;
  return `${revision.padEnd(10)} ${at.padEnd(15)} ${String(bodyBytes).padEnd(5)} ${kind.padEnd(20)} ${rest}`.trimEnd();
}

export function headerLine(h: HeaderItem): string {
  return `--- segment ${h.sequence} ${printable(h.segment)}: format ${h.formatVersion}, first revision ${h.firstMain}, chained from CRC ${h.prevCrc.toString(16).padStart(8, '0')}, ${h.sizeBytes} bytes`;
}

export function eventLine(e: EventItem, d: EventDescription | null): string {
  const uncommitted = e.committed ? '' : ' (uncommitted: no commit record)';
  const frameKey = e.key === null ? null : printable(e.key);
  const tag = e.tag === 0 ? '' : `tag 0x${e.tag.toString(16).padStart(2, '0')}  `;
  if (e.payloadError || d === null) {
    const key = frameKey === null ? '' : `${frameKey}  `;
    return columns(`${e.main}.${e.sub}`, e.segment, e.offsetBytes, e.bodyBytes, '?payload', `${key}${tag}payload does not decode${uncommitted}`);
  }
  const key = frameKey ?? d.key;
  return columns(`${e.main}.${e.sub}`, e.segment, e.offsetBytes, e.bodyBytes, d.kind, `${key === null ? '' : `${key}  `}${tag}${d.summary}${uncommitted}`);
}

export function commitLine(c: CommitItem): string {
  const events = c.eventCount === 1 ? '1 event' : `${c.eventCount} events`;
  return columns(String(c.main), c.segment, c.offsetBytes, c.bodyBytes, 'commit', `${events} at ${isoTime(c.timeMs)}`);
}

export function structuresLine(s: StructuresItem): string {
  const text = s.table === null ? 'does not decode' : `${s.table.length} shared key lists`;
  return columns('-', s.segment, s.offsetBytes, s.bodyBytes, 'structures', `table of ${text}`);
}

export function skippedLines(s: SkippedItem): string[] {
  const shown = s.sample.length < s.lengthBytes ? ` (first ${s.sample.length} shown)` : '';
  const head = `!! skipped ${s.lengthBytes} bytes at ${segmentLabel(s.segment)}:${s.offsetBytes} (${printable(s.segment)})${shown}`;
  return [head, ...hexDumpLines(s.sample, s.offsetBytes)];
}
