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

/** An event read back from the log. */
export interface LogEvent {
  kind: 'event';
  main: number;
  sub: number;
  /** The commit's time (every event of a commit shares it). */
  timeMs: number;
  payload: unknown;
  location: RecordLocation;
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

/** Where an appended commit landed: one segment, an offset per event, then the commit record's. */
export interface CommitPlacement {
  main: number;
  segment: string;
  /** Offsets of the event frames, in sub order; the last entry is the commit record's. */
  offsetsBytes: number[];
}
