/**
 * The events Elava writes to its log. The log itself treats them as opaque payloads;
 * everything above the log (projections, queries, wal-dump's summaries) switches on `type`.
 *
 * One scan cycle is one commit: its events share the commit's revision `main` and are
 * numbered by `sub` in a deterministic order (scope-scanned events first, by scope, then
 * change events by key). The commit carries the cycle's time.
 */
import type { AttrValue, ResourceKey, ResourceRecord } from './resource.js';

/** One field that differs between two records; `path` is dotted, e.g. `tags.Owner`. */
export interface FieldChange {
  path: string;
  /** undefined-free: a missing value is null. */
  before: AttrValue;
  after: AttrValue;
}

export interface ResourceAppeared {
  type: 'appeared';
  key: ResourceKey;
  record: ResourceRecord;
}

export interface ResourceChanged {
  type: 'changed';
  key: ResourceKey;
  record: ResourceRecord;
  diff: FieldChange[];
}

/**
 * The end of a generation. `record` is the last record known of it: the one listed as gone
 * (an instance listed `terminated`), or else the last one seen alive. Events written before
 * it was added carry only the key; readers must accept both.
 */
export interface ResourceDisappeared {
  type: 'disappeared';
  key: ResourceKey;
  record?: ResourceRecord;
}

/**
 * `complete`: every page came back. `failed`: it did not (see `error`). `suspect`: a
 * complete listing that would have tombstoned too large a share of the scope; its
 * disappearances are withheld until the next complete listing agrees (src/changes/mass-guard.ts).
 */
export type ScopeStatus = 'complete' | 'failed' | 'suspect';

/** Why a scope failed; `code` is stable for metrics (e.g. `throttled`, `access-denied`). */
export interface ScopeError {
  code: string;
  message: string;
}

/**
 * One listing unit's outcome: `provider/account/region/type`, e.g.
 * `aws/123456789012/us-east-1/ec2.instance`. Only a complete scope proves absence.
 */
export interface ScopeScanned {
  type: 'scope-scanned';
  scope: string;
  status: ScopeStatus;
  /** Resources listed (complete) or seen before failing (failed). */
  listed: number;
  durationMs: number;
  error: ScopeError | null;
  /**
   * Suspect scopes only: the ids (keys without the `<scope>/` prefix) the listing missed and
   * whose disappearance waits for the next complete listing. The log is where the guard
   * remembers them, across cycles and restarts (src/projection/withheld.ts).
   */
  withheld?: string[];
}

export interface CheckpointTaken {
  type: 'checkpoint';
  /** File name of the checkpoint, relative to the data directory. */
  file: string;
  /** The last revision main the checkpoint covers. */
  coversMain: number;
}

export interface CompactionScheduled {
  type: 'compaction-scheduled';
  atMain: number;
}

export interface CompactionFinished {
  type: 'compaction-finished';
  atMain: number;
}

/**
 * The retention policy thinned the history of [fromMain, beforeMain) to one revision per
 * resource lifetime per day (src/store/retention-policy.ts). `dayStartMains` are the first
 * revision mains of each UTC day inside the window, ascending; the key index applies the
 * same thinning whenever it replays this marker, so a rebuild reproduces it exactly.
 */
export interface HistoryDownsampled {
  type: 'history-downsampled';
  fromMain: number;
  beforeMain: number;
  dayStartMains: number[];
}

/**
 * `elava repair --accept-loss` cut damaged history: written in the first commit after the
 * cut, at a revision above every one the cut part held, so revisions never go backwards.
 */
export interface LogRepaired {
  type: 'log-repaired';
  /** Where the damage was, and the `.broken` copy kept of that segment. */
  segment: string;
  offsetBytes: number;
  brokenCopy: string | null;
  /** The last whole revision kept, and what the cut removed (null bounds: none seen). */
  keptMain: number;
  lostMainMin: number | null;
  lostMainMax: number | null;
  lostCommits: number;
  lostEvents: number;
}

/**
 * Fan-in (src/fanin/): the aggregator's log holds one commit per source commit, and this
 * event comes first in it (sub 0): which source, which of its revisions, when it was
 * committed there. The source's own events follow, except its local control events
 * (checkpoint, compaction, repair markers describe the source's files, not the aggregate's),
 * and except events of scopes another source already reports (`conflicts`: those scopes).
 * The `sources` projection folds these into "last revision applied per source", which is
 * how a redelivered or duplicate source commit is recognised after a restart.
 */
export interface SourceCommit {
  type: 'source-commit';
  /** The source's id (random, created once per data directory: src/fanin/source-id.ts). */
  source: string;
  /** The revision main of the commit in the source's log, and its commit time there. */
  sourceMain: number;
  sourceTimeMs: number;
  /** Events the source commit held (all of them, forwarded or not). */
  sourceEvents: number;
  /** Scopes of this commit that another source reports: their events were not applied. */
  conflicts: string[];
}

export type ChangeEvent = ResourceAppeared | ResourceChanged | ResourceDisappeared;
export type ControlEvent =
  | ScopeScanned | CheckpointTaken | CompactionScheduled | CompactionFinished | LogRepaired | HistoryDownsampled
  | SourceCommit;
export type ElavaEvent = ChangeEvent | ControlEvent;

export function isChangeEvent(event: ElavaEvent): event is ChangeEvent {
  return event.type === 'appeared' || event.type === 'changed' || event.type === 'disappeared';
}
