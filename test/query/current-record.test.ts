/**
 * currentRecord (read-back.ts): a key's record in the current state, trying the slot the
 * key-index walk knew first. A slot is only a guess: any slot, right or wrong, must answer
 * the key's own record, as a lookup by key does.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { closeQueryState, openQueryState, type QueryState } from '../../src/query/query-state.js';
import { currentRecord } from '../../src/query/read-back.js';
import { KEYS, writeFixture, type FixtureLog } from './query-fixture.js';

describe('currentRecord: the slot a walk knew, or the key', () => {
  let log: FixtureLog;
  let state: QueryState;
  before(async () => {
    log = await writeFixture();
    await log.store.close();
    state = await openQueryState(log.dir);
  });
  after(() => closeQueryState(state));

  it('answers every key as a lookup by key does, with its own slot, another key\'s, one past the last or none', () => {
    const keys = Object.values(KEYS);
    const slots = keys.map((key) => state.index.slotOf(key));
    assert.ok(slots.every((slot) => slot >= 0), 'every fixture key has a slot');
    const live = keys.filter((key) => state.current.get(key) !== undefined);
    assert.ok(live.length >= 2, 'the fixture has live keys');
    for (const key of keys) {
      const expected = state.current.get(key);
      for (const slot of [state.index.slotOf(key), ...slots, -1, state.index.slotLimit + 5, undefined]) {
        assert.equal(currentRecord(state, key, slot), expected, `${key} with slot ${slot}`);
      }
    }
    assert.equal(currentRecord(state, 'aws/000000000000/nowhere/ec2.instance/i-0', slots[0]), undefined, 'an unknown key has no record, whatever the slot');
  });
});
