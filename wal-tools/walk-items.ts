/**
 * What walking the log yields, in file order: segment headers, records (events and
 * commit records), regions skipped by --raw, and problems. Formatters, filters and stats
 * consume these; none of them reads the disk.
 */
import type { Problem } from './problems.js';

export interface HeaderItem {
  kind: 'header';
  segment: string;
  sizeBytes: number;
  /** The header's format version (1: events without key or tag; 2: with). */
  formatVersion: number;
  sequence: number;
  firstMain: number;
  prevCrc: number;
}

export interface EventItem {
  kind: 'event';
  segment: string;
  offsetBytes: number;
  bodyBytes: number;
  main: number;
  sub: number;
  /** The commit's time; null for an event whose commit record was never written. */
  timeMs: number | null;
  committed: boolean;
  /** The key the frame carries (format 2); null when it has none, and in format 1. */
  key: string | null;
  /** The frame's tag (format 2); 0 when none, and in format 1. */
  tag: number;
  /** The decoded payload (undefined when payloadError is set). */
  payload: unknown;
  payloadError: boolean;
}

export interface CommitItem {
  kind: 'commit';
  segment: string;
  offsetBytes: number;
  bodyBytes: number;
  main: number;
  eventCount: number;
  timeMs: number;
}

/** A structure table record (src/wal/codec.ts): the shared msgpack key lists. */
export interface StructuresItem {
  kind: 'structures';
  segment: string;
  offsetBytes: number;
  bodyBytes: number;
  /** The table's length as the frame states it. */
  tableLength: number;
  /** The decoded table, null when it does not decode. */
  table: string[][] | null;
}

/** Bytes --raw stepped over; `sample` holds at most the first HEX_SHOWN_BYTES_MAX of them. */
export interface SkippedItem {
  kind: 'skipped';
  segment: string;
  offsetBytes: number;
  lengthBytes: number;
  sample: Buffer;
}

export interface ProblemItem {
  kind: 'problem';
  problem: Problem;
}

export type RecordItem = EventItem | CommitItem;
export type WalkItem = HeaderItem | RecordItem | StructuresItem | SkippedItem | ProblemItem;

/** At most this many skipped bytes are kept for the hex dump of one gap. */
export const HEX_SHOWN_BYTES_MAX = 512;
