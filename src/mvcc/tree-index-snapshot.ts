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
import { flatString } from '../model/flat-string.js';
import { MvccError } from './errors.js';
import { KeyIndex } from './key-index.js';
import { SegmentTable } from './segment-table.js';
import { TreeIndex } from './tree-index.js';

export const TREE_INDEX_SNAPSHOT_FORMAT = 1;
const STRIDE = 3;

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
  const keys: string[] = [];
  const counts = new DataView(new ArrayBuffer(index.keyCount * 4));
  const slots = new DataView(new ArrayBuffer(index.revisionCount * STRIDE * 8));
  let slotOffset = 0;
  for (const ki of index.keyIndexes()) {
    counts.setUint32(keys.length * 4, ki.length, true);
    keys.push(ki.key);
    for (const v of ki.exportSlots()) {
      slots.setFloat64(slotOffset, v, true);
      slotOffset += 8;
    }
  }
  const cursor = index.cursor();
  return {
    format: TREE_INDEX_SNAPSHOT_FORMAT,
    lastMain: cursor.lastMain,
    lastSub: cursor.lastSub,
    compactedMain: cursor.compactedMain,
    segments: [...index.segments.toArray()],
    keys,
    counts: new Uint8Array(counts.buffer),
    slots: new Uint8Array(slots.buffer),
  };
}

export function restoreTreeIndex(data: unknown): TreeIndex {
  const snap = parseSnapshot(data);
  if (new Set(snap.segments).size !== snap.segments.length) bad('duplicate segment names');
  const segments = SegmentTable.fromArray(snap.segments);
  const counts = view(snap.counts);
  const slots = view(snap.slots);
  if (counts.byteLength !== snap.keys.length * 4) bad('counts do not match keys');
  const keyIndexes: KeyIndex[] = [];
  let slotOffset = 0;
  for (let k = 0; k < snap.keys.length; k++) {
    const key = flatString(snap.keys[k] as string);
    if (k > 0 && !((snap.keys[k - 1] as string) < key)) bad(`keys not ascending at ${key}`);
    const n = counts.getUint32(k * 4, true) * STRIDE;
    if (slotOffset + n * 8 > slots.byteLength) bad(`slots end before key ${key}`);
    const values = new Array<number>(n);
    for (let i = 0; i < n; i++, slotOffset += 8) values[i] = slots.getFloat64(slotOffset, true);
    const ki = KeyIndex.fromSlots(key, segments, values);
    if (ki === undefined) bad(`malformed history for key ${key}`);
    keyIndexes.push(ki);
  }
  if (slotOffset !== slots.byteLength) bad('slots left over after the last key');
  return TreeIndex.fromParts(segments, keyIndexes, snap);
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
