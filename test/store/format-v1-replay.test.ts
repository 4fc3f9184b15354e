/**
 * A log written in format 1 (events without a key or tag in their frames: a data directory
 * from before format 2) opens, replays and recovers into the state the same commits give
 * when written in format 2; a daemon upgraded mid-log (format-1 segment, then format-2
 * ones) likewise. Compared by the projections' state hash, where revisions are hashed
 * without their places in the log (format 2's frames are longer: the same events sit at
 * other offsets), and, within one log, by the whole state hash.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import crypto from 'node:crypto';
import { builtInProjections } from '../../src/projection/builtins.js';
import { KeyIndexProjection } from '../../src/projection/key-index-projection.js';
import type { Projection } from '../../src/projection/projection.js';
import { replay } from '../../src/projection/replay.js';
import { stateHash } from '../../src/projection/state-hash.js';
import { recoverState } from '../../src/store/recover.js';
import { crc32 } from '../../src/wal/frame.js';
import { readLog } from '../../src/wal/reader.js';
import type { LogEventRead } from '../../src/wal/types.js';
import { tempDir } from '../helpers/tmp.js';
import { commitAll, historyCommits, openStore, SEGMENT_BYTES } from './store-harness.js';

const ONE_SEGMENT_BYTES = 8 * 1024 * 1024;

function segments(dir: string): string[] {
  return fs.readdirSync(dir).filter((n) => n.endsWith('.wal')).sort();
}

function formatVersionOf(dir: string, name: string): number {
  return fs.readFileSync(path.join(dir, name)).readUInt32LE(8);
}

/**
 * A data directory whose log is one empty format-1 segment: a new store's empty segment
 * with its header's version set back to 1 (the format-1 header differs in nothing else).
 */
async function formatOneDirectory(segmentSizeBytes: number): Promise<string> {
  const dir = tempDir();
  const store = await openStore(dir, { segmentSizeBytes });
  await store.close();
  assert.equal([...readLog(dir)].length, 0, 'nothing written yet');
  for (const name of segments(dir)) {
    const file = path.join(dir, name);
    const bytes = fs.readFileSync(file);
    bytes.writeUInt32LE(1, 8);
    bytes.writeUInt32LE(crc32(bytes.subarray(0, 60), 0), 60);
    fs.writeFileSync(file, bytes);
  }
  return dir;
}

function replayed(dir: string): Projection[] {
  const projections = builtInProjections();
  replay(readLog(dir), projections);
  return projections;
}

/**
 * stateHash, with the key index's revisions hashed without their places in the log (as
 * its hashState, less the `@segment:offset` of each revision).
 */
function historyHash(projections: readonly Projection[]): string {
  const hash = crypto.createHash('sha256');
  for (const p of [...projections].sort((a, b) => (a.name < b.name ? -1 : 1))) {
    hash.update(`projection ${p.name} v${p.version}\n`);
    if (!(p instanceof KeyIndexProjection)) {
      p.hashState(hash);
      continue;
    }
    const cursor = p.index.cursor();
    hash.update(`cursor ${cursor.lastMain}.${cursor.lastSub} compacted ${cursor.compactedMain}\n`);
    for (const ki of p.index.keyIndexes()) {
      hash.update(ki.key);
      for (const r of ki.history()) hash.update(` ${r.main}.${r.sub}${r.tombstone ? 't' : ''}`);
      hash.update('\n');
    }
  }
  return hash.digest('hex');
}

function events(dir: string): LogEventRead[] {
  return [...readLog(dir)].filter((e): e is LogEventRead => e.kind === 'event');
}

describe('a format-1 log under format 2', () => {
  it('replays into the state the same history gives in format 2', async () => {
    const commits = historyCommits(120, 17);
    // given the history written into a format-1 log
    const v1 = await formatOneDirectory(ONE_SEGMENT_BYTES);
    const old = await openStore(v1, { segmentSizeBytes: ONE_SEGMENT_BYTES });
    await commitAll(old, commits);
    const liveV1 = old.hash();
    await old.close();
    assert.deepEqual(segments(v1).map((n) => formatVersionOf(v1, n)), [1], 'one format-1 segment');
    assert.ok(events(v1).every((e) => e.key === null && e.tag === 0), 'format-1 frames carry no key and no tag');
    // and the same history written in format 2
    const v2 = tempDir();
    const next = await openStore(v2, { segmentSizeBytes: ONE_SEGMENT_BYTES });
    await commitAll(next, commits);
    await next.close();
    assert.ok(segments(v2).every((n) => formatVersionOf(v2, n) === 2));
    const keyed = events(v2).filter((e) => e.key !== null);
    assert.ok(keyed.length > 100, 'format-2 frames name the events\' resources');
    for (const e of keyed) assert.equal(e.key, (e.payload as { key: string }).key);
    // then the format-1 log replays, and recovers, into the state the writer held
    assert.equal(stateHash(replayed(v1)), liveV1);
    assert.equal(stateHash((await recoverState(v1)).projections), liveV1);
    // and into the state the format-2 log gives, but for where the events sit
    const fromV2 = historyHash(replayed(v2));
    assert.equal(historyHash(replayed(v1)), fromV2);
    assert.equal(historyHash((await recoverState(v1)).projections), fromV2);
    assert.equal(historyHash((await recoverState(v2)).projections), fromV2);
    assert.notEqual(stateHash(replayed(v1)), stateHash(replayed(v2)), 'the places differ (the check above could fail)');
  });

  it('an upgraded daemon\'s log, format 1 then format 2 after roll-overs, replays whole', async () => {
    const commits = historyCommits(200, 23);
    // given a format-1 segment of the small size, which the upgraded writer fills, then rolls over
    const mixed = await formatOneDirectory(SEGMENT_BYTES);
    const upgraded = await openStore(mixed);
    await commitAll(upgraded, commits);
    const live = upgraded.hash();
    await upgraded.close();
    const versions = segments(mixed).map((n) => formatVersionOf(mixed, n));
    assert.equal(versions[0], 1);
    assert.ok(versions.length > 2 && versions.slice(1).every((v) => v === 2), `formats ${versions.join(',')}`);
    // then the whole log replays and recovers into the state the writer held
    assert.equal(stateHash(replayed(mixed)), live);
    assert.equal(stateHash((await recoverState(mixed)).projections), live);
    // and equals, but for places, the history written in format 2 alone
    const v2 = tempDir();
    const plain = await openStore(v2);
    await commitAll(plain, commits);
    await plain.close();
    assert.equal(historyHash(replayed(mixed)), historyHash(replayed(v2)));
  });
});
