/**
 * Detection with a memory of the last listings (ListingMemory, the daemon's way) finds
 * exactly the events detection without one finds, whatever the listings do between
 * cycles: reorder, insert, drop, list a key twice, or a memory from another state.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { detectChanges, UNGUARDED } from '../../src/changes/detect.js';
import { ListingMemory } from '../../src/changes/listing-memory.js';
import { ListingBytes } from '../../src/model/listing-bytes.js';
import { isChangeEvent } from '../../src/model/events.js';
import type { ResourceRecord } from '../../src/model/resource.js';
import { observedRecords, type ScanResult, type Scope } from '../../src/model/scope.js';
import { instanceRecord } from './fixtures.js';
import { MemoryState } from './memory-state.js';

const REGIONS = ['us-east-1', 'us-west-2', 'eu-west-1'];

function scopeOf(region: string): Scope {
  return { provider: 'aws', account: '123456789012', region, type: 'ec2.instance' };
}

/** A small deterministic generator (mulberry32), so a failure replays. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/**
 * One cycle's listings of the world `ids` (by region): mostly the order of last time,
 * sometimes shuffled, with keys dropped, listed twice, owners changed, and (rarely) a
 * scope failed with part of its listing.
 */
function listings(world: Map<string, string[]>, next: () => number): ScanResult[] {
  const results: ScanResult[] = [];
  for (const [region, ids] of world) {
    let listed = ids.filter(() => next() > 0.05); // 5 % missing this time
    if (next() < 0.2) listed = listed.sort(() => next() - 0.5);
    const records: ResourceRecord[] = [];
    for (const id of listed) {
      const record = instanceRecord(region, id, next() < 0.05 ? 'data' : 'platform');
      records.push(record);
      if (next() < 0.02) records.push(instanceRecord(region, id, 'twice'));
    }
    if (next() < 0.1) {
      results.push({ scope: scopeOf(region), status: 'failed', error: { code: 'throttled', message: 'slow down' }, partialRecords: records.slice(0, records.length >> 1), durationMs: 1 });
    } else results.push({ scope: scopeOf(region), status: 'complete', records, durationMs: 1 });
  }
  return results;
}

/** The same results with their records written as bytes, as the scanners write them. */
function withBytes(results: readonly ScanResult[]): ScanResult[] {
  return results.map((result) => {
    const bytes = new ListingBytes();
    bytes.appendFrom(observedRecords(result), 0);
    return { ...result, bytes };
  });
}

/** The world changes: some ids go for good, new ones come (in the middle, too). */
function churn(world: Map<string, string[]>, next: () => number, serial: { n: number }): void {
  for (const [region, ids] of world) {
    const kept = ids.filter(() => next() > 0.03);
    for (let i = 0; i < 3; i++) kept.splice(Math.floor(next() * (kept.length + 1)), 0, `i-${serial.n++}`);
    world.set(region, kept);
  }
}

describe('detection with a memory of the last listings', () => {
  it('finds the same events as detection without one, over 40 cycles of churn, through the records and through their bytes', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const next = random(seed);
      const serial = { n: 0 };
      const world = new Map(REGIONS.map((r) => [r, Array.from({ length: 200 }, () => `i-${serial.n++}`)]));
      const state = new MemoryState();
      const memory = new ListingMemory();
      const bytesMemory = new ListingMemory();
      let guessed = 0;
      let lookedUp = 0;
      let sameBytes = 0;
      let listed = 0;
      for (let cycle = 0; cycle < 40; cycle++) {
        const results = listings(world, next);
        // when the same listings are detected with the kept memory, with a memory comparing
        // the listings' bytes (as the scanners write them), and with none
        const remembered = detectChanges(results, state, { ...UNGUARDED, memory });
        guessed += memory.lastDetection.guessed;
        lookedUp += memory.lastDetection.lookedUp;
        const byBytes = detectChanges(withBytes(results), state, { ...UNGUARDED, memory: bytesMemory });
        sameBytes += bytesMemory.lastDetection.sameBytes;
        listed += results.reduce((n, r) => n + observedRecords(r).length, 0);
        const fresh = detectChanges(results, state);
        // then the events are the same, in the same order
        assert.deepEqual(remembered, fresh, `seed ${seed}, cycle ${cycle}`);
        assert.deepEqual(byBytes, fresh, `seed ${seed}, cycle ${cycle}: through the bytes`);
        state.apply(fresh);
        churn(world, next, serial);
      }
      // and the guesses were tried and held often (a fifth of the cycles shuffle, and the
      // next one guesses from that shuffled order), and the bytes spared many comparisons
      assert.ok(guessed > (guessed + lookedUp) / 4, `seed ${seed}: ${guessed} records found by a guess, ${lookedUp} looked up`);
      assert.ok(sameBytes > listed / 4, `seed ${seed}: ${sameBytes} of ${listed} records found unchanged by their bytes`);
    }
  });

  it('compares the records again when the state changed behind the listing\'s back', () => {
    // given a state and a memory with a proof for every record of the listing
    const state = new MemoryState();
    const memory = new ListingMemory();
    const options = { ...UNGUARDED, memory };
    const ids = Array.from({ length: 100 }, (_, i) => `i-${i}`);
    const list = (): ScanResult[] => withBytes([{ scope: scopeOf('us-east-1'), status: 'complete', records: ids.map((id) => instanceRecord('us-east-1', id)), durationMs: 1 }]);
    state.apply(detectChanges(list(), state, options));
    detectChanges(list(), state, options); // learns the slots, proves every record
    assert.deepEqual(detectChanges(list(), state, options).filter(isChangeEvent), []);
    assert.equal(memory.lastDetection.sameBytes, 100, 'every record unchanged by its bytes');
    // when another writer changed one record in the state (a record object of its own)
    const key = instanceRecord('us-east-1', 'i-42').key;
    state.records.set(key, instanceRecord('us-east-1', 'i-42', 'someone-else'));
    // and one record was replaced by an object of the very same value
    const same = instanceRecord('us-east-1', 'i-7');
    state.records.set(same.key, same);
    // then the listing, byte for byte what it was, still reports the change back
    const events = detectChanges(list(), state, options).filter(isChangeEvent);
    assert.deepEqual(events.map((e) => `${e.type} ${e.key}`), [`changed ${key}`]);
    assert.equal(memory.lastDetection.sameBytes, 98, 'the two records whose state moved were compared as objects');
    // and the next cycle proves them again
    state.apply(events);
    detectChanges(list(), state, options);
    detectChanges(list(), state, options);
    assert.equal(memory.lastDetection.sameBytes, 100);
  });

  it('guesses nearly every slot when the order holds, a few keys gone and new between', () => {
    const state = new MemoryState();
    const memory = new ListingMemory();
    const options = { ...UNGUARDED, memory };
    let ids = Array.from({ length: 1000 }, (_, i) => `i-${i}`);
    const list = (): ScanResult[] => [{ scope: scopeOf('us-east-1'), status: 'complete', records: ids.map((id) => instanceRecord('us-east-1', id)), durationMs: 1 }];
    state.apply(detectChanges(list(), state, options));
    // (new keys have slots from their commit on: the next listing is the one remembered with them)
    assert.deepEqual(detectChanges(list(), state, options).filter(isChangeEvent), []);
    assert.equal(memory.lastDetection.guessed, 0);
    // when 1 % is gone and 1 % new, spread through the listing
    ids = ids.filter((_, i) => i % 100 !== 7).flatMap((id, i) => (i % 100 === 50 ? [id, `i-new-${i}`] : [id]));
    const events = detectChanges(list(), state, options);
    // then the events are right, and all but a few percent were found by a guess
    assert.deepEqual(events, detectChanges(list(), state));
    assert.equal(events.filter((e) => e.type === 'disappeared').length, 10);
    assert.equal(events.filter((e) => e.type === 'appeared').length, 10);
    const { guessed, lookedUp } = memory.lastDetection;
    assert.equal(guessed + lookedUp, 1000);
    assert.ok(guessed >= 960, `${guessed} guessed, ${lookedUp} looked up`);
  });

  it('finds a record by its key when the memory is of another state altogether', () => {
    // given a memory of one state's listings
    const memory = new ListingMemory();
    const a = new MemoryState();
    for (const id of ['i-1', 'i-2', 'i-3']) a.records.set(instanceRecord('us-east-1', id).key, instanceRecord('us-east-1', id));
    detectChanges([{ scope: scopeOf('us-east-1'), status: 'complete', records: ['i-1', 'i-2', 'i-3'].map((id) => instanceRecord('us-east-1', id)), durationMs: 1 }], a, { ...UNGUARDED, memory });
    assert.equal(memory.lastDetection.lookedUp, 3, 'nothing to guess from the first time');
    // and a state whose slots hold other keys (west's, in the slots east's had)
    const b = new MemoryState();
    for (const id of ['i-7', 'i-8', 'i-9']) b.records.set(instanceRecord('us-west-2', id).key, instanceRecord('us-west-2', id, 'old'));
    b.records.set(instanceRecord('us-east-1', 'i-2').key, instanceRecord('us-east-1', 'i-2'));
    // when east is listed against it with that memory
    const results: ScanResult[] = [
      { scope: scopeOf('us-east-1'), status: 'complete', records: ['i-1', 'i-2'].map((id) => instanceRecord('us-east-1', id)), durationMs: 1 },
      { scope: scopeOf('us-west-2'), status: 'complete', records: ['i-8'].map((id) => instanceRecord('us-west-2', id)), durationMs: 1 },
    ];
    const events = detectChanges(results, b, { ...UNGUARDED, memory });
    // then every guess into another key's slot was refused, and the events are the right ones
    assert.equal(memory.lastDetection.guessed, 0);
    assert.deepEqual(events, detectChanges(results, b));
    assert.deepEqual(
      events.filter(isChangeEvent).map((e) => `${e.type} ${e.key}`),
      [
        'appeared aws/123456789012/us-east-1/ec2.instance/i-1',
        'disappeared aws/123456789012/us-west-2/ec2.instance/i-7',
        'changed aws/123456789012/us-west-2/ec2.instance/i-8',
        'disappeared aws/123456789012/us-west-2/ec2.instance/i-9',
      ],
    );
  });
});
