/**
 * The current state, the counts and the condition ages keep their per-key state by the key
 * index's slots when built beside it (builtInProjections, IndexKeyedValues), else numbering
 * keys themselves (KeyedSlots). Both must hold the same state over churn, compactions that
 * free slots, and keys that come back into a reused slot.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { describe, it } from 'node:test';
import { ConditionSince } from '../../src/projection/condition-since.js';
import { Counts } from '../../src/projection/counts.js';
import { CurrentState } from '../../src/projection/current-state.js';
import type { Projection } from '../../src/projection/projection.js';
import { KeyIndexProjection } from '../../src/projection/key-index-projection.js';
import type { LogEntry, LogEvent } from '../../src/wal/types.js';
import { syntheticLog } from './log-fixture.js';

function hashOf(p: Projection): string {
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

describe('per-key state by the key index\'s slots', () => {
  for (const seed of [3, 8, 21]) {
    it(`seed ${seed}: equals the self-numbered one after every commit, through compactions that free and reuse slots`, () => {
      const entries = withCompactions(syntheticLog(160, seed).entries, 20, 8);
      const index = new KeyIndexProjection();
      const pairs: Array<[string, Projection, Projection]> = [
        ['condition-since', new ConditionSince(index), new ConditionSince()],
        ['current-state', new CurrentState(index), new CurrentState()],
        ['counts', new Counts(index), new Counts()],
      ];
      let compared = 0;
      let inCondition = 0;
      for (const e of entries) {
        if (e.kind === 'commit') {
          for (const [name, bySlots, own] of pairs) assert.equal(hashOf(bySlots), hashOf(own), `${name} after commit ${e.main}`);
          compared++;
          inCondition = Math.max(inCondition, (pairs[0]?.[2] as ConditionSince).size);
          continue;
        }
        index.apply({ ...e });
        for (const [, bySlots, own] of pairs) {
          bySlots.apply({ ...e });
          own.apply({ ...e });
        }
      }
      assert.equal(compared, 160);
      assert.ok(inCondition > 5, `${inCondition} keys in the condition at most`);
      // compaction removed keys and their slots were taken again
      const seen = new Set<string>();
      for (const e of entries) {
        const p = e.kind === 'event' ? (e.payload as { type: string; key?: string }) : null;
        if (p?.type === 'appeared' && p.key !== undefined) seen.add(p.key);
      }
      assert.ok(index.index.keyCount < seen.size, `${index.index.keyCount} keys held of ${seen.size} ever seen: compaction removed some`);
      assert.ok(index.slotLimit < seen.size, `${index.slotLimit} slots for ${seen.size} keys: freed slots were reused`);
      const [conditionBySlots, conditionOwn] = pairs[0]?.slice(1) as [ConditionSince, ConditionSince];
      const [currentBySlots, currentOwn] = pairs[1]?.slice(1) as [CurrentState, CurrentState];
      for (const key of seen) {
        assert.equal(conditionBySlots.sinceMain(key), conditionOwn.sinceMain(key), key);
        assert.deepEqual(currentBySlots.get(key), currentOwn.get(key), key);
        // a slot answers for a live key only, and is that key's
        const slot = currentBySlots.slotOf(key);
        assert.equal(slot >= 0, currentOwn.get(key) !== undefined, key);
        if (slot >= 0) assert.equal(currentBySlots.keyAt(slot), key);
      }
      for (let slot = 0; slot < currentBySlots.slotLimit; slot++) {
        const key = currentBySlots.keyAt(slot);
        if (key !== undefined) assert.equal(currentBySlots.recordAt(slot)?.key, key);
      }
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

describe('the key index\'s slot finder (restores)', () => {
  it('finds keys asked ascending by walking, and any other key by looking it up', () => {
    const { entries } = syntheticLog(30, 4);
    const index = new KeyIndexProjection();
    for (const e of entries) if (e.kind === 'event') index.apply({ ...e });
    const held = [...index.ascendingSlots()];
    assert.ok(held.length > 20);
    const inOrder = index.slotFinder();
    for (const [key, slot] of held) assert.equal(inOrder(key), slot, key);
    const skipping = index.slotFinder();
    const every3rd = held.filter((_, i) => i % 3 === 0);
    for (const [key, slot] of every3rd) assert.equal(skipping(key), slot, key);
    const backwards = index.slotFinder();
    for (const [key, slot] of [...held].reverse()) assert.equal(backwards(key), slot, key);
    const unknown = index.slotFinder();
    assert.equal(unknown('aws/0/none'), -1);
    assert.equal(unknown(held[0]?.[0] as string), held[0]?.[1], 'a key after a key not held');
    assert.equal(unknown('zzz/not/held'), -1);
  });
});
