import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { builtInProjections, findProjection } from '../../src/projection/builtins.js';
import { KeyIndexProjection } from '../../src/projection/key-index-projection.js';
import { Counts } from '../../src/projection/counts.js';
import { rebuild } from '../../src/store/rebuild.js';
import { recoverState } from '../../src/store/recover.js';
import { stateHash } from '../../src/projection/state-hash.js';
import { CheckpointPolicy } from '../../src/checkpoint/checkpoint-policy.js';
import { SNAP_HEADER_BYTES } from '../../src/checkpoint/snap-file.js';
import { nodeFileSystem } from '../../src/wal/file-system.js';
import { listSegments } from '../../src/wal/segment.js';
import { tempDir } from '../helpers/tmp.js';
import type { Store } from '../../src/store/store.js';
import { commitAll, historyCommits, openStore } from './store-harness.js';

/** Given a log of `first` commits, a checkpoint, then `more` commits. */
async function logWithCheckpoint(first: number, more: number): Promise<{ dir: string; store: Store; file: string }> {
  const dir = tempDir();
  const store = await openStore(dir);
  const commits = historyCommits(first + more);
  await commitAll(store, commits.slice(0, first));
  const info = await store.checkpoint('demand');
  await commitAll(store, commits.slice(first));
  return { dir, store, file: info.file };
}

describe('checkpoints and recovery', () => {
  it('checkpoint plus tail recovers the same state as a full replay and as the live projections', async () => {
    const { dir, store, file } = await logWithCheckpoint(30, 20);
    await store.close();
    const recovered = await recoverState(dir);
    const full = await rebuild(dir, { progress: false });
    assert.equal(recovered.stats.checkpoint, file);
    assert.ok(recovered.stats.eventsReplayed < full.stats.eventsReplayed, 'only the tail is replayed');
    assert.equal(stateHash(recovered.projections), full.hash);
    assert.equal(full.hash, store.hash());
    assert.equal(recovered.lastMain, store.lastMain);
  });

  it('writes the checkpoint file with mode 0600 and appends its marker in a commit of its own', async () => {
    const { dir, store, file } = await logWithCheckpoint(5, 0);
    assert.equal(fs.statSync(path.join(dir, file)).mode & 0o777, 0o600);
    const lastCommit = store.lastMain;
    await store.close();
    const recovered = await recoverState(dir);
    assert.equal(recovered.stats.checkpointCoversMain, lastCommit - 1, 'the marker commit follows the covered revision');
    assert.equal(recovered.stats.eventsReplayed, 1, 'the tail is just the marker');
  });

  it('ignores a checkpoint whose marker never reached the log (crash between file and marker)', async () => {
    const { dir, store, file } = await logWithCheckpoint(20, 10);
    const orphan = await store.checkpoint('demand', { skipMarker: true });
    await store.close();
    const recovered = await recoverState(dir);
    assert.equal(recovered.stats.checkpoint, file, 'the older checkpoint with a durable marker is used');
    assert.ok(recovered.stats.ignoredCheckpoints.includes(orphan.file));
    assert.equal(stateHash(recovered.projections), store.hash());
  });

  it('sets a corrupted newest checkpoint aside as .broken and recovers from the older one to the same hash', async () => {
    const { dir, store, file: older } = await logWithCheckpoint(15, 10);
    const newer = await store.checkpoint('demand');
    await commitAll(store, historyCommits(30).slice(25));
    await store.close();
    const target = path.join(dir, newer.file);
    const bytes = fs.readFileSync(target);
    bytes[SNAP_HEADER_BYTES + 100] = (bytes[SNAP_HEADER_BYTES + 100] as number) ^ 0xff;
    fs.writeFileSync(target, bytes);

    const readOnly = await recoverState(dir, { readOnly: true });
    assert.ok(fs.existsSync(target), 'read-only recovery renames nothing');
    assert.deepEqual(readOnly.stats.brokenCheckpoints, [newer.file]);

    const recovered = await recoverState(dir);
    assert.equal(recovered.stats.checkpoint, older);
    assert.ok(!fs.existsSync(target) && fs.existsSync(`${target}.broken`));
    assert.equal(stateHash(recovered.projections), store.hash());
    assert.equal(stateHash(readOnly.projections), store.hash());
  });

  it('rebuilds by replay a projection whose code version differs from the checkpoint', async () => {
    const { dir, store } = await logWithCheckpoint(25, 5);
    await store.close();
    class CountsV2 extends Counts {
      override readonly version: number = new Counts().version + 1; // a version the checkpoint was not written by
    }
    const upgraded = (): ReturnType<typeof builtInProjections> => builtInProjections().map((p) => (p instanceof Counts ? new CountsV2() : p));
    const recovered = await recoverState(dir, { projections: upgraded });
    assert.deepEqual(recovered.stats.rebuiltProjections, ['counts']);
    assert.ok(recovered.stats.historyEventsReplayed > recovered.stats.eventsReplayed);
    assert.equal(stateHash(recovered.projections), (await rebuild(dir, { projections: upgraded, progress: false })).hash);
  });

  it('replays everything when no checkpoint exists', async () => {
    const dir = tempDir();
    const store = await openStore(dir);
    await commitAll(store, historyCommits(12));
    await store.close();
    const recovered = await recoverState(dir);
    assert.equal(recovered.stats.checkpoint, null);
    assert.equal(stateHash(recovered.projections), store.hash());
  });

  it('reports rebuild progress with bytes done out of the log size', async () => {
    const { dir, store } = await logWithCheckpoint(40, 0);
    await store.close();
    const seen: number[] = [];
    await recoverState(dir, { onProgress: (p) => seen.push(p.bytesDone / p.bytesTotal) });
    assert.ok(seen.length >= 1 && seen.every((f) => f >= 0 && f <= 1));
  });
});

describe('after open, background steps', () => {
  it('fill the restored key index\'s map of keys (writer and read-only), and the state is the same', async () => {
    const { dir, store } = await logWithCheckpoint(30, 5);
    const hash = store.hash();
    await store.close();
    for (const readOnly of [false, true]) {
      const reopened = await openStore(dir, { readOnly });
      try {
        assert.ok(reopened.recovery.checkpoint !== null, 'restored from the checkpoint');
        const index = (findProjection(reopened.projections, KeyIndexProjection) as KeyIndexProjection).index;
        for (let turn = 0; turn < 50 && !index.keyMapWhole; turn++) await new Promise((r) => setTimeout(r, 1));
        assert.equal(index.keyMapWhole, true, `readOnly ${readOnly}: the map filled`);
        assert.equal(reopened.hash(), hash);
      } finally {
        await reopened.close();
      }
    }
  });
});

describe('checkpoint policy', () => {
  const vectors: Array<[string, { everyEvents: number; everyBytes: number }, { eventsAppended: number; bytesAppended: number }, boolean]> = [
    ['not due below both thresholds', { everyEvents: 100, everyBytes: 1000 }, { eventsAppended: 99, bytesAppended: 999 }, false],
    ['due at the event threshold', { everyEvents: 100, everyBytes: 1000 }, { eventsAppended: 100, bytesAppended: 10 }, true],
    ['due at the byte threshold', { everyEvents: 100, everyBytes: 1000 }, { eventsAppended: 1, bytesAppended: 1000 }, true],
  ];
  for (const [name, options, counters, due] of vectors) {
    it(`is ${name}`, () => assert.equal(new CheckpointPolicy(options).isDue(counters), due));
  }

  it('counts from the last checkpoint taken', () => {
    const policy = new CheckpointPolicy({ everyEvents: 10, everyBytes: 1e9 });
    policy.checkpointTaken({ eventsAppended: 50, bytesAppended: 0 });
    assert.equal(policy.isDue({ eventsAppended: 59, bytesAppended: 0 }), false);
    assert.equal(policy.isDue({ eventsAppended: 60, bytesAppended: 0 }), true);
  });

  it('counts the tail recovered at start as if appended since, until the next checkpoint', () => {
    const policy = new CheckpointPolicy({ everyEvents: 10, everyBytes: 1e9 });
    policy.countRecoveredTail(7);
    assert.equal(policy.isDue({ eventsAppended: 2, bytesAppended: 0 }), false);
    assert.equal(policy.isDue({ eventsAppended: 3, bytesAppended: 0 }), true);
    policy.checkpointTaken({ eventsAppended: 3, bytesAppended: 0 });
    assert.equal(policy.isDue({ eventsAppended: 12, bytesAppended: 0 }), false);
    assert.throws(() => policy.countRecoveredTail(-1));
  });
});

describe('the writer opens state in one read of the log', () => {
  it('reads no segment the checkpoint covers whole, and less than the whole log', async () => {
    const { dir, store } = await logWithCheckpoint(60, 6);
    await store.close();
    const opened = new Map<number, string>();
    const readBytes = new Map<string, number>();
    const counting = {
      ...nodeFileSystem,
      openSync(p: string, flags: string | number, mode?: number) {
        const fd = nodeFileSystem.openSync(p, flags, mode);
        opened.set(fd, path.basename(p));
        return fd;
      },
      readSync(fd: number, buf: Buffer, off: number, len: number, pos: number) {
        const n = nodeFileSystem.readSync(fd, buf, off, len, pos);
        const name = opened.get(fd) ?? '?';
        if (name.endsWith('.wal')) readBytes.set(name, (readBytes.get(name) ?? 0) + n);
        return n;
      },
    };
    const segments = listSegments(nodeFileSystem, dir);
    const reopened = await openStore(dir, { fs: counting });
    try {
      assert.equal(reopened.hash(), store.hash());
      const covers = reopened.recovery.checkpointCoversMain ?? 0;
      assert.ok(covers > 0, 'recovered from the checkpoint');
      const wholeBelow = segments.filter((s, i) => (segments[i + 1]?.firstMain ?? Infinity) - 1 <= covers);
      assert.ok(wholeBelow.length >= 2, 'the history spans several segments below the checkpoint');
      for (const s of wholeBelow) assert.equal(readBytes.get(s.name) ?? 0, 0, `${s.name} is not read`);
      const logBytes = segments.reduce((sum, s) => sum + fs.statSync(path.join(dir, s.name)).size, 0);
      const total = [...readBytes.values()].reduce((a, b) => a + b, 0);
      assert.ok(total < logBytes, `read ${total} of ${logBytes} log bytes`);
    } finally {
      await reopened.close();
    }
  });
});
