import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pack, unpack } from 'msgpackr';
import { Counts } from '../../src/projection/counts.js';
import { CurrentState } from '../../src/projection/current-state.js';
import { isProjectionError } from '../../src/projection/errors.js';
import { KeyIndexProjection } from '../../src/projection/key-index-projection.js';
import type { Projection } from '../../src/projection/projection.js';
import { replay } from '../../src/projection/replay.js';
import { stateHash } from '../../src/projection/state-hash.js';
import type { LogEntry } from '../../src/wal/types.js';
import { syntheticLog } from './log-fixture.js';

function freshSet(): [KeyIndexProjection, CurrentState, Counts] {
  return [new KeyIndexProjection(), new CurrentState(), new Counts()];
}

/** What the daemon does while appending: each event applied as soon as it is written. */
function applyIncrementally(entries: readonly LogEntry[], projections: readonly Projection[]): void {
  for (const entry of entries) {
    if (entry.kind !== 'event') continue;
    for (const p of projections) p.apply(entry);
  }
}

describe('replay', () => {
  const log = syntheticLog(60, 7);

  it('builds the same state as applying events one by one while appending (by hash)', () => {
    const incremental = freshSet();
    applyIncrementally(log.entries, incremental);
    const replayed = freshSet();
    const result = replay(log.entries, replayed);
    assert.equal(stateHash(replayed), stateHash(incremental));
    assert.equal(result.commits, 60);
    assert.equal(result.uncommittedEvents, 0);
    assert.equal(replayed[1].size, log.live.size, 'current state holds exactly the live resources');
  });

  it('the state hash tells apart a log missing one change event', () => {
    const full = freshSet();
    replay(log.entries, full);
    const dropAt = log.entries.findIndex((e) => e.kind === 'event' && e.main === 30 && e.sub === 1);
    assert.ok(dropAt > 0);
    const partial = freshSet();
    applyIncrementally([...log.entries.slice(0, dropAt), ...log.entries.slice(dropAt + 1)], partial);
    assert.notEqual(stateHash(partial), stateHash(full));
  });

  it('snapshot, msgpackr round trip and restore into fresh projections give the same hash', () => {
    const original = freshSet();
    replay(log.entries, original);
    const restored = freshSet();
    original.forEach((p, i) => (restored[i] as Projection).restore(unpack(pack(p.snapshot()))));
    assert.equal(stateHash(restored), stateHash(original));
    assert.equal(restored[0].index.count(), log.live.size);
  });

  it('checkpoint at commit 25 plus a tail replay after it equals a full replay', () => {
    const checkpointEnd = log.entries.findIndex((e) => e.kind === 'commit' && e.main === 25) + 1;
    const atCheckpoint = freshSet();
    replay(log.entries.slice(0, checkpointEnd), atCheckpoint);
    const snapshots = atCheckpoint.map((p) => pack(p.snapshot()));
    const recovered = freshSet();
    recovered.forEach((p, i) => p.restore(unpack(snapshots[i] as Buffer)));
    const tail = replay(log.entries, recovered, { afterMain: 25 });
    assert.equal(tail.skipped, checkpointEnd);
    assert.equal(tail.commits, 35);
    const full = freshSet();
    replay(log.entries, full);
    assert.equal(stateHash(recovered), stateHash(full));
  });

  it('reports progress at the asked interval and once at the end', () => {
    const seen: number[] = [];
    const result = replay(log.entries, freshSet(), { progressEveryEvents: 100, onProgress: (p) => seen.push(p.events) });
    assert.deepEqual(seen, [...Array.from({ length: Math.floor(result.events / 100) }, (_, i) => (i + 1) * 100), result.events]);
  });

  it('counts events after the last commit end as uncommitted', () => {
    const lastCommit = log.entries.length - 1;
    const result = replay(log.entries.slice(0, lastCommit), freshSet());
    const lastCommitEntry = log.entries[lastCommit];
    assert.ok(lastCommitEntry?.kind === 'commit');
    assert.equal(result.uncommittedEvents, lastCommitEntry.eventCount);
  });
});

describe('replay: bad logs', () => {
  const ev = (main: number, sub: number, payload: unknown): LogEntry => ({
    kind: 'event', main, sub, timeMs: 0, payload, location: { segment: 's', offsetBytes: main * 100 + sub },
  });
  const commit = (main: number, eventCount: number): LogEntry => ({
    kind: 'commit', main, timeMs: 0, eventCount, location: { segment: 's', offsetBytes: main * 100 + 99 },
  });
  const scan = { type: 'scope-scanned', scope: 'aws/1/r/ec2.instance', status: 'complete', listed: 0, durationMs: 1, error: null };

  const vectors: Array<[string, LogEntry[], string]> = [
    ['an event revision that goes backwards', [ev(2, 0, scan), commit(2, 1), ev(1, 0, scan)], 'PROJECTION_BAD_LOG'],
    ['a commit whose event count does not match', [ev(1, 0, scan), ev(1, 1, scan), commit(1, 3)], 'PROJECTION_BAD_LOG'],
    ['a new main before the previous commit ended', [ev(1, 0, scan), ev(2, 0, scan)], 'PROJECTION_BAD_LOG'],
    ['a payload that is not an event', [ev(1, 0, { hello: 'world' })], 'PROJECTION_BAD_EVENT'],
    ['an appeared event whose record key differs', [ev(1, 0, { type: 'appeared', key: 'a', record: { key: 'b' } })], 'PROJECTION_BAD_EVENT'],
  ];
  for (const [name, entries, code] of vectors) {
    it(`rejects ${name} with ${code}`, () => {
      assert.throws(() => replay(entries, freshSet()), (err: unknown) => isProjectionError(err) && err.code === code);
    });
  }

  it('accepts an empty commit between two others', () => {
    const result = replay([ev(1, 0, scan), commit(1, 1), commit(2, 0), ev(3, 0, scan), commit(3, 1)], freshSet());
    assert.equal(result.commits, 3);
    assert.equal(result.lastMain, 3);
  });
});
