/**
 * A history replay keeps only where each key's last record is and reads the live ones back
 * at the end (CurrentState.deferRecords / resolveDeferred, used by recovery). The state it
 * builds must equal the state built the simple way: every event applied, records kept as
 * they come. Checked over a churning synthetic history (appear, change, disappear, come
 * back), after a compaction (base events from a checkpoint, then the log), and with a
 * checkpoint whose current-state must be rebuilt by replay (the upgrade path).
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { describe, it } from 'node:test';
import { builtInProjections, findProjection } from '../../src/projection/builtins.js';
import type { ElavaEvent, ResourceAppeared } from '../../src/model/events.js';
import { CurrentState } from '../../src/projection/current-state.js';
import { KeyIndexProjection } from '../../src/projection/key-index-projection.js';
import { ConditionSince } from '../../src/projection/condition-since.js';
import { Counts } from '../../src/projection/counts.js';
import type { Projection } from '../../src/projection/projection.js';
import { replay } from '../../src/projection/replay.js';
import { stateHash } from '../../src/projection/state-hash.js';
import { rebuild } from '../../src/store/rebuild.js';
import { recoverState, type RecoveryProgress } from '../../src/store/recover.js';
import { readLog } from '../../src/wal/reader.js';
import { PayloadDecoder } from '../../src/wal/codec.js';
import { tempDir } from '../helpers/tmp.js';
import { syntheticLog } from '../projection/log-fixture.js';
import { commitAll, historyCommits, openStore } from './store-harness.js';

/** The projections built the simple way: every entry of the log applied, nothing deferred. */
function simpleHash(dir: string, projections = builtInProjections()): string {
  replay(readLog(dir), projections);
  return stateHash(projections);
}

/** The current state's canonical records alone (its hashState), whatever its version. */
function recordsHash(projections: readonly Projection[]): string {
  const hash = crypto.createHash('sha256');
  (findProjection(projections, CurrentState) as CurrentState).hashState(hash);
  return hash.digest('hex');
}

/** CurrentState is version 1: a projection set whose current-state is version 2 must rebuild it. */
class UpgradedCurrentState extends CurrentState {
  override readonly version: number = 2;
}

const upgraded = (): Projection[] => builtInProjections().map((p) => (p instanceof CurrentState ? new UpgradedCurrentState() : p));

/** A store's directory with a checkpoint after 60 of 90 commits (seed `seed`), then the other 30; and its live records' hash. */
async function checkpointedHistory(seed: number): Promise<{ dir: string; live: string }> {
  const dir = tempDir();
  const store = await openStore(dir);
  const commits = historyCommits(90, seed);
  await commitAll(store, commits.slice(0, 60));
  await store.checkpoint('demand');
  await commitAll(store, commits.slice(60));
  const live = recordsHash(store.projections);
  await store.close();
  return { dir, live };
}

/** Condition ages in a newer version, kept by the key index's slots as the built-in one is. */
class UpgradedConditionSince extends ConditionSince {
  override readonly version: number = 3;
}

class UpgradedKeyIndex extends KeyIndexProjection {
  override readonly version: number = 2;
}

/** The built-in set with the key index or the condition ages upgraded, the keyed ones kept by the set's own key index. */
function keyedSet(upgrade: 'key-index' | 'condition-since'): Projection[] {
  const keyIndex = upgrade === 'key-index' ? new UpgradedKeyIndex() : new KeyIndexProjection();
  return builtInProjections().map((p) => {
    if (p instanceof KeyIndexProjection) return keyIndex;
    if (p instanceof CurrentState) return new CurrentState(keyIndex);
    if (p instanceof Counts) return new Counts(keyIndex);
    if (p instanceof ConditionSince) return upgrade === 'condition-since' ? new UpgradedConditionSince(keyIndex) : new ConditionSince(keyIndex);
    return p;
  });
}

describe('deferred records in a history replay', () => {
  it('a full replay equals the simple fold and the live store, over churn with keys coming back', async () => {
    const dir = tempDir();
    const store = await openStore(dir);
    await commitAll(store, historyCommits(120, 11));
    const live = store.hash();
    await store.close();
    const progress: RecoveryProgress[] = [];
    const recovered = await recoverState(dir, { onProgress: (p) => progress.push(p) });
    assert.equal(recovered.stats.checkpoint, null, 'replayed from the start');
    const last = progress.at(-1);
    assert.equal(last?.phase, 'records', 'reading the records back is reported after the history');
    assert.equal(last?.events, findProjection(recovered.projections, CurrentState)?.size);
    assert.ok(last.bytesDone > 0 && last.bytesDone <= last.bytesTotal);
    assert.ok(progress.some((p) => p.phase === 'history'));
    assert.equal(stateHash(recovered.projections), simpleHash(dir));
    assert.equal(stateHash(recovered.projections), live);
    const current = findProjection(recovered.projections, CurrentState) as CurrentState;
    assert.ok(current.size > 0);
    for (const record of current.values()) assert.equal(current.get(record.key), record);
  });

  it('decodes no change\'s payload while replaying a format-2 history, only the live records after', async () => {
    // given a history written in format 2 (each change named by its frame: key and tag)
    const dir = tempDir();
    const store = await openStore(dir);
    const commits = historyCommits(120, 11);
    await commitAll(store, commits);
    const live = store.hash();
    const liveRecords = (findProjection(store.projections, CurrentState) as CurrentState).size;
    await store.close();
    const all = commits.flat();
    const changes = all.filter((e) => e.type === 'appeared' || e.type === 'changed' || e.type === 'disappeared').length;
    // when it is recovered from the start, counting the payloads decoded
    let decoded = 0;
    const decode = PayloadDecoder.prototype.decode;
    PayloadDecoder.prototype.decode = function (this: PayloadDecoder, bytes: Uint8Array): unknown {
      decoded++;
      return decode.call(this, bytes);
    };
    let recovered;
    try {
      recovered = await recoverState(dir);
    } finally {
      PayloadDecoder.prototype.decode = decode;
    }
    // then only the other events and the live keys' last records were decoded
    assert.equal(recovered.stats.checkpoint, null);
    assert.ok(changes > 200 && liveRecords > 0, `${changes} changes, ${liveRecords} live`);
    assert.equal(decoded, all.length - changes + liveRecords, `${decoded} decoded of ${all.length} events (${changes} changes), ${liveRecords} live`);
    // and the state is the one the writer held
    assert.equal(stateHash(recovered.projections), live);
  });

  it('after a compaction: base events, then the log, equal the live store', async () => {
    const dir = tempDir();
    const store = await openStore(dir);
    await commitAll(store, historyCommits(150, 5).slice(0, 100));
    await store.compact(store.lastMain - 20);
    await commitAll(store, historyCommits(150, 5).slice(100));
    const live = store.hash();
    await store.close();
    const recovered = await recoverState(dir, { projections: () => builtInProjections() });
    assert.equal(stateHash(recovered.projections), live);
  });

  it('a stale current-state over a compacted log is rebuilt from the base events (their segments are gone), then the log', async () => {
    const dir = tempDir();
    const store = await openStore(dir);
    // Commit 1 makes the fleet appear; then one key changes, commit after commit, until
    // the segments holding commit 1 are compacted away: the other keys' visible events
    // exist only in the compaction base.
    const appeared = (historyCommits(1, 9)[0] ?? []).filter((e) => e.type === 'appeared') as ResourceAppeared[];
    assert.ok(appeared.length >= 3);
    const busy = appeared[0] as ResourceAppeared;
    const change = (n: number): ElavaEvent[] => [{
      type: 'changed', key: busy.key, record: { ...busy.record, tags: { ...busy.record.tags, n: String(n) } },
      diff: [{ path: 'tags.n', before: n === 1 ? null : String(n - 1), after: String(n) }],
    }];
    await commitAll(store, [appeared, ...Array.from({ length: 150 }, (_, i) => change(i + 1))]);
    const compacted = await store.compact(store.lastMain - 5);
    assert.ok(compacted.segmentsDeleted.length > 0, 'segments below the base were deleted');
    await commitAll(store, Array.from({ length: 20 }, (_, i) => change(151 + i)));
    const live = recordsHash(store.projections);
    await store.close();
    const rebuilt = await rebuild(dir, { progress: false, readOnly: true, projections: upgraded });
    assert.deepEqual(rebuilt.stats.rebuiltProjections, ['current-state']);
    assert.equal(recordsHash(rebuilt.projections), live);
    assert.equal((findProjection(rebuilt.projections, CurrentState) as CurrentState).size, appeared.length);
  });

  it('a stale current-state in a checkpoint is rebuilt by replay, then the tail applied on top', async () => {
    const { dir, live } = await checkpointedHistory(7);
    const recovered = await recoverState(dir, { projections: upgraded });
    assert.ok(recovered.stats.checkpoint !== null, 'the checkpoint was used');
    assert.deepEqual(recovered.stats.rebuiltProjections, ['current-state']);
    assert.equal(stateHash(recovered.projections), simpleHash(dir, upgraded()));
    assert.equal(recordsHash(recovered.projections), live);
  });
});

describe('projections kept by the key index\'s slots, restored from a checkpoint', () => {
  for (const upgrade of ['condition-since', 'key-index'] as const) {
    it(`an upgraded ${upgrade} is rebuilt by replay together with the key index and every projection kept by its slots`, async () => {
      // given a checkpoint, then more commits
      const { dir } = await checkpointedHistory(13);
      // when a set whose key index or condition ages are of a newer version recovers
      const recovered = await recoverState(dir, { projections: () => keyedSet(upgrade) });
      // then the checkpoint is used, the slot-keyed four are rebuilt and the rest restored
      assert.ok(recovered.stats.checkpoint !== null, 'the checkpoint was used');
      assert.deepEqual([...recovered.stats.rebuiltProjections].sort(), ['condition-since', 'counts', 'current-state', 'key-index']);
      assert.deepEqual(recovered.stats.brokenCheckpoints, []);
      assert.equal(stateHash(recovered.projections), simpleHash(dir, keyedSet(upgrade)));
    });
  }
});

describe('CurrentState.deferRecords', () => {
  const log = syntheticLog(60, 2);
  const events = log.entries.filter((e) => e.kind === 'event');

  function deferred(): CurrentState {
    const state = new CurrentState();
    state.deferRecords();
    replay(log.entries, [state]);
    return state;
  }

  it('reads back exactly the live keys last records, in log order, and equals the simple fold', async () => {
    const simple = new CurrentState();
    replay(log.entries, [simple]);
    const state = deferred();
    let asked: Array<[string, number]> = [];
    await state.resolveDeferred(async (locations) => {
      asked = locations.map((l) => [l.segment, l.offsetBytes]);
      return locations.map((l) => events.find((e) => e.location.segment === l.segment && e.location.offsetBytes === l.offsetBytes)?.payload);
    });
    assert.equal(asked.length, log.live.size, 'one read per live key');
    const inLogOrder = [...asked].sort((a, b) => (a[0] === b[0] ? a[1] - b[1] : a[0] < b[0] ? -1 : 1));
    assert.deepEqual(asked, inLogOrder, 'in log order');
    assert.equal(stateHash([state]), stateHash([simple]));
  });

  it('deferring to the key index replayed beside it keeps nothing, and reads back the same records in log order', async () => {
    // given the state deferring to a key index fed the same entries, and one keeping its own map
    const index = new KeyIndexProjection();
    const kept = new CurrentState();
    kept.deferRecords(index);
    replay(log.entries, [index, kept]);
    const own = deferred();
    // when both read their records back
    const read = async (locations: readonly { segment: string; offsetBytes: number }[]): Promise<unknown[]> =>
      locations.map((l) => events.find((e) => e.location.segment === l.segment && e.location.offsetBytes === l.offsetBytes)?.payload);
    const asked: string[][] = [];
    for (const state of [kept, own]) {
      await state.resolveDeferred(async (locations) => {
        asked.push(locations.map((l) => `${l.segment}:${l.offsetBytes}`));
        return read(locations);
      });
    }
    // then they asked for the same locations in the same order, and hold the same records
    assert.equal(asked[0]?.length, log.live.size);
    assert.deepEqual(asked[0], asked[1]);
    assert.equal(stateHash([kept]), stateHash([own]));
  });

  it('defers to another projection only from an empty state, and never to an index kept for one key', () => {
    const filled = new CurrentState();
    replay(log.entries, [filled]);
    assert.ok(filled.size > 0);
    assert.throws(() => filled.deferRecords(new KeyIndexProjection()), /empty state/);
    const twice = new CurrentState();
    twice.deferRecords();
    assert.throws(() => twice.deferRecords(new KeyIndexProjection()), /empty state/);
    const oneKey = new KeyIndexProjection({ onlyKey: 'aws/x' });
    assert.throws(() => [...oneKey.liveRecordLocations()], /one key/);
  });

  it('refuses to be read while deferred', () => {
    const state = deferred();
    assert.throws(() => state.get('aws/x'), /deferred/);
    assert.throws(() => state.list(), /deferred/);
    assert.throws(() => state.snapshot(), /deferred/);
  });

  it('refuses a read-back that is not the key s own appeared or changed event, and stays deferred', async () => {
    const other = events.find((e) => (e.payload as { type: string }).type === 'changed')?.payload as { key: string };
    const wrongKey = deferred();
    await assert.rejects(wrongKey.resolveDeferred(async (locations) => locations.map(() => other)), { code: 'PROJECTION_BAD_EVENT' });
    assert.throws(() => wrongKey.get('aws/x'), /deferred/);
    const short = deferred();
    await assert.rejects(short.resolveDeferred(async (locations) => locations.slice(1).map(() => other)), /read back/);
  });
});
