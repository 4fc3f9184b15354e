/**
 * ListingBytes: equal bytes mean equal records (recordsEqual), over records built to look
 * alike in every way the encoding could confuse; unequal bytes only spare nothing.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { recordsEqual } from '../../src/changes/record-equal.js';
import { LISTING_BYTES_CHUNK_BYTES } from '../../src/limits.js';
import { ListingBytes } from '../../src/model/listing-bytes.js';
import type { AttrValue, ResourceRecord } from '../../src/model/resource.js';
import { prng } from '../projection/log-fixture.js';

/** Values chosen to collide if the encoding were careless: types that print alike, prefixes, surrogates. */
const SCALARS: AttrValue[] = [
  null, '', 'null', 'true', '1', 1, -0, 0, 1.5, true, false, 'a', 'ab', 'a\u0000', '\u00e9', 'e\u0301',
  '\ud800', '\udc00', '\ud83d\ude00', 'x'.repeat(130), 'x'.repeat(129),
];

function pick<T>(next: () => number, from: readonly T[]): T {
  return from[Math.floor(next() * from.length)] as T;
}

function value(next: () => number, depth: number): AttrValue {
  const roll = next();
  if (depth >= 2 || roll < 0.6) return pick(next, SCALARS);
  if (roll < 0.8) return Array.from({ length: Math.floor(next() * 3) }, () => value(next, depth + 1));
  const map: Record<string, AttrValue> = {};
  for (let i = Math.floor(next() * 3); i > 0; i--) map[pick(next, ['a', 'b', 'ab', '', 'é'])] = value(next, depth + 1);
  return map;
}

function record(next: () => number): ResourceRecord {
  const id = pick(next, ['i-1', 'i-2', 'i-1/x']);
  const tags: Record<string, string> = {};
  for (let i = Math.floor(next() * 3); i > 0; i--) tags[pick(next, ['Owner', 'env', 'Name', ''])] = pick(next, ['a', 'b', '', 'ab']);
  const attrs: Record<string, AttrValue> = {};
  for (let i = Math.floor(next() * 3); i > 0; i--) attrs[pick(next, ['size', 'zone', 'list'])] = value(next, 0);
  return {
    key: `aws/1/r/ec2.volume/${id}`,
    provider: 'aws',
    account: '1',
    region: 'r',
    type: 'ec2.volume',
    id,
    name: pick(next, [null, '', 'n', 'null']),
    state: pick(next, [null, 'available', 'in-use']),
    owner: pick(next, [null, 'platform', '']),
    tags,
    attrs,
  };
}

function bytesOf(records: readonly ResourceRecord[]): ListingBytes {
  const bytes = new ListingBytes();
  bytes.appendFrom(records, 0);
  return bytes;
}

describe('listing bytes', () => {
  it('says equal only of equal records, and of every record built twice the same way', () => {
    for (const seed of [1, 2, 3]) {
      // given 400 records drawn from a small alphabet (many pairs alike), each built twice
      const a = prng(seed);
      const b = prng(seed);
      const left = Array.from({ length: 400 }, () => record(a));
      const twins = Array.from({ length: 400 }, () => record(b));
      const lb = bytesOf(left);
      const tb = bytesOf(twins);
      let equalPairs = 0;
      for (let i = 0; i < left.length; i++) {
        // then a record and its twin (another object of the same value) have equal bytes
        assert.ok(lb.equalAt(i, tb, i), `seed ${seed}: record ${i} and its twin`);
        for (let j = 0; j < left.length; j += 7) {
          // and any two records with equal bytes are equal records
          if (lb.equalAt(i, tb, j)) {
            equalPairs++;
            assert.ok(recordsEqual(left[i] as ResourceRecord, twins[j] as ResourceRecord), `seed ${seed}: ${i} vs ${j}`);
          } else assert.ok(!recordsEqual(left[i] as ResourceRecord, twins[j] as ResourceRecord) || hasKeyOrderOnlyDifference(left[i] as ResourceRecord, twins[j] as ResourceRecord), `seed ${seed}: ${i} vs ${j} unequal bytes`);
        }
      }
      assert.ok(equalPairs > left.length / 7, `pairs found alike: ${equalPairs}`);
    }
  });

  it('tells apart every single change of a field, however small', () => {
    const base = (): ResourceRecord => ({
      key: 'aws/1/r/ec2.volume/v', provider: 'aws', account: '1', region: 'r', type: 'ec2.volume', id: 'v',
      name: 'n', state: 'available', owner: null, tags: { Owner: 'a' }, attrs: { size: 1, list: [1, 'x'], map: { k: true } },
    });
    const changes: Array<(r: ResourceRecord) => void> = [
      (r) => (r.name = null),
      (r) => (r.name = 'null'),
      (r) => (r.state = 'in-use'),
      (r) => (r.owner = ''),
      (r) => (r.tags = {}),
      (r) => (r.tags = { Owner: 'a', '': '' }),
      (r) => (r.tags = { Owner: 'á' }),
      (r) => (r.attrs = { ...r.attrs, size: '1' }),
      (r) => (r.attrs = { ...r.attrs, size: 1.0000001 }),
      (r) => (r.attrs = { ...r.attrs, list: [1, 'x', null] }),
      (r) => (r.attrs = { ...r.attrs, list: [[1], 'x'] }),
      (r) => (r.attrs = { ...r.attrs, map: { k: 'true' } }),
      (r) => (r.attrs = { ...r.attrs, map: { k: true, l: null } }),
      (r) => (r.attrs = { ...r.attrs, list: ['\ud800', 'x'] }),
      (r) => (r.id = 'w'),
    ];
    for (const [n, change] of changes.entries()) {
      const changed = base();
      change(changed);
      assert.ok(!recordsEqual(base(), changed), `change ${n} is a change`);
      assert.ok(!bytesOf([base()]).equalAt(0, bytesOf([changed]), 0), `change ${n} changes the bytes`);
    }
    // and lone surrogates, which UTF-8 would turn into the same replacement character
    const one = base();
    one.name = '\ud800';
    const other = base();
    other.name = '\ud801';
    assert.ok(!bytesOf([one]).equalAt(0, bytesOf([other]), 0));
  });

  it('never vouches for a record holding NaN (recordsEqual never finds it equal)', () => {
    const r = (): ResourceRecord => ({
      key: 'k', provider: 'aws', account: '1', region: 'r', type: 'ec2.volume', id: 'k', name: null, state: null, owner: null, tags: {}, attrs: { size: Number.NaN },
    });
    assert.ok(!recordsEqual(r(), r()));
    assert.ok(!bytesOf([r()]).equalAt(0, bytesOf([r()]), 0));
  });

  it('keeps its records apart across chunks, records larger than a chunk, and trimming', () => {
    const next = prng(9);
    const records = Array.from({ length: 5000 }, () => record(next));
    // records larger than a chunk, one alone and two in a row, among the small ones
    for (const at of [100, 2000, 2001]) {
      const big = record(next);
      big.attrs = { ...big.attrs, blob: 'b'.repeat(LISTING_BYTES_CHUNK_BYTES + at) };
      records.splice(at, 0, big);
    }
    const bytes = bytesOf(records);
    const again = bytesOf(records);
    again.trim();
    assert.equal(bytes.count, records.length);
    for (let i = 0; i < records.length; i++) {
      assert.ok(bytes.equalAt(i, again, i), `record ${i}`);
      if (i > 0) assert.equal(bytes.equalAt(i, again, i - 1), recordsEqual(records[i] as ResourceRecord, records[i - 1] as ResourceRecord) && JSON.stringify(records[i]) === JSON.stringify(records[i - 1]), `record ${i} against ${i - 1}`);
    }
    assert.ok(again.heldBytes <= bytes.heldBytes);
    // and once released, a listing vouches for nothing, while its chunks serve another
    again.release();
    assert.equal(again.count, 0);
    assert.ok(!again.equalAt(0, bytes, 0));
    const reused = bytesOf(records);
    for (let i = 0; i < records.length; i++) assert.ok(bytes.equalAt(i, reused, i), `record ${i} in reused chunks`);
  });
});

/** Equal records whose maps hold their keys in another order: bytes may differ (only spares nothing). */
function hasKeyOrderOnlyDifference(a: ResourceRecord, b: ResourceRecord): boolean {
  return JSON.stringify(a) !== JSON.stringify(b);
}
