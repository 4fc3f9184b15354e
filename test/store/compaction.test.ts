import assert from 'node:assert/strict';
import fs from 'node:fs';
import { describe, it } from 'node:test';
import { isMvccError } from '../../src/mvcc/errors.js';
import { builtInProjections, findProjection } from '../../src/projection/builtins.js';
import { Counts } from '../../src/projection/counts.js';
import { KeyIndexProjection } from '../../src/projection/key-index-projection.js';
import type { Projection } from '../../src/projection/projection.js';
import { revisionStateHash } from '../../src/projection/revision-hash.js';
import { stateHash } from '../../src/projection/state-hash.js';
import type { CompactionCrashPoint } from '../../src/store/compaction.js';
import { EventSource } from '../../src/store/event-source.js';
import { findBase } from '../../src/store/replayable-history.js';
import { logLayout } from '../../src/store/log-layout.js';
import { rebuild } from '../../src/store/rebuild.js';
import { recoverState, type RecoveredState } from '../../src/store/recover.js';
import { verify } from '../../src/store/verify.js';
import { nodeFileSystem } from '../../src/wal/file-system.js';
import { LogReader } from '../../src/wal/reader.js';
import { listSegments } from '../../src/wal/segment.js';
import { tempDir } from '../helpers/tmp.js';
import type { Store } from '../../src/store/store.js';
import { commitAll, historyCommits, openStore } from './store-harness.js';

const COMMITS = historyCommits(80, 11);
const AT_MAIN = 50;

function keyIndexOf(projections: readonly Projection[]): KeyIndexProjection {
  const ki = findProjection(projections, KeyIndexProjection);
  assert.ok(ki !== undefined);
  return ki;
}

/** The state hash at `atMain`, events read from the log or the compaction base. */
function hashAt(dir: string, state: { projections: readonly Projection[]; structures: RecoveredState['structures'] }, atMain: number): string {
  const layout = logLayout(nodeFileSystem, dir);
  const base = findBase({ dir, wfs: nodeFileSystem, readOnly: true, logger: undefined, broken: [] }, layout);
  const source = new EventSource(dir, state.structures, base?.events ?? []);
  try {
    return revisionStateHash(keyIndexOf(state.projections).index, atMain, (k, r) => source.readRevision(k, r));
  } finally {
    source.close();
  }
}

/** Given 70 commits and a checkpoint at 40, then 10 more commits. */
async function givenHistory(): Promise<{ dir: string; store: Store }> {
  const dir = tempDir();
  const store = await openStore(dir);
  await commitAll(store, COMMITS.slice(0, 40));
  await store.checkpoint('demand');
  await commitAll(store, COMMITS.slice(40, 70));
  return { dir, store };
}

/** The reference: the same history compacted without a crash. */
const reference = (async () => {
  const { dir, store } = await givenHistory();
  const reader = new LogReader(dir, { emit: false });
  for (const _ of reader.entries()) void _;
  const before = hashAt(dir, { projections: store.projections, structures: reader.structures }, 60);
  const segmentsBefore = listSegments(nodeFileSystem, dir).length;
  const result = await store.compact(AT_MAIN);
  await store.close();
  const recovered = await recoverState(dir);
  return { dir, store, before, result, segmentsBefore, hash: store.hash(), recovered };
})();

describe('compaction', () => {
  it('deletes whole segments below the base and keeps the state hash at a later revision', async () => {
    const ref = await reference;
    assert.ok(ref.result.finished && ref.result.segmentsDeleted.length > 0, 'real segment files were deleted');
    assert.equal(listSegments(nodeFileSystem, ref.dir).length, ref.segmentsBefore - ref.result.segmentsDeleted.length);
    for (const name of ref.result.segmentsDeleted) assert.ok(!fs.existsSync(`${ref.dir}/${name}`));
    assert.equal(hashAt(ref.dir, ref.recovered, 60), ref.before, 'state at 60: same before and after compaction');
    assert.equal(stateHash(ref.recovered.projections), ref.hash, 'recovery from the base checkpoint equals the live state');
  });

  it('gives the same state hash at the compaction revision after a rebuild, also with an upgraded projection', async () => {
    const ref = await reference;
    const rebuilt = await rebuild(ref.dir, { progress: false, readOnly: true });
    assert.equal(rebuilt.hash, ref.hash);
    assert.equal(hashAt(ref.dir, rebuilt, AT_MAIN), hashAt(ref.dir, ref.recovered, AT_MAIN));
    class CountsV2 extends Counts {
      override readonly version: number = new Counts().version + 1; // a version the checkpoint was not written by
    }
    const upgraded = await rebuild(ref.dir, { progress: false, readOnly: true, projections: () => builtInProjections().map((p) => (p instanceof Counts ? new CountsV2() : p)) });
    assert.deepEqual(upgraded.stats.rebuiltProjections, ['counts']);
    assert.equal(hashAt(ref.dir, upgraded, 60), ref.before, 'rebuilt from the base events');
  });

  it('verify finds the log intact and checkpoint + tail equal to a rebuild', async () => {
    const ref = await reference;
    const result = await verify(ref.dir);
    assert.equal(result.log.ok, true);
    assert.equal(result.state?.match, true);
    assert.equal(result.ok, true);
  });

  it('reads below the compacted revision fail with MVCC_COMPACTED, above the current one with MVCC_FUTURE_REV', async () => {
    const ref = await reference;
    const index = keyIndexOf(ref.recovered.projections).index;
    const key = index.range('', undefined).next().value?.key;
    assert.ok(key !== undefined);
    assert.equal(index.compactedMain, AT_MAIN);
    assert.throws(() => index.get(key, AT_MAIN - 1), (e: unknown) => isMvccError(e, 'MVCC_COMPACTED'));
    assert.throws(() => index.get(key, index.currentMain + 1), (e: unknown) => isMvccError(e, 'MVCC_FUTURE_REV'));
    assert.doesNotThrow(() => index.get(key, AT_MAIN));
  });

  it('refuses to compact at or below the compacted revision (the base never moves back)', async () => {
    const dir = tempDir();
    const store = await openStore(dir);
    await commitAll(store, COMMITS.slice(0, 30));
    await store.compact(20);
    await assert.rejects(store.compact(20), (e: unknown) => isMvccError(e, 'MVCC_COMPACTED'));
    await assert.rejects(store.compact(10_000), (e: unknown) => isMvccError(e, 'MVCC_FUTURE_REV'));
    await store.close();
  });

  it('a log whose oldest segments were deleted still opens, reads, appends and recovers', async () => {
    const ref = await reference;
    const segments = listSegments(nodeFileSystem, ref.dir);
    assert.ok((segments[0]?.sequence ?? 0) > 0, 'the log starts at a later segment');
    const entries = [...new LogReader(ref.dir).entries()];
    assert.ok(entries.length > 0 && (entries[0]?.main ?? 0) >= (segments[0]?.firstMain ?? 0));
    const store = await openStore(ref.dir);
    await commitAll(store, COMMITS.slice(70, 75));
    await store.close();
    assert.equal(stateHash((await recoverState(ref.dir)).projections), store.hash());
    assert.equal((await verify(ref.dir)).ok, true);
  });

  const crashPoints: Array<CompactionCrashPoint | 'before-scheduled'> = ['before-scheduled', 'after-scheduled', 'after-base', 'mid-deletion', 'before-finished'];
  for (const point of crashPoints) {
    it(`a crash ${point.replace('-', ' ')} converges on restart to the same state`, async () => {
      const ref = await reference;
      const { dir, store } = await givenHistory();
      if (point !== 'before-scheduled') {
        const partial = await store.compact(AT_MAIN, { crashAt: point });
        assert.equal(partial.finished, false);
      }
      await store.close(); // the process dies: everything appended was awaited, nothing else happens
      const recovered = await recoverState(dir, { readOnly: true });
      assert.equal(recovered.pendingCompactionMain, point === 'before-scheduled' ? null : AT_MAIN);
      const restarted = await openStore(dir); // Store.open finishes a pending compaction
      const resumed = point === 'before-scheduled' ? await restarted.compact(AT_MAIN) : restarted.resumedCompaction;
      assert.equal(resumed?.finished, true);
      assert.equal(restarted.pendingCompactionMain, null);
      await restarted.close();
      assert.equal(restarted.hash(), ref.hash);
      assert.equal(stateHash((await recoverState(dir)).projections), ref.hash);
      assert.deepEqual(listSegments(nodeFileSystem, dir).map((s) => s.name), listSegments(nodeFileSystem, ref.dir).map((s) => s.name).filter((n) => n <= (listSegments(nodeFileSystem, dir).at(-1)?.name ?? '')));
    });
  }
});
