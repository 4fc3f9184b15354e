import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pack, unpack } from 'msgpackr';
import { isMvccError } from '../../src/mvcc/errors.js';
import { restoreTreeIndex, snapshotTreeIndex } from '../../src/mvcc/tree-index-snapshot.js';
import { TreeIndex } from '../../src/mvcc/tree-index.js';
import { prng } from '../projection/log-fixture.js';

const A1 = 'aws/111111111111/us-east-1';
const A2 = 'aws/222222222222/eu-west-1';
const G1 = 'gcp/proj-a/europe-west1-b';

const loc = (main: number, sub: number): { segment: string; offsetBytes: number } => ({
  segment: `0000000000000001-${String(main).padStart(16, '0')}.wal`,
  offsetBytes: 64 + sub * 100,
});

/** Commit 1 puts six keys; commit 2 deletes one and changes one; commit 3 re-creates the deleted one. */
function fleet(): TreeIndex {
  const index = new TreeIndex();
  const commit1 = [
    `${A1}/ec2.instance/i-1`,
    `${A1}/ec2.volume/vol-1`,
    `${A1}/ec2.volume/vol-2`,
    `${A2}/ec2.instance/i-9`,
    `${A2}/rds.instance/db-1`,
    `${G1}/gce.disk/42`,
  ];
  commit1.forEach((key, sub) => index.put(key, { main: 1, sub }, loc(1, sub)));
  index.tombstone(`${A1}/ec2.volume/vol-1`, { main: 2, sub: 0 }, loc(2, 0));
  index.put(`${A2}/ec2.instance/i-9`, { main: 2, sub: 1 }, loc(2, 1));
  index.put(`${A1}/ec2.volume/vol-1`, { main: 3, sub: 0 }, loc(3, 0));
  return index;
}

const keysOf = (it: Iterable<{ key: string }>): string[] => [...it].map((v) => v.key);

describe('tree index: prefix and range iteration', () => {
  const prefixVectors: Array<[string, number, string[]]> = [
    ['aws/111111111111/', 3, [`${A1}/ec2.instance/i-1`, `${A1}/ec2.volume/vol-1`, `${A1}/ec2.volume/vol-2`]],
    ['aws/111111111111/', 2, [`${A1}/ec2.instance/i-1`, `${A1}/ec2.volume/vol-2`]],
    [`${A1}/ec2.volume/`, 1, [`${A1}/ec2.volume/vol-1`, `${A1}/ec2.volume/vol-2`]],
    ['aws/222222222222/eu-west-1/rds.instance/', 3, [`${A2}/rds.instance/db-1`]],
    ['gcp/', 3, [`${G1}/gce.disk/42`]],
    ['aws/3', 3, []],
  ];
  for (const [prefix, at, want] of prefixVectors) {
    it(`prefix ${prefix} at ${at} yields ${want.length} visible keys in key order`, () => {
      assert.deepEqual(keysOf(fleet().prefix(prefix, at)), want);
    });
  }

  it('range [from, to) excludes the upper bound and yields the visible revisions', () => {
    const got = [...fleet().range(`${A1}/ec2.volume/`, `${A2}/rds.instance/db-1`)];
    assert.deepEqual(
      got.map((v) => [v.key, v.revision.main, v.revision.sub]),
      [
        [`${A1}/ec2.volume/vol-1`, 3, 0],
        [`${A1}/ec2.volume/vol-2`, 1, 2],
        [`${A2}/ec2.instance/i-9`, 2, 1],
      ],
    );
  });

  it('liveKeysWithPrefix yields what prefix() yields at the current revision, over random churn', () => {
    let seed = 7;
    const rnd = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const index = new TreeIndex();
    const live = new Set<string>();
    const scopes = [`${A1}/ec2.instance/`, `${A1}/ec2.volume/`, `${A2}/ec2.instance/`, `${G1}/gce.disk/`];
    for (let main = 1; main <= 60; main++) {
      const touched = new Set<string>();
      for (let sub = 0; sub < 12; sub++) {
        const key = `${scopes[rnd(scopes.length)]}r-${rnd(40)}`;
        if (touched.has(key)) continue;
        touched.add(key);
        if (live.has(key) && rnd(3) === 0) {
          index.tombstone(key, { main, sub }, loc(main, sub));
          live.delete(key);
        } else {
          index.put(key, { main, sub }, loc(main, sub));
          live.add(key);
        }
      }
      if (main === 30) index.compact(20);
      for (const prefix of [...scopes, 'aws/', A1, 'gcp/proj-a/', 'nowhere/']) {
        const want = keysOf(index.prefix(prefix));
        assert.deepEqual([...index.liveKeysWithPrefix(prefix)], want, `prefix ${prefix} at ${main}`);
        assert.deepEqual(want, [...live].filter((k) => k.startsWith(prefix)).sort());
      }
    }
  });

  it('range without an upper bound runs to the last key', () => {
    assert.deepEqual(keysOf(fleet().range('b', undefined)), [`${G1}/gce.disk/42`]);
  });
});

describe('tree index: reads, counts and revisions', () => {
  it('get sees each key as of the asked revision', () => {
    const index = fleet();
    assert.equal(index.get(`${A1}/ec2.volume/vol-1`, 2), undefined);
    assert.equal(index.get(`${A1}/ec2.volume/vol-1`, 3)?.main, 3);
    assert.equal(index.get(`${A2}/ec2.instance/i-9`, 1)?.main, 1);
    assert.equal(index.get('no/such/key'), undefined);
  });

  it('count is the number of live keys at a revision', () => {
    const index = fleet();
    assert.deepEqual([1, 2, 3].map((at) => index.count(at)), [6, 5, 6]);
    assert.equal(index.keyCount, 6);
    assert.equal(index.revisionCount, 9);
  });

  it('a read after the current revision is a typed MVCC_FUTURE_REV error', () => {
    assert.throws(() => fleet().get(`${G1}/gce.disk/42`, 4), (err: unknown) => isMvccError(err, 'MVCC_FUTURE_REV'));
  });

  it('observe moves the current revision forward without touching keys', () => {
    const index = fleet();
    index.observe({ main: 4, sub: 0 });
    assert.equal(index.currentMain, 4);
    assert.equal(index.get(`${G1}/gce.disk/42`, 4)?.main, 1);
  });

  it('a revision at or below the current one is a programming error, whatever the key', () => {
    const index = fleet();
    assert.throws(() => index.put('z/new', { main: 3, sub: 0 }, loc(3, 0)), { name: 'AssertionError' });
    assert.equal(index.keyCount, 6);
  });

  it('tombstones on unknown and on deleted keys are typed errors', () => {
    const index = fleet();
    assert.throws(() => index.tombstone('no/such', { main: 4, sub: 0 }, loc(4, 0)), (err: unknown) =>
      isMvccError(err, 'MVCC_KEY_NOT_FOUND'),
    );
    index.tombstone(`${G1}/gce.disk/42`, { main: 4, sub: 0 }, loc(4, 0));
    assert.throws(() => index.tombstone(`${G1}/gce.disk/42`, { main: 5, sub: 0 }, loc(5, 0)), (err: unknown) =>
      isMvccError(err, 'MVCC_TOMBSTONE_ON_EMPTY'),
    );
    assert.equal(index.count(), 5);
  });
});

describe('tree index: compaction', () => {
  it('compact(2) removes history below 2, keeps what is visible at 2, and drops the compacted reads', () => {
    const index = fleet();
    const outcome = index.compact(2);
    // vol-1 tombstoned at 2 and recreated at 3: its first generation goes entirely.
    assert.deepEqual(
      outcome.available.toSortedArray().map((r) => `${r.main}.${r.sub}`),
      ['1.0', '1.2', '1.4', '1.5', '2.1'],
    );
    assert.equal(outcome.revisionsRemoved, 3);
    assert.equal(index.revisionCount, 6);
    assert.equal(index.compactedMain, 2);
    assert.deepEqual([2, 3].map((at) => index.count(at)), [5, 6]);
    assert.throws(() => index.get(`${A1}/ec2.instance/i-1`, 1), (err: unknown) => isMvccError(err, 'MVCC_COMPACTED'));
    assert.throws(() => index.compact(2), (err: unknown) => isMvccError(err, 'MVCC_COMPACTED'));
  });

  it('compaction removes keys whose last generation ended at or below the compaction point', () => {
    const index = fleet();
    index.tombstone(`${G1}/gce.disk/42`, { main: 4, sub: 0 }, loc(4, 0));
    index.observe({ main: 5, sub: 0 });
    const outcome = index.compact(5);
    assert.equal(outcome.keysRemoved, 1);
    assert.equal(index.keyIndex(`${G1}/gce.disk/42`), undefined);
    assert.equal(index.keyCount, 5);
  });

  it('keep reports what compact keeps and changes nothing', () => {
    const index = fleet();
    const kept = index.keep(2).toSortedArray();
    assert.equal(index.revisionCount, 9);
    assert.deepEqual(index.compact(2).available.toSortedArray(), kept);
  });

  it('compacting past the current revision is a typed MVCC_FUTURE_REV error', () => {
    assert.throws(() => fleet().compact(9), (err: unknown) => isMvccError(err, 'MVCC_FUTURE_REV'));
  });
});

describe('tree index: snapshot', () => {
  it('restores through msgpackr to the same keys, histories and bookkeeping', () => {
    const index = fleet();
    index.compact(2);
    const restored = restoreTreeIndex(unpack(pack(snapshotTreeIndex(index))));
    assert.deepEqual(
      [...restored.keyIndexes()].map((ki) => [ki.key, ki.history()]),
      [...index.keyIndexes()].map((ki) => [ki.key, ki.history()]),
    );
    assert.deepEqual(restored.cursor(), index.cursor());
    assert.equal(restored.count(), index.count());
    assert.equal(restored.revisionCount, index.revisionCount);
  });

  it('a restored index (its tree built in one pass) takes further puts, tombstones and compaction as the original does', () => {
    const key = (i: number): string => `${A1}/ec2.instance/i-${String(i).padStart(5, '0')}`;
    const original = new TreeIndex();
    for (let i = 0; i < 3000; i += 2) original.put(key(i), { main: 1, sub: i }, loc(1, i));
    const restored = restoreTreeIndex(unpack(pack(snapshotTreeIndex(original))));
    for (const index of [original, restored]) {
      // new keys between, before and after the restored ones; changes; deletions
      for (let i = 1; i < 3001; i += 2) index.put(key(i), { main: 2, sub: i }, loc(2, i));
      for (let i = 0; i < 3000; i += 7) index.tombstone(key(i), { main: 3, sub: i }, loc(3, i));
      for (let i = 0; i < 3000; i += 5) if (index.get(key(i)) !== undefined) index.put(key(i), { main: 4, sub: i }, loc(4, i));
      index.compact(3);
    }
    assert.deepEqual([...restored.keyIndexes()].map((ki) => [ki.key, ki.history()]), [...original.keyIndexes()].map((ki) => [ki.key, ki.history()]));
    assert.deepEqual([...restored.liveKeysWithPrefix(`${A1}/ec2.instance/i-01`)], [...original.liveKeysWithPrefix(`${A1}/ec2.instance/i-01`)]);
    assert.deepEqual(keysOf(restored.range(key(100), key(2500))), keysOf(original.range(key(100), key(2500))));
    assert.equal(restored.count(), original.count());
  });

  const corruptions: Array<[string, (snap: Record<string, unknown>) => void]> = [
    ['an unknown format', (s) => (s['format'] = 99)],
    ['keys out of order', (s) => (s['keys'] = [...(s['keys'] as string[])].reverse())],
    ['truncated slots', (s) => (s['slots'] = (s['slots'] as Uint8Array).subarray(8))],
    ['a missing segment name', (s) => (s['segments'] = [])],
    ['compacted after current', (s) => (s['compactedMain'] = 99)],
  ];
  for (const [name, corrupt] of corruptions) {
    it(`refuses a snapshot with ${name} as MVCC_BAD_SNAPSHOT`, () => {
      const snap = unpack(pack(snapshotTreeIndex(fleet()))) as Record<string, unknown>;
      corrupt(snap);
      assert.throws(() => restoreTreeIndex(snap), (err: unknown) => isMvccError(err, 'MVCC_BAD_SNAPSHOT'));
    });
  }
});

describe('tree index: the successor guess (a key order the log repeats)', () => {
  it('every put and tombstone lands on its own key, through repeated, broken and reversed orders and slots compaction reused', () => {
    for (const seed of [1, 2, 3]) {
      const rnd = prng(seed);
      const index = new TreeIndex();
      const model = new Map<string, string[]>(); // key → "main.sub[t]" entries, as put
      let main = 0;
      let fresh = 0;
      let order = Array.from({ length: 40 }, () => `${A1}/ec2.instance/i-${fresh++}`);
      const slotsSeen = new Map<number, Set<string>>();
      for (let cycle = 0; cycle < 30; cycle++) {
        main++;
        let sub = 0;
        for (const key of order) {
          const history = model.get(key) ?? [];
          const live = history.length > 0 && !(history[history.length - 1] as string).endsWith('t');
          const gone = live && rnd() < 0.05;
          const ki = gone ? index.tombstone(key, { main, sub }, loc(main, sub)) : index.put(key, { main, sub }, loc(main, sub));
          assert.equal(ki.key, key, `cycle ${cycle}: the change of ${key} landed on ${ki.key}`);
          model.set(key, [...history, `${main}.${sub}${gone ? 't' : ''}`]);
          slotsSeen.set(ki.keySlot, (slotsSeen.get(ki.keySlot) ?? new Set()).add(key));
          sub++;
        }
        // Mostly the same order; sometimes reversed, a key moved, or a new key inserted.
        const turn = rnd();
        if (turn < 0.2) order = [...order].reverse();
        else if (turn < 0.5) order.splice(Math.floor(rnd() * order.length), 0, `${A2}/ec2.volume/vol-${fresh++}`);
        else if (turn < 0.7) order.push(order.shift() as string);
        if (cycle % 5 === 4) {
          // Dead keys leave with their history; their slots go to later new keys.
          index.compact(main);
          for (const [key, history] of model) {
            if ((history[history.length - 1] as string).endsWith('t')) {
              model.delete(key);
              order = order.filter((k) => k !== key);
            } else model.set(key, [history[history.length - 1] as string]);
          }
        }
      }
      for (const [key, history] of model) {
        const held = (index.keyIndex(key)?.history() ?? []).map((e) => `${e.main}.${e.sub}${e.tombstone ? 't' : ''}`);
        assert.deepEqual(held, history, `seed ${seed}: ${key}`);
      }
      assert.ok([...slotsSeen.values()].some((keys) => keys.size > 1), `seed ${seed}: some slot was reused by another key`);
    }
  });
});

describe('tree index: the key map a restore fills later', () => {
  it('a restored index answers every lookup as the original does before, while and after its key map fills, with changes between steps', () => {
    const key = (i: number): string => `${A1}/ec2.instance/i-${String(i).padStart(5, '0')}`;
    const fresh = (k: string): string => k.split('').join(''); // an equal string, not the index's own
    const original = new TreeIndex();
    for (let i = 0; i < 300; i += 2) original.put(key(i), { main: 1, sub: i }, loc(1, i));
    for (let i = 0; i < 300; i += 6) original.tombstone(key(i), { main: 2, sub: i }, loc(2, i));
    // `asked` is looked up throughout (a miss goes to the tree and is kept in the map);
    // `quiet` only when its map is whole, so what it answers then is the fill's own work.
    const asked = restoreTreeIndex(unpack(pack(snapshotTreeIndex(original))));
    const quiet = restoreTreeIndex(unpack(pack(snapshotTreeIndex(original))));
    assert.equal(asked.keyMapWhole, false, 'a restore leaves the map to fill');
    assert.equal(new TreeIndex().keyMapWhole, true, 'an index built by puts keeps its map whole');
    const same = (restored: TreeIndex, step: number): void => {
      for (let i = 0; i < 320; i++) {
        const k = fresh(key(i));
        const want = original.keyIndex(k);
        const got = restored.keyIndex(k);
        assert.deepEqual(got?.history(), want?.history(), `step ${step}: history of ${k}`);
        assert.equal(restored.slotOf(k) >= 0, want !== undefined, `step ${step}: slotOf ${k}`);
        if (got !== undefined) assert.equal(restored.atSlot(restored.slotOf(k)), got, `step ${step}: the slot of ${k} holds it`);
        assert.deepEqual(restored.get(k), original.get(k), `step ${step}: get ${k}`);
        const since = original.compactedMain;
        assert.deepEqual(restored.since(k, since), original.since(k, since), `step ${step}: since ${k}`);
      }
    };
    let main = 2;
    let steps = 0;
    for (let step = 0; ; step++) {
      same(asked, step);
      // Between steps: new keys, changes, deletions, and a compaction that frees slots.
      main++;
      for (const index of [original, asked, quiet]) {
        const j = (step * 37) % 300;
        index.put(key(j + 1), { main, sub: 0 }, loc(main, 0));
        if (index.keyIndex(key(j))?.isLive() === true) index.tombstone(key(j), { main, sub: 1 }, loc(main, 1));
        else index.put(key(j), { main, sub: 1 }, loc(main, 1));
        if (step % 4 === 3) index.compact(main);
      }
      steps++;
      const askedWhole = asked.fillKeyMap(7);
      assert.equal(quiet.fillKeyMap(7), askedWhole, 'both fill alike');
      if (askedWhole) break;
      assert.ok(steps < 100, 'the map fills in a bounded number of steps');
    }
    assert.ok(steps > 3, `filled over several steps (${steps})`);
    assert.equal(quiet.keyMapWhole, true);
    same(quiet, -1);
    same(asked, -1);
    main++;
    for (const index of [original, asked, quiet]) index.compact(main - 1); // a whole map is checked against the tree here
    same(quiet, -2);
    assert.throws(() => quiet.fillKeyMap(0), /at least one slot/);
  });
});

describe('tree index: visitVisible (range without an object per key)', () => {
  it('visits what range yields, in order, with each entry\'s parts as entry() has them, and stops when told', () => {
    const index = fleet();
    for (const atMain of [1, 2, 3]) {
      for (const from of ['', `${A1}/ec2.volume/`, `${A2}/`, 'zzz']) {
        const expected = [...index.range(from, undefined, atMain)].map((v) => ({ key: v.key, ...v.revision, slot: v.slot, newest: v.newest }));
        const seen: typeof expected = [];
        index.visitVisible(from, atMain, (ki, i) => {
          seen.push({
            key: ki.key, main: ki.mainOf(i), sub: ki.subOf(i), tombstone: false,
            location: { segment: ki.segmentOf(i), offsetBytes: ki.offsetOf(i) }, slot: ki.keySlot, newest: i === ki.length - 1,
          });
          return true;
        });
        assert.deepEqual(seen, expected, `at ${atMain} from "${from}"`);
      }
    }
    let visited = 0;
    index.visitVisible('', 3, () => ++visited < 2);
    assert.equal(visited, 2, 'stops at the first false');
    assert.throws(() => index.visitVisible('', 4, () => true), (err: unknown) => isMvccError(err, 'MVCC_FUTURE_REV'));
    const ki = index.keyIndex(`${A1}/ec2.instance/i-1`);
    assert.throws(() => ki?.subOf(5));
    assert.throws(() => ki?.offsetOf(-1));
    assert.throws(() => ki?.segmentOf(1.5));
  });
});
