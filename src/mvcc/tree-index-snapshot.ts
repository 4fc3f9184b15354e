/**
 * A TreeIndex as plain, msgpackr-encodable data, and back. The layout is columnar so a
 * million keys encode as a few large byte arrays rather than a million small objects:
 *
 *   format         1
 *   lastMain, lastSub, compactedMain   the index's revision bookkeeping
 *   segments       segment names, index = segment id used in `slots`
 *   keys           every key, ascending
 *   counts         uint32 little-endian per key: entries of that key
 *   slots          float64 little-endian, 3 per entry (see key-index.ts for their meaning)
 *
 * Restoring validates everything (the checkpoint file's CRC covers bytes, not meaning) and
 * throws MVCC_BAD_SNAPSHOT on any mismatch.
 */
import os from 'node:os';
import { flatString } from '../model/flat-string.js';
import { MvccError } from './errors.js';
import { KeyIndex } from './key-index.js';
import { SegmentTable } from './segment-table.js';
import { TreeIndex } from './tree-index.js';

export const TREE_INDEX_SNAPSHOT_FORMAT = 1;
const STRIDE = 3;
const LITTLE_ENDIAN = os.endianness() === 'LE';

export interface TreeIndexSnapshot {
  format: number;
  lastMain: number;
  lastSub: number;
  compactedMain: number;
  segments: string[];
  keys: string[];
  counts: Uint8Array;
  slots: Uint8Array;
}

export function snapshotTreeIndex(index: TreeIndex): TreeIndexSnapshot {
  return snapshotTreeIndexParts(index, Number.MAX_SAFE_INTEGER).next().value as TreeIndexSnapshot;
}

/**
 * The snapshot as parts of `keysPerPart` keys each (at least one part, for an empty
 * index): each part is a whole TreeIndexSnapshot of its keys, so the bookkeeping fields
 * repeat in every part. Read the index only while no put, tombstone or compaction runs.
 */
export function* snapshotTreeIndexParts(index: TreeIndex, keysPerPart: number): Generator<TreeIndexSnapshot> {
  const cursor = index.cursor();
  const segments = [...index.segments.toArray()];
  const all = index.keyIndexes();
  let chunk: KeyIndex[] = [];
  let yielded = false;
  const part = (): TreeIndexSnapshot => {
    let revisions = 0;
    for (const ki of chunk) revisions += ki.length;
    const keys: string[] = [];
    const counts = new DataView(new ArrayBuffer(chunk.length * 4));
    const slots = new DataView(new ArrayBuffer(revisions * STRIDE * 8));
    let slotOffset = 0;
    for (const ki of chunk) {
      counts.setUint32(keys.length * 4, ki.length, true);
      keys.push(ki.key);
      for (const v of ki.exportSlots()) {
        slots.setFloat64(slotOffset, v, true);
        slotOffset += 8;
      }
    }
    chunk = [];
    yielded = true;
    return {
      format: TREE_INDEX_SNAPSHOT_FORMAT, ...cursor, segments, keys,
      counts: new Uint8Array(counts.buffer), slots: new Uint8Array(slots.buffer),
    };
  };
  for (const ki of all) {
    chunk.push(ki);
    if (chunk.length >= keysPerPart) yield part();
  }
  if (chunk.length > 0 || !yielded) yield part();
}

export function restoreTreeIndex(data: unknown): TreeIndex {
  const restorer = new TreeIndexRestorer();
  restorer.add(data);
  return restorer.finish();
}

/**
 * Takes a snapshot's parts in order (snapshotTreeIndexParts, or one whole snapshot) and
 * builds the index once all are in. Every part must carry the same bookkeeping and
 * segments, and keys ascend across parts.
 */
export class TreeIndexRestorer {
  private first: TreeIndexSnapshot | null = null;
  private segments: SegmentTable | null = null;
  private builder: ReturnType<typeof TreeIndex.builder> | null = null;
  private lastKey: string | null = null;

  add(data: unknown): void {
    const snap = parseSnapshot(data);
    const segments = this.segmentsFor(snap);
    const counts = view(snap.counts);
    if (counts.byteLength !== snap.keys.length * 4) bad('counts do not match keys');
    const slots = slotValues(snap.slots);
    let slot = 0;
    for (let k = 0; k < snap.keys.length; k++) {
      const key = flatString(snap.keys[k] as string);
      if (this.lastKey !== null && !(this.lastKey < key)) bad(`keys not ascending at ${key}`);
      this.lastKey = key;
      const n = counts.getUint32(k * 4, true) * STRIDE;
      if (slot + n > slots.length) bad(`slots end before key ${key}`);
      const ki = KeyIndex.fromSlots(key, segments, slots.subarray(slot, slot + n));
      if (ki === undefined) bad(`malformed history for key ${key}`);
      slot += n;
      (this.builder ??= TreeIndex.builder(segments)).add(ki);
    }
    if (slot !== slots.length) bad('slots left over after the last key');
  }

  finish(): TreeIndex {
    if (this.first === null || this.segments === null) return bad('no part');
    return (this.builder ?? TreeIndex.builder(this.segments)).finish(this.first);
  }

  private segmentsFor(snap: TreeIndexSnapshot): SegmentTable {
    const first = this.first;
    if (first === null || this.segments === null) {
      if (new Set(snap.segments).size !== snap.segments.length) bad('duplicate segment names');
      this.first = snap;
      this.segments = SegmentTable.fromArray(snap.segments);
      return this.segments;
    }
    const same = snap.lastMain === first.lastMain && snap.lastSub === first.lastSub && snap.compactedMain === first.compactedMain &&
      snap.segments.length === first.segments.length && snap.segments.every((name, i) => name === first.segments[i]);
    if (!same) bad('parts disagree on the revision bookkeeping or the segments');
    return this.segments;
  }
}

/** The slots as float64 values: a view when aligned on a little-endian host, else a copy. */
function slotValues(bytes: Uint8Array): Float64Array {
  if (bytes.byteLength % 8 !== 0) bad('slots are not whole float64 values');
  if (LITTLE_ENDIAN && bytes.byteOffset % 8 === 0) return new Float64Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 8);
  const d = view(bytes);
  const out = new Float64Array(bytes.byteLength / 8);
  for (let i = 0; i < out.length; i++) out[i] = d.getFloat64(i * 8, true);
  return out;
}

function parseSnapshot(data: unknown): TreeIndexSnapshot {
  if (typeof data !== 'object' || data === null) bad('not an object');
  const d = data as Record<string, unknown>;
  if (d['format'] !== TREE_INDEX_SNAPSHOT_FORMAT) bad(`unknown format ${String(d['format'])}`);
  const { lastMain, lastSub, compactedMain, segments, keys, counts, slots } = d;
  if (!isCount(lastMain) || !isCount(compactedMain) || compactedMain > lastMain) bad('bad revision bookkeeping');
  if (!(lastSub === -1 || isCount(lastSub))) bad('bad lastSub');
  if (!isStringArray(segments) || !isStringArray(keys)) bad('segments and keys must be string arrays');
  if (!(counts instanceof Uint8Array) || !(slots instanceof Uint8Array)) bad('counts and slots must be bytes');
  return { format: TREE_INDEX_SNAPSHOT_FORMAT, lastMain, lastSub, compactedMain, segments, keys, counts, slots };
}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

function isStringArray(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((s) => typeof s === 'string');
}

function bad(why: string): never {
  throw new MvccError('MVCC_BAD_SNAPSHOT', `bad key index snapshot: ${why}`);
}
