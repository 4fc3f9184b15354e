/**
 * The current state's string pool replaces string values by equal ones, so a record reads
 * exactly as before (which copy is kept is not observable in JavaScript: the memory it saves
 * is measured by `npm run bench -- index`). What can be checked: values are unchanged, at
 * every depth the walk reaches; long strings and non-strings pass through; the pool stays
 * within its cap; and a state whose records went through it hashes as before.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RECORD_STRING_POOL_ENTRIES_MAX, RECORD_STRING_POOL_LENGTH_MAX } from '../../src/limits.js';
import { CurrentState } from '../../src/projection/current-state.js';
import { replay } from '../../src/projection/replay.js';
import { stateHash } from '../../src/projection/state-hash.js';
import { StringPool } from '../../src/projection/string-pool.js';
import { pooledRecord } from '../../src/projection/pooled-record.js';
import type { ResourceRecord } from '../../src/model/resource.js';
import { syntheticLog } from './log-fixture.js';

describe('StringPool', () => {
  it('leaves every value of a record as it was, nested tags, attrs and arrays included', () => {
    const record = {
      key: 'aws/111111111111/us-east-1/ec2.instance/i-1', state: 'running', owner: null, tags: { env: 'prod', Name: 'x'.repeat(RECORD_STRING_POOL_LENGTH_MAX + 1) },
      attrs: { spot: false, size: 8, groups: ['sg-1', 'sg-2'], nested: { deeper: { deepest: { bottom: 'v' } } } },
    };
    const before = structuredClone(record);
    const pool = new StringPool();
    assert.equal(pool.internValues(record), record, 'the same object comes back');
    assert.deepEqual(record, before);
    assert.ok(pool.size >= 5, 'short strings were pooled');
  });

  it('with the record it replaces, keeps every new value, changed or not, at every depth', () => {
    const like = { state: 'running', owner: 'a', tags: { env: 'prod', team: 'x' }, attrs: { groups: ['sg-1', 'sg-2'], size: 8 } };
    const record = { state: 'stopped', owner: 'a', tags: { env: 'prod', team: 'y', added: 'z' }, attrs: { groups: ['sg-1', 'sg-3'], size: 'large' } };
    const expected = structuredClone(record);
    new StringPool().internValues<object>(record, like);
    assert.deepEqual(record, expected);
    const shapeless = { tags: 'none', attrs: { groups: 'sg-1' } };
    const record2 = { tags: { env: 'prod' }, attrs: { groups: ['sg-1'] } };
    new StringPool().internValues(record2, shapeless as unknown as typeof record2);
    assert.deepEqual(record2, { tags: { env: 'prod' }, attrs: { groups: ['sg-1'] } });
  });

  it('stays within its cap, and answers every string with an equal one', () => {
    const pool = new StringPool();
    for (let i = 0; i < RECORD_STRING_POOL_ENTRIES_MAX + 10; i++) {
      const s = `id-${i}`;
      assert.equal(pool.intern(s), s);
      assert.ok(pool.size <= RECORD_STRING_POOL_ENTRIES_MAX);
    }
    assert.equal(pool.size, 10, 'emptied once at the cap, then refilled');
    const long = 'y'.repeat(RECORD_STRING_POOL_LENGTH_MAX + 1);
    assert.equal(pool.intern(long), long);
    assert.equal(pool.size, 10, 'long strings are not pooled');
  });

  it('a current state applying, restoring and snapshotting through it hashes as the records say', () => {
    const log = syntheticLog(80, 4);
    const state = new CurrentState();
    replay(log.entries, [state]);
    assert.equal(state.size, log.live.size);
    for (const [key, record] of log.live) assert.deepEqual(state.get(key), record);
    const restored = new CurrentState();
    restored.restore(structuredClone(state.snapshot()));
    assert.equal(stateHash([restored]), stateHash([state]));
  });
});

describe('pooledRecord (a record kept: the current state, an answer read from the log)', () => {
  const key = 'aws/111111111111/us-east-1/ec2.instance/i-0123456789abcdef0';
  const decoded = (): ResourceRecord => ({
    key, id: 'i-0123456789abcdef0', provider: 'aws', account: '111111111111', region: 'us-east-1', type: 'ec2.instance',
    name: 'web', state: 'running', owner: 'platform', tags: { env: 'prod' }, attrs: { size: 8, groups: ['sg-1'] },
  } as unknown as ResourceRecord);

  it('reads exactly as decoded, beside an unlike neighbour or none', () => {
    const neighbour = { ...decoded(), state: 'stopped', tags: { env: 'dev', more: 'x' }, attrs: 'not a map' } as unknown as ResourceRecord;
    for (const like of [undefined, neighbour]) {
      const record = decoded();
      assert.equal(pooledRecord(new StringPool(), record, key, like), record, 'the same object comes back');
      assert.deepEqual(record, decoded());
    }
  });

  it('takes the key given, keeps an id the key does not end in as it is, and leaves a malformed id alone', () => {
    const other = { ...decoded(), id: 'vol-1' } as ResourceRecord;
    assert.equal(pooledRecord(new StringPool(), other, key, undefined).id, 'vol-1');
    const numeric = { ...decoded(), id: 42 } as unknown as ResourceRecord;
    assert.equal(pooledRecord(new StringPool(), numeric, key, undefined).id as unknown, 42);
    const renamed = pooledRecord(new StringPool(), { ...decoded(), key: 'aws/111111111111/us-east-1/ec2.instance/i-stale' }, key, undefined);
    assert.equal(renamed.key, key);
    assert.equal(renamed.id, 'i-0123456789abcdef0');
  });
});
