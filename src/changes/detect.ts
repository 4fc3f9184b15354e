/**
 * Change detection: one scan cycle's results against the last known state → the events of
 * ONE commit, in their commit order (`sub` = index in the returned list):
 *
 *   1. one `scope-scanned` event per result, sorted by scope string;
 *   2. change events sorted by resource key:
 *      - `appeared`    a key observed now that the current state does not hold;
 *      - `changed`     a key observed now whose record differs (full new record + diff);
 *                      a record equal to the last one yields nothing;
 *      - `disappeared` a key of a COMPLETE scope that the listing did not return, or a
 *                      live key listed as gone (EC2 `terminated`, EBS `deleted`:
 *                      src/model/lifecycle.ts) by ANY scope, failed ones included; it
 *                      carries the last record (the gone one as listed, or the last live).
 *
 * A gone record is direct evidence, not an inference from silence: the cloud named the id
 * and said it is terminated. So it counts even when a later page of the listing failed.
 * A gone record of a key that is not live (terminated before Elava ever saw it, or already
 * reported) yields nothing: further listings of a terminated instance change nothing and
 * never bring it back. (EC2 never reuses ids; a key listed alive again after that would
 * start a new generation, as any recreated resource does.)
 *
 * With a mass-disappearance guard (src/changes/mass-guard.ts), a complete listing whose
 * absences exceed the guard's share of the scope is reported `suspect`: its absent keys are
 * withheld in the scope-scanned event, and disappear only when the next complete listing
 * also misses them.
 *
 * The promise users care about most: a live resource is never reported as disappeared.
 * So a failed scope yields its `scope-scanned` event with the reason and no `disappeared`
 * events for what it did not list; its unseen resources keep their last state. The records
 * a failed scope did list before failing (`partialRecords`) were really seen with those
 * values, so they may still produce `appeared`/`changed`, or `disappeared` when listed as
 * gone. A scope with no result in this cycle (say, a region dropped from the config) is
 * not looked at.
 *
 * Worked example (current state holds a, b, c in scope S1 and x in scope S2):
 *   S1 complete, lists a (unchanged), b (Owner tag removed), d (new)
 *   S2 failed (throttled), listed nothing
 * → scope-scanned S1 complete · scope-scanned S2 failed/throttled ·
 *   changed b [tags.Owner: platform → null, owner: platform → null] · disappeared c ·
 *   appeared d     (x is spared: its scope failed)
 */
import assert from 'node:assert/strict';
import { isGoneRecord } from '../model/lifecycle.js';
import type { ResourceKey, ResourceRecord } from '../model/resource.js';
import { compareResults, observedRecords, scopePrefix, scopeString, type Scope, type ScanResult } from '../model/scope.js';
import type { ChangeEvent, ElavaEvent, ResourceDisappeared, ScopeScanned } from '../model/events.js';
import { diffRecords } from './diff.js';
import { judgeAbsence, type MassGuard } from './mass-guard.js';
import { recordsEqual } from './record-equal.js';

/**
 * What change detection needs from the current-state projection. `keysInScope` yields
 * every live key whose key starts with `scopePrefix(scope)` (`provider/account/region/type/`),
 * each once; it is only asked about complete scopes.
 */
export interface CurrentStateView {
  get(key: ResourceKey): ResourceRecord | undefined;
  keysInScope(scope: Scope): Iterable<ResourceKey>;
}

export interface DetectOptions {
  /** The mass-disappearance guard; null: every complete listing is believed at once. */
  readonly guard: MassGuard | null;
  /** Ids the last suspect listing of a scope (by scope string) withheld, if any. */
  withheldIn(scope: string): ReadonlySet<string> | undefined;
}

/** No guard, nothing withheld: every complete listing proves absence on its own. */
export const UNGUARDED: DetectOptions = { guard: null, withheldIn: () => undefined };

export function detectChanges(
  results: readonly ScanResult[],
  current: CurrentStateView,
  options: DetectOptions = UNGUARDED,
): ElavaEvent[] {
  const sorted = [...results].sort(compareResults);
  const events: ElavaEvent[] = [];
  const changes: ChangeEvent[] = [];
  for (let i = 0; i < sorted.length; i++) {
    const result = sorted[i] as ScanResult;
    if (i > 0 && compareResults(sorted[i - 1] as ScanResult, result) >= 0) assert.fail('each scope scanned once per cycle');
    events.push(detectInScope(result, current, options, changes));
  }
  changes.sort(compareByKey);
  for (let i = 0; i < changes.length; i++) {
    const change = changes[i] as ChangeEvent;
    if (i > 0 && !((changes[i - 1] as ChangeEvent).key < change.key)) assert.fail('one change event per key per commit');
    events.push(change);
  }
  return events;
}

/** One scope's changes into `out`; returns its scope-scanned event. */
function detectInScope(
  result: ScanResult,
  current: CurrentStateView,
  options: DetectOptions,
  out: ChangeEvent[],
): ScopeScanned {
  const seen = detectListed(result, current, out);
  const event = scopeScannedEvent(result);
  if (result.status !== 'complete') return event; // only a complete listing proves absence
  const prefix = scopePrefix(result.scope);
  const absent: string[] = [];
  let held = 0;
  for (const key of current.keysInScope(result.scope)) {
    if (!key.startsWith(prefix)) assert.fail(`keysInScope(${prefix}) yields only its keys`);
    held++;
    if (!seen.has(key)) absent.push(key.slice(prefix.length));
  }
  const verdict = judgeAbsence(absent, held, options.withheldIn(event.scope), options.guard);
  for (const id of verdict.disappear) out.push(disappeared(prefix + id, current));
  if (verdict.overflow) {
    const message =
      `listing misses ${absent.length} of ${held} resources, too many to withhold; ` +
      'nothing of them disappears';
    event.status = 'failed';
    event.error = { code: 'mass-disappearance', message };
  } else if (verdict.withheld.length > 0) {
    event.status = 'suspect';
    event.withheld = verdict.withheld;
  }
  return event;
}

/**
 * Appeared / changed for what the listing returned, and disappeared for live keys it
 * listed as gone. Keys of two scopes never collide (the scope is the key's prefix), so
 * the set of keys seen is per scope: small sets that stay in cache, not one per cycle.
 * A key listed twice in one scope keeps its first listing.
 */
function detectListed(
  result: ScanResult,
  current: CurrentStateView,
  out: ChangeEvent[],
): Set<ResourceKey> {
  const prefix = scopePrefix(result.scope);
  const seen = new Set<ResourceKey>();
  for (const record of observedRecords(result)) {
    const key = record.key;
    if (!key.startsWith(prefix)) assert.fail(`record ${key} belongs to scope ${prefix}`);
    const seenBefore = seen.size;
    seen.add(key);
    if (seen.size === seenBefore) continue; // listed twice: one hash operation, not two
    const before = current.get(key);
    if (isGoneRecord(record)) {
      if (before !== undefined) out.push({ type: 'disappeared', key, record });
    } else if (before === undefined) {
      out.push({ type: 'appeared', key, record });
    } else if (!recordsEqual(before, record)) {
      const diff = diffRecords(before, record);
      if (diff.length > 0) out.push({ type: 'changed', key, record, diff });
    }
  }
  return seen;
}

function disappeared(key: ResourceKey, current: CurrentStateView): ResourceDisappeared {
  const last = current.get(key);
  if (last === undefined) return { type: 'disappeared', key };
  return { type: 'disappeared', key, record: last };
}

function scopeScannedEvent(result: ScanResult): ScopeScanned {
  const complete = result.status === 'complete';
  return {
    type: 'scope-scanned',
    scope: scopeString(result.scope),
    status: result.status,
    listed: complete ? result.records.length : result.partialRecords.length,
    durationMs: Math.round(result.durationMs),
    error: complete ? null : result.error,
  };
}

function compareByKey(a: ChangeEvent, b: ChangeEvent): number {
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}
