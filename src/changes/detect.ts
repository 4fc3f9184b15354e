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
import { setImmediate as nextTurn } from 'node:timers/promises';
import { DETECT_RECORDS_PER_TURN } from '../limits.js';
import { isGoneRecord } from '../model/lifecycle.js';
import type { ResourceKey, ResourceRecord } from '../model/resource.js';
import { compareResults, observedBytes, observedRecords, scopePrefix, scopeString, type Scope, type ScanResult } from '../model/scope.js';
import type { ChangeEvent, ElavaEvent, ResourceDisappeared, ScopeScanned } from '../model/events.js';
import { diffRecords } from './diff.js';
import { judgeAbsence, type MassGuard } from './mass-guard.js';
import { recordsEqual } from './record-equal.js';
import { LISTED_BEFORE, ListingMemory, NOT_LIVE, type ListingWalk, type SlotKeys } from './listing-memory.js';

/**
 * What change detection needs from the current-state projection: live records in slots
 * (a slot stays a key's own while the key lives; ListingMemory guesses them); how many
 * live keys a scope holds, `liveInScope`; and `keysInScope`, every live key whose key
 * starts with `scopePrefix(scope)` (`provider/account/region/type/`), each once: exactly
 * the keys of that scope `slotOf` finds, as many as `liveInScope` counts. Both are only
 * asked about complete scopes.
 */
export interface CurrentStateView extends SlotKeys {
  recordAt(slot: number): ResourceRecord | undefined;
  liveInScope(scope: Scope): number;
  keysInScope(scope: Scope): Iterable<ResourceKey>;
}

export interface DetectOptions {
  /** The mass-disappearance guard; null: every complete listing is believed at once. */
  readonly guard: MassGuard | null;
  /** Ids the last suspect listing of a scope (by scope string) withheld, if any. */
  withheldIn(scope: string): ReadonlySet<string> | undefined;
  /**
   * The last listings, kept from one detection to the next (a daemon keeps one for its
   * life); none: a fresh one, which finds the same events, a little slower.
   */
  readonly memory?: ListingMemory;
}

/** No guard, nothing withheld: every complete listing proves absence on its own. */
export const UNGUARDED: DetectOptions = { guard: null, withheldIn: () => undefined };

export function detectChanges(
  results: readonly ScanResult[],
  current: CurrentStateView,
  options: DetectOptions = UNGUARDED,
): ElavaEvent[] {
  const steps = detectSteps(results, current, options);
  let step = steps.next();
  while (step.done !== true) step = steps.next();
  return step.value;
}

/**
 * detectChanges, giving the event loop a turn every DETECT_RECORDS_PER_TURN records and
 * keys looked at (small scopes share one turn): the same events, but a cycle over a
 * million resources (seconds of comparing) does not hold a daemon's /healthz,
 * /v1/status or query socket meanwhile.
 * `current` must stand still until it resolves (the daemon detects inside its one turn at
 * a time: nothing commits between a cycle's start and its commit).
 */
export async function detectChangesYielding(
  results: readonly ScanResult[],
  current: CurrentStateView,
  options: DetectOptions = UNGUARDED,
): Promise<ElavaEvent[]> {
  const steps = detectSteps(results, current, options);
  let looked = 0; // records and keys looked at since the last turn
  for (let step = steps.next(); ; step = steps.next()) {
    if (step.done === true) return step.value;
    looked += step.value;
    if (looked < DETECT_RECORDS_PER_TURN) continue; // small scopes share a turn
    looked = 0;
    await nextTurn();
  }
}

/** The detection, in steps of at most DETECT_RECORDS_PER_TURN records or keys; each yields how many. */
function* detectSteps(
  results: readonly ScanResult[],
  current: CurrentStateView,
  options: DetectOptions,
): Generator<number, ElavaEvent[]> {
  const sorted = [...results].sort(compareResults);
  const memory = options.memory ?? new ListingMemory();
  memory.begin(current.slotLimit);
  const events: ElavaEvent[] = [];
  const changes: ChangeEvent[] = [];
  for (let i = 0; i < sorted.length; i++) {
    const result = sorted[i] as ScanResult;
    if (i > 0 && compareResults(sorted[i - 1] as ScanResult, result) >= 0) assert.fail('each scope scanned once per cycle');
    events.push(yield* detectInScope(result, current, options, memory, changes));
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
function* detectInScope(
  result: ScanResult,
  current: CurrentStateView,
  options: DetectOptions,
  memory: ListingMemory,
  out: ChangeEvent[],
): Generator<number, ScopeScanned> {
  const prefix = scopePrefix(result.scope);
  const listed = observedRecords(result);
  const walk = memory.scope(prefix, listed.length, current, observedBytes(result));
  const seenNotLive = new Set<ResourceKey>(); // keys listed that are not live (live ones are marked)
  let liveListed = 0; // distinct listed keys that are live
  for (let from = 0; from < listed.length; from += DETECT_RECORDS_PER_TURN) {
    const to = Math.min(listed.length, from + DETECT_RECORDS_PER_TURN);
    liveListed += detectListed(listed, from, to, prefix, current, walk, seenNotLive, out);
    yield to - from;
  }
  const event = scopeScannedEvent(result);
  // Only a complete listing proves absence; nor is a failed one remembered (the last
  // whole listing guesses the next one better than a part of one).
  if (result.status !== 'complete') return event;
  // Most listings miss nothing: when the scope holds exactly as many live keys as it
  // listed, none is absent, and finding which are is skipped.
  const held = current.liveInScope(result.scope);
  let absent: string[] = [];
  if (held !== liveListed) {
    // Those the last listing had are found from it; only when they are not all of them
    // is the scope's every live key looked up.
    const remembered = walk.absentCandidates(held - liveListed);
    if (remembered !== null) absent = remembered;
    else {
      let walked = 0;
      for (let keys = current.keysInScope(result.scope)[Symbol.iterator](); ;) {
        const step = nextKeys(keys, prefix, { current, memory }, absent);
        walked += step.looked;
        yield step.looked;
        if (step.done) break;
      }
      if (walked !== held) assert.fail(`keysInScope(${prefix}) yields as many keys as liveInScope counts`);
    }
  }
  walk.finish();
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
 * Up to DETECT_RECORDS_PER_TURN more live keys of the scope; the ids of those the listing
 * did not return (not marked) go into `absent`. `done` once the keys are exhausted.
 */
function nextKeys(
  keys: Iterator<ResourceKey>,
  prefix: string,
  missed: { current: SlotKeys; memory: ListingMemory },
  absent: string[],
): { looked: number; done: boolean } {
  for (let looked = 0; looked < DETECT_RECORDS_PER_TURN; looked++) {
    const next = keys.next();
    if (next.done === true) return { looked, done: true };
    const key = next.value;
    if (!key.startsWith(prefix)) assert.fail(`keysInScope(${prefix}) yields only its keys`);
    if (!missed.memory.marked(missed.current.slotOf(key))) absent.push(key.slice(prefix.length));
  }
  return { looked: DETECT_RECORDS_PER_TURN, done: false };
}

/**
 * Appeared / changed for listed[from..to), and disappeared for live keys it listed as
 * gone; live keys are marked seen (ListingMemory), others kept in `seenNotLive`; returns
 * how many of them were live (each key once). Keys of two scopes never collide (the scope
 * is the key's prefix). A key listed twice in one scope keeps its first listing.
 *
 * A record the scan wrote as bytes is first checked against the last listing's
 * (`sameAsLast`): an unchanged one is settled there without touching its objects. Any
 * other is looked at as a record; one found equal to the state's is proven for next time.
 */
function detectListed(
  listed: readonly ResourceRecord[],
  from: number,
  to: number,
  prefix: string,
  current: CurrentStateView,
  walk: ListingWalk,
  seenNotLive: Set<ResourceKey>,
  out: ChangeEvent[],
): number {
  let live = 0;
  for (let i = from; i < to; i++) {
    if (walk.sameAsLast(i) >= 0) {
      live++; // unchanged, by its bytes and the last cycle's proof: nothing to look at
      continue;
    }
    const record = listed[i] as ResourceRecord;
    const key = record.key;
    if (!key.startsWith(prefix)) assert.fail(`record ${key} belongs to scope ${prefix}`);
    const slot = walk.slotOf(key, i);
    if (slot === LISTED_BEFORE) continue;
    let before: ResourceRecord | undefined;
    if (slot === NOT_LIVE) {
      const seenBefore = seenNotLive.size;
      seenNotLive.add(key);
      if (seenNotLive.size === seenBefore) continue; // listed twice: one hash operation, not two
    } else {
      before = current.recordAt(slot);
      live++;
    }
    if (isGoneRecord(record)) {
      if (before !== undefined) out.push({ type: 'disappeared', key, record });
    } else if (before === undefined) {
      out.push({ type: 'appeared', key, record });
    } else if (recordsEqual(before, record)) {
      walk.prove(i, before);
    } else {
      const diff = diffRecords(before, record);
      if (diff.length > 0) out.push({ type: 'changed', key, record, diff });
    }
  }
  return live;
}

function disappeared(key: ResourceKey, current: CurrentStateView): ResourceDisappeared {
  const slot = current.slotOf(key);
  const last = slot < 0 ? undefined : current.recordAt(slot);
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
