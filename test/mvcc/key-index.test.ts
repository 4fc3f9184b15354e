import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isMvccError } from '../../src/mvcc/errors.js';
import type { IndexedRevision } from '../../src/mvcc/key-index.js';
import { KeyIndex } from '../../src/mvcc/key-index.js';
import { RevisionSet } from '../../src/mvcc/revision-set.js';
import { SegmentTable } from '../../src/mvcc/segment-table.js';

/** `p4` is put at 4.0, `p14.1` put at 14.1, `t5` tombstone at 5.0. */
type Op = string;

function locationOf(main: number, sub: number): { segment: string; offsetBytes: number } {
  return { segment: `seg-${main % 3}`, offsetBytes: main * 1000 + sub };
}

function build(ops: readonly Op[], segments: SegmentTable = new SegmentTable()): KeyIndex {
  const ki = new KeyIndex('foo', segments);
  for (const op of ops) {
    const [mainText, subText] = op.slice(1).split('.');
    const rev = { main: Number(mainText), sub: Number(subText ?? '0') };
    if (op[0] === 'p') ki.put(rev, locationOf(rev.main, rev.sub));
    else ki.tombstone(rev, locationOf(rev.main, rev.sub));
  }
  return ki;
}

function label(r: IndexedRevision): string {
  return `${r.main}.${r.sub}${r.tombstone ? 't' : ''}`;
}

function picture(ki: KeyIndex): string[][] {
  return ki.generations().map((g) => g.map(label));
}

function availableLabels(set: RevisionSet): string[] {
  return set.toSortedArray().map((r) => `${r.main}.${r.sub}`);
}

// etcd's documented example (key_index.go): put 1, put 2, tombstone 3, put 4, tombstone 5.
const ETCD_EXAMPLE: readonly Op[] = ['p1', 'p2', 't3', 'p4', 't5'];

// etcd's TestKeyIndexGet history: three closed generations, one with two subs in main 14.
const ETCD_GET_HISTORY: readonly Op[] = ['p2', 'p4', 't6', 'p8', 'p10', 't12', 'p14', 'p14.1', 't16'];

describe('key index: etcd example put 1, put 2, tombstone 3, put 4, tombstone 5', () => {
  it('builds three generations, the newest empty', () => {
    assert.deepEqual(picture(build(ETCD_EXAMPLE)), [[], ['5.0t', '4.0'], ['3.0t', '2.0', '1.0']]);
  });

  const compactVectors: Array<{ at: number; generations: string[][]; available: string[]; kept: string[] }> = [
    { at: 1, generations: [[], ['5.0t', '4.0'], ['3.0t', '2.0', '1.0']], available: ['1.0'], kept: ['1.0'] },
    { at: 2, generations: [[], ['5.0t', '4.0'], ['3.0t', '2.0']], available: ['2.0'], kept: ['2.0'] },
    { at: 3, generations: [[], ['5.0t', '4.0']], available: [], kept: [] },
    { at: 4, generations: [[], ['5.0t', '4.0']], available: ['4.0'], kept: ['4.0'] },
    { at: 5, generations: [[]], available: [], kept: [] },
    { at: 6, generations: [[]], available: [], kept: [] },
  ];
  for (const v of compactVectors) {
    it(`compact(${v.at}) leaves ${JSON.stringify(v.generations)} and keeps ${JSON.stringify(v.available)}`, () => {
      const ki = build(ETCD_EXAMPLE);
      const keptSet = new RevisionSet();
      ki.keep(v.at, keptSet);
      assert.deepEqual(availableLabels(keptSet), v.kept, 'keep');
      assert.deepEqual(picture(ki), picture(build(ETCD_EXAMPLE)), 'keep must not change the index');
      const available = new RevisionSet();
      ki.compact(v.at, available);
      assert.deepEqual(picture(ki), v.generations);
      assert.deepEqual(availableLabels(available), v.available);
      assert.equal(ki.isEmpty(), v.generations.length === 1);
    });
  }

  it('compacting step by step at 2, 4, 5 ends with an empty key', () => {
    const ki = build(ETCD_EXAMPLE);
    const steps: Array<[number, string[][]]> = [
      [2, [[], ['5.0t', '4.0'], ['3.0t', '2.0']]],
      [4, [[], ['5.0t', '4.0']]],
      [5, [[]]],
    ];
    for (const [at, want] of steps) {
      ki.compact(at, new RevisionSet());
      assert.deepEqual(picture(ki), want, `after compact(${at})`);
    }
    assert.equal(ki.isEmpty(), true);
  });
});

describe('key index: get', () => {
  // etcd's TestKeyIndexGet: the history compacted at 4 first, so 2.0 is gone.
  const vectors: Array<[number, string | undefined]> = [
    [17, undefined], [16, undefined], [15, '14.1'], [14, '14.1'], [13, undefined], [12, undefined],
    [11, '10.0'], [10, '10.0'], [9, '8.0'], [8, '8.0'], [7, undefined], [6, undefined],
    [5, '4.0'], [4, '4.0'], [3, undefined], [2, undefined], [1, undefined], [0, undefined],
  ];
  for (const [at, want] of vectors) {
    it(`get(${at}) after compact(4) sees ${want ?? 'nothing'}`, () => {
      const ki = build(ETCD_GET_HISTORY);
      ki.compact(4, new RevisionSet());
      const got = ki.get(at);
      assert.equal(got === undefined ? undefined : label(got), want);
    });
  }

  it('returns the location the revision was put with', () => {
    const got = build(ETCD_GET_HISTORY).get(14);
    assert.deepEqual(got, { main: 14, sub: 1, tombstone: false, location: locationOf(14, 1) });
  });
});

describe('key index: since', () => {
  const vectors: Array<[number, string[]]> = [
    [17, []],
    [16, ['16.0t']],
    [15, ['16.0t']],
    [14, ['14.1', '16.0t']],
    [13, ['14.1', '16.0t']],
    [9, ['10.0', '12.0t', '14.1', '16.0t']],
    [0, ['2.0', '4.0', '6.0t', '8.0', '10.0', '12.0t', '14.1', '16.0t']],
  ];
  for (const [since, want] of vectors) {
    it(`since(${since}) returns ${JSON.stringify(want)}, one revision per main`, () => {
      assert.deepEqual(build(ETCD_GET_HISTORY).since(since).map(label), want);
    });
  }
});

describe('key index: errors', () => {
  it('a second tombstone is a typed MVCC_TOMBSTONE_ON_EMPTY error and changes nothing', () => {
    const ki = build(['p1', 't2']);
    assert.throws(
      () => ki.tombstone({ main: 3, sub: 0 }, locationOf(3, 0)),
      (err: unknown) => isMvccError(err, 'MVCC_TOMBSTONE_ON_EMPTY') && err.key === 'foo',
    );
    assert.equal(ki.length, 2);
  });

  it('a tombstone on a never-put key is a typed MVCC_TOMBSTONE_ON_EMPTY error', () => {
    assert.throws(() => build([]).tombstone({ main: 1, sub: 0 }, locationOf(1, 0)), (err: unknown) =>
      isMvccError(err, 'MVCC_TOMBSTONE_ON_EMPTY'),
    );
  });

  const nonIncreasing: Array<[string, Op[], { main: number; sub: number }]> = [
    ['equal revision', ['p5'], { main: 5, sub: 0 }],
    ['lower main', ['p5'], { main: 4, sub: 9 }],
    ['lower sub in the same main', ['p5.3'], { main: 5, sub: 2 }],
    ['at a tombstone revision', ['p5', 't6'], { main: 6, sub: 0 }],
  ];
  for (const [name, ops, rev] of nonIncreasing) {
    it(`a put at a revision not greater than the last asserts: ${name}`, () => {
      const ki = build(ops);
      assert.throws(() => ki.put(rev, locationOf(rev.main, rev.sub)), { name: 'AssertionError' });
      assert.equal(ki.length, ops.length);
    });
  }

  it('compact on an empty key index asserts', () => {
    assert.throws(() => build([]).compact(1, new RevisionSet()), { name: 'AssertionError' });
  });
});

describe('key index: packed layout', () => {
  it('round-trips large subs, many segments and large offsets exactly', () => {
    const segments = new SegmentTable();
    for (let i = 0; i < 1000; i++) segments.idOf(`s${i}`);
    const ki = new KeyIndex('k', segments);
    const location = { segment: 's999', offsetBytes: 2 ** 40 + 7 };
    ki.put({ main: 2 ** 40, sub: 2 ** 31 - 1 }, location);
    assert.deepEqual(ki.get(2 ** 40), { main: 2 ** 40, sub: 2 ** 31 - 1, tombstone: false, location });
  });

  it('rebuilds from exported slots to the same history', () => {
    const segments = new SegmentTable();
    const ki = build(ETCD_GET_HISTORY, segments);
    const copy = KeyIndex.fromSlots('foo', segments, ki.exportSlots());
    assert.ok(copy !== undefined);
    assert.deepEqual(copy.history(), ki.history());
  });

  it('refuses exported slots that break revision order', () => {
    const segments = new SegmentTable();
    const slots = build(['p1', 'p2'], segments).exportSlots();
    assert.ok(KeyIndex.fromSlots('foo', segments, slots) !== undefined, 'the unswapped slots are accepted');
    const swapped = [...slots.slice(3), ...slots.slice(0, 3)];
    assert.equal(KeyIndex.fromSlots('foo', segments, swapped), undefined);
  });
});

describe('key index downsampling (the retention policy)', () => {
  // The file comment's picture: day buckets start at 3 and 6.
  const vectors: Array<[string, readonly Op[], [number, number], number[], string[]]> = [
    ['the picture: first, last of each day, tombstone; the window end kept whole', ['p1', 'p2', 'p4', 'p5', 't7', 'p8'], [0, 8], [3, 6], ['1.0', '2.0', '5.0', '7.0t', '8.0']],
    ['a lifetime inside one day keeps its start and end', ['p3', 'p4', 't5'], [0, 6], [3], ['3.0', '5.0t']],
    ['revisions at or after the window end are all kept', ['p1', 'p2', 'p3', 'p4'], [0, 3], [], ['1.0', '2.0', '3.0', '4.0']],
    ['only the window is touched', ['p1', 'p2', 'p3', 'p4', 'p5'], [2, 5], [], ['1.0', '4.0', '5.0']],
    ['a generation reborn the same day keeps both starts', ['p1', 't2', 'p3', 'p4', 'p9'], [0, 9], [1], ['1.0', '2.0t', '3.0', '4.0', '9.0']],
  ];
  for (const [name, ops, [from, before], days, kept] of vectors) {
    it(name, () => {
      const ki = build(ops);
      const dropped = ki.downsample(from, before, days);
      assert.deepEqual(ki.history().map(label), kept);
      assert.equal(dropped, ops.length - kept.length);
    });
  }

  it('never changes what is visible at a day end', () => {
    const ops = ['p1', 'p2', 'p4', 'p5', 't7', 'p8', 'p10', 'p11'];
    const full = build(ops);
    const thin = build(ops);
    thin.downsample(0, 12, [3, 6, 9]);
    for (const dayEnd of [2, 5, 8, 11]) assert.deepEqual(thin.get(dayEnd) && label(thin.get(dayEnd)!), full.get(dayEnd) && label(full.get(dayEnd)!));
  });
});
