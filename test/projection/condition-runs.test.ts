/**
 * ConditionSince keeps its runs by the key index's slots when built beside it
 * (builtInProjections), else in a map of its own (condition-runs.ts). Both must hold the
 * same state over churn, compactions that free slots, and keys that come back into a
 * reused slot.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { describe, it } from 'node:test';
import { ConditionSince } from '../../src/projection/condition-since.js';
import { KeyIndexProjection } from '../../src/projection/key-index-projection.js';
import type { LogEntry, LogEvent } from '../../src/wal/types.js';
import { syntheticLog } from './log-fixture.js';

function hashOf(p: ConditionSince): string {
  const hash = crypto.createHash('sha256');
  p.hashState(hash);
  return hash.digest('hex');
}

/** syntheticLog's entries with a compaction scheduled `lag` commits back at every `every`th commit. */
function withCompactions(entries: readonly LogEntry[], every: number, lag: number): LogEntry[] {
  const out: LogEntry[] = [];
  for (const e of entries) {
    if (e.kind === 'commit' && e.main % every === 0 && e.main > lag) {
      const last = out[out.length - 1] as LogEvent;
      out.push({ kind: 'event', main: e.main, sub: last.main === e.main ? last.sub + 1 : 0, timeMs: e.timeMs, payload: { type: 'compaction-scheduled', atMain: e.main - lag }, location: { ...e.location, offsetBytes: e.location.offsetBytes + 1 } });
      out.push({ ...e, eventCount: e.eventCount + 1 });
      continue;
    }
    out.push(e);
  }
  return out;
}

describe('ConditionSince by key slots', () => {
  for (const seed of [3, 8, 21]) {
    it(`seed ${seed}: equals the map-keyed one after every commit, through compactions that free and reuse slots`, () => {
      const entries = withCompactions(syntheticLog(160, seed).entries, 20, 8);
      const index = new KeyIndexProjection();
      const bySlots = new ConditionSince(index);
      const byMap = new ConditionSince();
      let compared = 0;
      let inCondition = 0;
      for (const e of entries) {
        if (e.kind === 'commit') {
          assert.equal(hashOf(bySlots), hashOf(byMap), `after commit ${e.main}`);
          assert.equal(bySlots.size, byMap.size);
          compared++;
          inCondition = Math.max(inCondition, byMap.size);
          continue;
        }
        index.apply({ ...e });
        bySlots.apply({ ...e });
        byMap.apply({ ...e });
      }
      assert.equal(compared, 160);
      assert.ok(inCondition > 5, `${inCondition} keys in the condition at most`);
      // compaction removed keys and their slots were taken again
      let keysEver = 0;
      const seen = new Set<string>();
      for (const e of entries) {
        const p = e.kind === 'event' ? (e.payload as { type: string; key?: string }) : null;
        if (p?.type === 'appeared' && p.key !== undefined && !seen.has(p.key)) {
          seen.add(p.key);
          keysEver++;
        }
      }
      assert.ok(index.index.keyCount < keysEver, `${index.index.keyCount} keys held of ${keysEver} ever seen: compaction removed some`);
      assert.ok(index.slotLimit < keysEver, `${index.slotLimit} slots for ${keysEver} keys: freed slots were reused`);
      for (const key of seen) assert.equal(bySlots.sinceMain(key), byMap.sinceMain(key), key);
    });
  }

  it('refuses a change of a key the key index was not fed', () => {
    const index = new KeyIndexProjection();
    const bySlots = new ConditionSince(index);
    const { entries } = syntheticLog(3, 5);
    const byMap = new ConditionSince();
    const aged = entries.find((e) => {
      if (e.kind !== 'event') return false;
      byMap.apply({ ...e });
      return byMap.size > 0; // the first change in the condition
    }) as LogEvent;
    assert.ok(aged !== undefined);
    assert.throws(() => bySlots.apply({ ...aged }), /no slot in the key index/);
  });

  it('restores a snapshot only over a key index that holds its keys', () => {
    const { entries } = syntheticLog(40, 2);
    const index = new KeyIndexProjection();
    const bySlots = new ConditionSince(index);
    for (const e of entries) if (e.kind === 'event') for (const p of [index, bySlots]) p.apply({ ...e });
    assert.ok(bySlots.size > 0);
    const restoredIndex = new KeyIndexProjection();
    restoredIndex.restore(structuredClone(index.snapshot()));
    const restored = new ConditionSince(restoredIndex);
    restored.restore(structuredClone(bySlots.snapshot()));
    assert.equal(hashOf(restored), hashOf(bySlots));
    const noKeys = new ConditionSince(new KeyIndexProjection());
    assert.throws(() => noKeys.restore(structuredClone(bySlots.snapshot())), { code: 'PROJECTION_BAD_SNAPSHOT', message: /not in the key index/ });
  });
});
