/**
 * Segment file names: `%016x-%016x.wal` (sequence, first revision main). A segment being
 * prepared carries `.tmp`; a copy set aside by repair carries `.broken`.
 */
import assert from 'node:assert/strict';
import { WalError } from './errors.js';

const SEGMENT_NAME = /^([0-9a-f]{16})-([0-9a-f]{16})\.wal$/;
export const TMP_SUFFIX = '.tmp';
export const BROKEN_SUFFIX = '.broken';

export interface SegmentName {
  name: string;
  sequence: number;
  firstMain: number;
}

export function segmentFileName(sequence: number, firstMain: number): string {
  assert.ok(Number.isSafeInteger(sequence) && sequence >= 0);
  assert.ok(Number.isSafeInteger(firstMain) && firstMain >= 0);
  return `${sequence.toString(16).padStart(16, '0')}-${firstMain.toString(16).padStart(16, '0')}.wal`;
}

export function parseSegmentName(name: string): SegmentName | null {
  const m = SEGMENT_NAME.exec(name);
  if (!m || m[1] === undefined || m[2] === undefined) return null;
  const sequence = Number.parseInt(m[1], 16);
  const firstMain = Number.parseInt(m[2], 16);
  if (!Number.isSafeInteger(sequence) || !Number.isSafeInteger(firstMain)) return null;
  return { name, sequence, firstMain };
}

/**
 * The segments of a directory listing, in sequence order, checked for contiguity.
 * Names ending `.wal` that do not parse are an error, never silently skipped.
 */
export function orderSegments(names: readonly string[]): SegmentName[] {
  const segments: SegmentName[] = [];
  for (const name of names) {
    if (!name.endsWith('.wal')) continue;
    const parsed = parseSegmentName(name);
    if (!parsed) throw new WalError('WAL_BAD_NAME', `malformed segment file name ${JSON.stringify(name)}`, { segment: name });
    segments.push(parsed);
  }
  segments.sort((a, b) => a.sequence - b.sequence);
  for (let i = 1; i < segments.length; i++) {
    const prev = segments[i - 1]!;
    const cur = segments[i]!;
    if (cur.sequence !== prev.sequence + 1) {
      throw new WalError(
        'WAL_SEQUENCE_GAP',
        `segment sequence jumps from ${prev.sequence} to ${cur.sequence}: a segment is missing after ${prev.name}`,
        { segment: cur.name, offsetBytes: 0 },
      );
    }
    if (cur.firstMain < prev.firstMain) {
      throw new WalError('WAL_BAD_NAME', `segment revisions go backwards after ${prev.name}`, { segment: cur.name, offsetBytes: 0 });
    }
  }
  return segments;
}
