/**
 * The guard against mass disappearance: a complete listing that would tombstone more than
 * the guard's share of a scope holding at least minResources is `suspect`; its absences
 * are withheld until the next complete listing agrees.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { detectChanges, type DetectOptions } from '../../src/changes/detect.js';
import type { ElavaEvent, ScopeScanned } from '../../src/model/events.js';
import { judgeAbsence, type MassGuard } from '../../src/changes/mass-guard.js';
import type { ResourceRecord } from '../../src/model/resource.js';
import type { ScanResult, Scope } from '../../src/model/scope.js';
import { instanceRecord } from './fixtures.js';
import { MemoryState } from './memory-state.js';

const GUARD: MassGuard = { share: 0.5, minResources: 10 };
const EAST: Scope = {
  provider: 'aws', account: '123456789012', region: 'us-east-1', type: 'ec2.instance',
};
const SCOPE = 'aws/123456789012/us-east-1/ec2.instance';

function ids(n: number, from = 0): string[] {
  return Array.from({ length: n }, (_, i) => `i-${String(from + i).padStart(2, '0')}`);
}

function complete(idList: readonly string[]): ScanResult {
  const records = idList.map((id) => instanceRecord('us-east-1', id));
  return { scope: EAST, status: 'complete', records, durationMs: 1 };
}

function fleet(n: number): MemoryState {
  const state = new MemoryState();
  for (const id of ids(n)) {
    const r: ResourceRecord = instanceRecord('us-east-1', id);
    state.records.set(r.key, r);
  }
  return state;
}

function options(guard: MassGuard | null, withheld: readonly string[] = []): DetectOptions {
  const set = new Set(withheld);
  return { guard, withheldIn: (scope) => (scope === SCOPE && set.size > 0 ? set : undefined) };
}

function scanned(events: readonly ElavaEvent[]): ScopeScanned {
  const e = events[0];
  assert.ok(e?.type === 'scope-scanned');
  return e;
}

function disappearedIds(events: readonly ElavaEvent[]): string[] {
  return events.filter((e) => e.type === 'disappeared').map((e) => e.key.split('/').at(-1) ?? '');
}

describe('judgeAbsence', () => {
  // name, absent, held, of the absent: withheld before, guard → disappear now, withheld now
  type Vector = [string, number, number, number, MassGuard | null, number, number];
  const vectors: Vector[] = [
    ['a few missing disappear at once', 2, 20, 0, GUARD, 2, 0],
    ['exactly half is not more than half', 5, 10, 0, GUARD, 5, 0],
    ['more than half of a big enough scope is withheld', 6, 10, 0, GUARD, 0, 6],
    ['a scope below minResources is never suspect', 9, 9, 0, GUARD, 9, 0],
    ['the guard turned off believes every listing', 10, 10, 0, null, 10, 0],
    ['withheld ids missing again agree and disappear', 6, 10, 6, GUARD, 6, 0],
    ['agreed ids go, newly missing ones are judged alone', 8, 10, 2, GUARD, 2, 6],
  ];
  for (const [name, absentCount, held, pending, guard, disappear, withheld] of vectors) {
    it(name, () => {
      const absent = ids(absentCount);
      const verdict = judgeAbsence(absent, held, new Set(absent.slice(0, pending)), guard);
      assert.equal(verdict.disappear.length, disappear);
      assert.equal(verdict.withheld.length, withheld);
      assert.equal(verdict.overflow, false);
    });
  }
});

describe('change detection with the mass-disappearance guard', () => {
  it('reports a listing that misses most of a scope as suspect and disappears nothing', () => {
    // given 12 live instances
    const state = fleet(12);
    // when a complete listing returns only 5 of them
    const events = detectChanges([complete(ids(5))], state, options(GUARD));
    // then the scope is suspect, withholds the 7 others, and nothing disappears
    const e = scanned(events);
    assert.equal(e.status, 'suspect');
    assert.deepEqual(e.withheld, ids(7, 5));
    assert.equal(e.error, null);
    assert.deepEqual(disappearedIds(events), []);
  });

  it('disappears the withheld resources the next complete listing also misses', () => {
    // given 12 live instances, 7 of them withheld by the last (suspect) listing
    const state = fleet(12);
    // when the next listing returns the first 5 and two of the withheld (i-05, i-06)
    const events = detectChanges([complete(ids(7))], state, options(GUARD, ids(7, 5)));
    // then the 5 still missing disappear, carrying their last record; the two that came back stay
    assert.equal(scanned(events).status, 'complete');
    assert.deepEqual(disappearedIds(events), ids(5, 7));
    const first = events.find((e) => e.type === 'disappeared');
    assert.ok(first?.type === 'disappeared');
    assert.equal(first.record?.key, first.key);
  });

  it('does not count resources listed as terminated towards the share', () => {
    // given 12 live instances, 8 of which the listing shows terminated
    const state = fleet(12);
    const listed = ids(12).map((id, i) => ({
      ...instanceRecord('us-east-1', id),
      state: i < 8 ? 'terminated' : 'running',
    }));
    const result: ScanResult = { scope: EAST, status: 'complete', records: listed, durationMs: 1 };
    // when detected with the guard on
    const events = detectChanges([result], state, options(GUARD));
    // then the listing is direct evidence: complete, and the 8 disappear now
    assert.equal(scanned(events).status, 'complete');
    assert.deepEqual(disappearedIds(events), ids(8));
  });

  it('disappears a mass absence at once when the guard is off', () => {
    const events = detectChanges([complete([])], fleet(12), options(null));
    assert.equal(scanned(events).status, 'complete');
    assert.equal(disappearedIds(events).length, 12);
  });
});
