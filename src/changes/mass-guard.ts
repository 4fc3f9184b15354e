/**
 * The guard against mass disappearance. A complete listing proves absence only as far as
 * the listing can be believed; one that suddenly lacks most of a scope is more often a
 * broken answer (a proxy, a truncated body that still parses) than a real mass deletion.
 *
 * Rule, per complete listing of a scope that held `held` live resources, of which the
 * listing missed `absent` (keys not listed at all; a resource listed as terminated is
 * evidence, not absence, and is never withheld):
 *
 *   agreed   = absent ∩ withheld-by-the-previous-suspect-listing → disappear now;
 *   fresh    = absent \ withheld;
 *   if the guard is on, held ≥ minResources and |fresh| > share × held:
 *        fresh are withheld (the scope is `suspect`), nothing of them disappears;
 *   else fresh disappear now.
 *
 * So a real mass deletion is reported one complete listing late, and a resource that comes
 * back in that next listing was never disappeared. What it trades: if two complete listings
 * in a row lack the same resources, they are believed. A failed listing in between changes
 * nothing (withheld ids wait for the next *complete* one).
 *
 * Worked example (share 0.5, minResources 10; scope S holds a..l, 12 resources):
 *   cycle 1: S lists a..e (7 missing: f..l)  → suspect, withheld f..l, nothing disappears
 *   cycle 2: S lists a..e, f, g              → h..l disappear (agreed); f, g came back
 *   cycle 2': S failed                       → nothing; f..l still withheld for cycle 3
 */
import assert from 'node:assert/strict';
import { GUARD_WITHHELD_IDS_MAX } from '../limits.js';

export interface MassGuard {
  /** Share of the scope (0 < share < 1) above which a listing's absences are suspect. */
  readonly share: number;
  /** Scopes holding fewer live resources are never suspect. */
  readonly minResources: number;
}

export interface AbsenceVerdict {
  /** Ids to report as disappeared now. */
  readonly disappear: string[];
  /** Ids withheld (sorted); non-empty means the scope is suspect. */
  readonly withheld: string[];
  /** Withheld ids beyond GUARD_WITHHELD_IDS_MAX: the scope is then failed, not suspect. */
  readonly overflow: boolean;
}

/**
 * `absent`: ids of live resources the listing missed; `held`: live resources of the scope
 * before this listing; `pending`: ids the last suspect listing of the scope withheld.
 */
export function judgeAbsence(
  absent: readonly string[],
  held: number,
  pending: ReadonlySet<string> | undefined,
  guard: MassGuard | null,
): AbsenceVerdict {
  assert.ok(absent.length <= held, 'absent resources were held');
  const agreed: string[] = [];
  const fresh: string[] = [];
  for (const id of absent) (pending?.has(id) === true ? agreed : fresh).push(id);
  if (guard === null || held < guard.minResources || fresh.length <= guard.share * held) {
    return { disappear: [...agreed, ...fresh], withheld: [], overflow: false };
  }
  fresh.sort();
  if (fresh.length > GUARD_WITHHELD_IDS_MAX) {
    return { disappear: agreed, withheld: [], overflow: true };
  }
  return { disappear: agreed, withheld: fresh, overflow: false };
}

/** Asserts a guard's settings are in range (config validation rejects the rest first). */
export function checkGuard(guard: MassGuard): MassGuard {
  assert.ok(guard.share > 0 && guard.share < 1, 'guard share in (0, 1)');
  const min = guard.minResources;
  assert.ok(Number.isSafeInteger(min) && min >= 0, 'guard minResources ≥ 0');
  return guard;
}
