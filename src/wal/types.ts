/**
 * What the log hands to the layers above it. The log stores opaque payloads: it knows
 * revisions, commits and byte positions, nothing of clouds.
 */

import type { RecordLocation } from '../model/record-location.js';

export type { RecordLocation };

/** One commit to append: revision `main`, its wall-clock time, and its events (sub = index). */
/** A commit as handed to append(): without `main`, the log assigns the next revision. */
export interface AppendCommit {
  main?: number;
  timeMs: number;
  events: readonly unknown[];
}

export interface Commit {
  main: number;
  timeMs: number;
  events: readonly unknown[];
}

/** An event read back from the log (or built in memory by the layers above, see below). */
export interface LogEvent {
  kind: 'event';
  main: number;
  sub: number;
  /** The commit's time (every event of a commit shares it). */
  timeMs: number;
  payload: unknown;
  location: RecordLocation;
  /**
   * The key the layer above named this event by when it was appended (WalOptions.eventKey),
   * as stored beside the payload in a format-2 frame; null for a keyless event and for
   * every event of a format-1 segment. Every reader of the log sets it (LogEventRead); it
   * is optional here only because layers above build events in memory too.
   */
  key?: string | null;
  /** The small number the layer above classified it by (WalOptions.eventTag); 0: none, and for format 1. */
  tag?: number;
}

/** An event as the log's readers hand it out: key and tag always set. */
export interface LogEventRead extends LogEvent {
  key: string | null;
  tag: number;
}

/** The end of a commit, read back from the log: every event before it with this main is durable. */
export interface LogCommitEnd {
  kind: 'commit';
  main: number;
  timeMs: number;
  eventCount: number;
  location: RecordLocation;
}

export type LogEntry = LogEvent | LogCommitEnd;
/** What a reader of the log hands out. */
export type LogEntryRead = LogEventRead | LogCommitEnd;

/** Where an appended commit landed: one segment, an offset per event, then the commit record's. */
export interface CommitPlacement {
  main: number;
  segment: string;
  /** Offsets of the event frames, in sub order; the last entry is the commit record's. */
  offsetsBytes: number[];
}
