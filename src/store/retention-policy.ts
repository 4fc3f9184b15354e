/**
 * The retention policy (the seed's default shape), applied online by the daemon between
 * scan cycles:
 *
 *   - every revision is kept for a recent window (`keepAllMs`, default 30 days);
 *   - older history is kept at day granularity: per resource lifetime, its first revision,
 *     its end, and the last revision of each UTC day (a daily snapshot). This thinning is a
 *     `history-downsampled` marker committed through the Store, which the key index applies
 *     whenever it replays it, so rebuilds, checkpoints and restarts agree;
 *   - history older than a horizon (`horizonMs`, off by default) is dropped altogether by
 *     compaction (etcd-style, with a base; the log segments below it are deleted).
 *
 * Planning is pure (revision times in, a plan out); `applyRetention` carries a plan out.
 * The window only ever moves forward: a plan never downsamples below what already was.
 */
import assert from 'node:assert/strict';
import type { HistoryDownsampled } from '../model/events.js';
import { findProjection } from '../projection/builtins.js';
import { CommitTimes } from '../projection/commit-times.js';
import { ControlState } from '../projection/control-state.js';
import { KeyIndexProjection } from '../projection/key-index-projection.js';
import { RETENTION_DAYS_PER_MARKER_MAX } from '../limits.js';
import type { CompactionResult } from './compaction.js';
import type { Store } from './store.js';

export const DAY_MS = 86_400_000;

export interface RetentionPolicy {
  /** Every revision younger than this is kept. */
  keepAllMs: number;
  /** History older than this is compacted away; null keeps it (at day granularity). */
  horizonMs: number | null;
}

/** What one application of the policy does: either part may be absent. */
export interface RetentionPlan {
  downsample: HistoryDownsampled | null;
  /** Compact below this main (horizon); null: nothing to drop. */
  compactAtMain: number | null;
}

/** The revision mains and times the plan is made from (CommitTimes), and where history stands. */
export interface RetentionInputs {
  /** Scan commits' mains and times, ascending (markers excluded). */
  mainAtOrAfter(timeMs: number): number | null;
  mainAtOrBefore(timeMs: number): number | null;
  /** Revision mains [fromMain, beforeMain) whose commit starts a new UTC day, ascending. */
  dayStarts(fromMain: number, beforeMain: number): number[];
  downsampledBeforeMain: number;
  compactedMain: number;
  lastMain: number;
}

export function planRetention(policy: RetentionPolicy, inputs: RetentionInputs, nowMs: number): RetentionPlan {
  assert.ok(policy.keepAllMs >= DAY_MS, 'the recent window is at least a day');
  assert.ok(policy.horizonMs === null || policy.horizonMs > policy.keepAllMs, 'the horizon lies beyond the window');
  // The window starts at a UTC midnight, so it moves once a day and a day is never split.
  const windowStartMs = Math.floor((nowMs - policy.keepAllMs) / DAY_MS) * DAY_MS;
  const plan: RetentionPlan = { downsample: null, compactAtMain: null };
  const beforeMain = inputs.mainAtOrAfter(windowStartMs) ?? inputs.lastMain + 1;
  const fromMain = Math.max(inputs.downsampledBeforeMain, inputs.compactedMain + 1, 1);
  if (beforeMain > fromMain) {
    const dayStartMains = inputs.dayStarts(fromMain, beforeMain);
    // A daemon off for years catches up in bounded steps: one marker at most this many days.
    const bounded = dayStartMains.length > RETENTION_DAYS_PER_MARKER_MAX
      ? dayStartMains.slice(0, RETENTION_DAYS_PER_MARKER_MAX) : dayStartMains;
    const stepBefore = bounded.length < dayStartMains.length ? (dayStartMains[bounded.length] as number) : beforeMain;
    plan.downsample = { type: 'history-downsampled', fromMain, beforeMain: stepBefore, dayStartMains: bounded };
  }
  if (policy.horizonMs !== null) {
    const atMain = inputs.mainAtOrBefore(nowMs - policy.horizonMs);
    if (atMain !== null && atMain > inputs.compactedMain && atMain <= inputs.lastMain) plan.compactAtMain = atMain;
  }
  return plan;
}

export interface RetentionOutcome {
  downsampled: HistoryDownsampled | null;
  revisionsDropped: number;
  compaction: CompactionResult | null;
}

/** Plans from the store's own projections and carries the plan out (between commits). */
export async function applyRetention(store: Store, policy: RetentionPolicy, nowMs: number): Promise<RetentionOutcome> {
  const times = findProjection(store.projections, CommitTimes);
  const control = findProjection(store.projections, ControlState);
  const keyIndex = findProjection(store.projections, KeyIndexProjection);
  assert.ok(times && control && keyIndex, 'retention needs commit times, the control state and the key index');
  const plan = planRetention(policy, {
    mainAtOrAfter: (t) => times.mainAtOrAfter(t),
    mainAtOrBefore: (t) => times.mainAtOrBefore(t),
    dayStarts: (from, before) => times.dayStarts(from, before, DAY_MS),
    downsampledBeforeMain: control.downsampledBeforeMain,
    compactedMain: keyIndex.index.compactedMain,
    lastMain: store.lastMain,
  }, nowMs);
  const outcome: RetentionOutcome = { downsampled: null, revisionsDropped: 0, compaction: null };
  if (plan.downsample !== null) {
    const before = keyIndex.index.revisionCount;
    await store.commit([plan.downsample], nowMs);
    outcome.downsampled = plan.downsample;
    outcome.revisionsDropped = before - keyIndex.index.revisionCount;
  }
  if (plan.compactAtMain !== null) outcome.compaction = await store.compact(plan.compactAtMain);
  return outcome;
}
