/**
 * One listing's records as bytes, written by the scan as it normalizes each page (while a
 * record's strings are still in the processor's cache), so that change detection can tell
 * an untouched record from the last listing's by comparing bytes laid out one after the
 * other, instead of visiting two records' ~10 objects and strings each, spread over the
 * heap (at a million resources that visiting was most of a cycle's detection).
 *
 * The encoding is injective over what recordsEqual compares (src/changes/record-equal.ts):
 * equal bytes mean equal records. The converse need not hold: a map built in another
 * key order encodes differently while recordsEqual finds it equal, and detection then
 * compares the objects, as it would without bytes. Bytes only ever spare a comparison;
 * they never decide that something changed.
 *
 * Layout of one value (tags are one byte):
 *   0x00 null · 0x01 undefined · 0x02 true · 0x03 false
 *   0x04 string of code points < 0x80: varint length, one byte each
 *   0x05 any other string: varint length, two bytes per UTF-16 code unit (lone surrogates
 *        included, so no two strings share an encoding)
 *   0x06 number: IEEE-754 double, 8 bytes
 *   0x07 list: varint length, then the items
 *   0x08 map: (name, value) pairs in iteration order, then 0x09; a name is a string, or
 *        0x0a and a varint: the number the process gave that name when first met (the
 *        first MAP_NAMES_MAX names: tag and attribute names repeat in every record)
 * A record is its key; then 0x0b when its provider, account, region, type and id are the
 * key's five parts (as resourceKey joins them), else those five strings; then name,
 * state, owner, and tags and attrs as maps. A record holding what no tag above encodes (a NaN, whose === never
 * holds; a value of another kind; attrs nested past ATTR_DEPTH_MAX) is written anyway but
 * marked opaque: it never compares equal, and is always compared as objects.
 */
import { ATTR_DEPTH_MAX, LISTING_BYTES_CHUNK_BYTES as CHUNK, LISTING_BYTES_POOL_BYTES } from '../limits.js';
import type { AttrValue, ResourceRecord } from './resource.js';

/** The first chunk of a listing; each next one is twice the last, up to CHUNK. */
const FIRST_CHUNK_BYTES = 1024;


const NULL = 0x00;
const UNDEFINED = 0x01;
const TRUE = 0x02;
const FALSE = 0x03;
const ASCII = 0x04;
const UTF16 = 0x05;
const NUMBER = 0x06;
const LIST = 0x07;
const MAP = 0x08;
const MAP_END = 0x09;
const NAME_NUMBER = 0x0a;
const KEY_PARTS = 0x0b;

/**
 * Map names numbered by the process, for good (both listings compared must number a name
 * alike; a number is never given to another name). Bounded: names past the first
 * MAP_NAMES_MAX are written out.
 */
const MAP_NAMES_MAX = 4096;
const mapNames = new Map<string, number>();

/** Full-size chunks given back by listings no longer kept (release), for the next scan. */
const freeChunks: Uint8Array[] = [];

const NUMBER_SCRATCH = new Float64Array(1);
const NUMBER_BYTES = new Uint8Array(NUMBER_SCRATCH.buffer);

export class ListingBytes {
  /** The chunks written so far; the last is `bytes`. */
  private readonly chunks: Uint8Array[] = [];
  /** Each chunk seen as 32-bit words (records start and end on a multiple of 4: equalAt). */
  private readonly words: Int32Array[] = [];
  private bytes: Uint8Array = new Uint8Array(0);
  /** Where the next byte goes in `bytes`, and where the record being written began there. */
  private end = 0;
  private recordStart = 0;
  /** Per record: chunk index × CHUNK + offset in it (a record never spans chunks), and length. */
  private at = new Uint32Array(64);
  private lengths = new Uint32Array(64);
  /** 1 for a record marked opaque (never equal). */
  private opaque = new Uint8Array(64);
  private records = 0;
  private held = 0;
  /** Set while writing a record that no encoding vouches for. */
  private writingOpaque = false;

  /** Records written. */
  get count(): number {
    return this.records;
  }

  /** Bytes held, index included (what keeping this listing costs). */
  get heldBytes(): number {
    return this.held + this.at.byteLength + this.lengths.byteLength + this.opaque.byteLength;
  }

  /** Appends `record`'s bytes as the next record. */
  append(record: ResourceRecord): void {
    const n = this.records;
    if (n === this.at.length) this.growIndex();
    this.writingOpaque = false;
    this.recordStart = this.end;
    // After a chunk of one large record, a chunk of the usual size (offsets stay below CHUNK).
    if (this.bytes.length > CHUNK) this.newChunk(0);
    this.string(record.key);
    if (isKeyOfParts(record)) this.byte(KEY_PARTS);
    else {
      this.string(record.provider);
      this.string(record.account);
      this.string(record.region);
      this.string(record.type);
      this.string(record.id);
    }
    this.value(record.name, 0);
    this.value(record.state, 0);
    this.value(record.owner, 0);
    this.value(record.tags as unknown as AttrValue, 0);
    this.value(record.attrs as unknown as AttrValue, 0);
    const length = this.end - this.recordStart;
    // Zeros up to a multiple of 4 (a pooled chunk holds old bytes): equalAt compares words.
    this.reserve(3);
    while ((this.end & 3) !== 0) this.bytes[this.end++] = 0;
    this.at[n] = (this.chunks.length - 1) * CHUNK + this.recordStart;
    this.lengths[n] = length;
    this.opaque[n] = this.writingOpaque ? 1 : 0;
    this.records = n + 1;
  }

  /** Appends records[from..] (what a page of the listing added). */
  appendFrom(records: readonly ResourceRecord[], from: number): void {
    for (let i = from; i < records.length; i++) this.append(records[i] as ResourceRecord);
  }

  /** Record `i` here and record `j` of `other` have the same bytes, and neither is opaque. */
  equalAt(i: number, other: ListingBytes, j: number): boolean {
    if (i >= this.records || j >= other.records) return false; // (none after release)
    const length = this.lengths[i] as number;
    if (length !== other.lengths[j] || this.opaque[i] === 1 || other.opaque[j] === 1) return false;
    const aAt = this.at[i] as number;
    const bAt = other.at[j] as number;
    const a = this.words[(aAt / CHUNK) | 0] as Int32Array;
    const b = other.words[(bAt / CHUNK) | 0] as Int32Array;
    // Four bytes at a time: both records start on a multiple of 4 and are padded with zeros.
    const aFrom = (aAt % CHUNK) >> 2;
    const bFrom = (bAt % CHUNK) >> 2;
    const words = (length + 3) >> 2;
    for (let k = 0; k < words; k++) if (a[aFrom + k] !== b[bFrom + k]) return false;
    return true;
  }

  /**
   * Gives the chunks back for later listings to write into (at most
   * LISTING_BYTES_POOL_BYTES are kept), and empties this one: it holds no record after.
   * A scan writing fresh chunks every cycle made V8 collect its whole heap several times a
   * cycle at a million resources (memory outside the heap counts toward its limits).
   */
  release(): void {
    for (const chunk of this.chunks) pool(chunk);
    this.chunks.length = 0;
    this.words.length = 0;
    this.bytes = new Uint8Array(0);
    this.end = 0;
    this.recordStart = 0;
    this.records = 0;
    this.held = 0;
  }

  /** Gives back the room of the last chunk grown ahead of need (a listing kept for the next cycle). */
  trim(): void {
    if (this.bytes.length > this.end + (this.end >> 3)) {
      const kept = this.bytes.slice(0, this.end);
      this.held -= this.bytes.length - kept.length;
      pool(this.bytes);
      this.bytes = kept;
      this.chunks[this.chunks.length - 1] = kept;
      this.words[this.words.length - 1] = wordsOf(kept);
    }
    const n = this.records;
    if (this.at.length > n + (n >> 3)) {
      this.at = this.at.slice(0, n);
      this.lengths = this.lengths.slice(0, n);
      this.opaque = this.opaque.slice(0, n);
    }
  }

  private value(v: AttrValue | undefined, depth: number): void {
    if (typeof v === 'string') return this.string(v);
    if (v === null) return this.byte(NULL);
    if (v === undefined) return this.byte(UNDEFINED);
    if (v === true) return this.byte(TRUE);
    if (v === false) return this.byte(FALSE);
    if (typeof v === 'number') return this.number(v);
    if (typeof v !== 'object' || depth >= ATTR_DEPTH_MAX) {
      this.writingOpaque = true;
      return this.byte(NULL);
    }
    if (Array.isArray(v)) {
      const list = v as readonly AttrValue[];
      this.byte(LIST);
      this.varint(list.length);
      for (let i = 0; i < list.length; i++) this.value(list[i], depth + 1);
      return;
    }
    const map = v as { readonly [k: string]: AttrValue };
    this.byte(MAP);
    for (const key in map) {
      this.name(key);
      this.value(map[key], depth + 1);
    }
    this.byte(MAP_END);
  }

  private string(s: string): void {
    if (typeof s !== 'string') return this.value(s as unknown as AttrValue, 0); // a malformed record
    const n = s.length;
    this.reserve(2 * n + 6);
    const b = this.bytes;
    const start = this.end;
    let p = this.writeHead(ASCII, n);
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) {
        // Not ASCII: the whole string again, two bytes per code unit.
        p = this.writeHeadAt(start, UTF16, n);
        for (let k = 0; k < n; k++) {
          const u = s.charCodeAt(k);
          b[p++] = u & 0xff;
          b[p++] = u >>> 8;
        }
        this.end = p;
        return;
      }
      b[p++] = c;
    }
    this.end = p;
  }

  private name(key: string): void {
    let n = mapNames.get(key);
    if (n === undefined) {
      if (mapNames.size >= MAP_NAMES_MAX) return this.string(key);
      mapNames.set(key, (n = mapNames.size));
    }
    this.reserve(6);
    this.end = this.writeHeadAt(this.end, NAME_NUMBER, n);
  }

  private number(v: number): void {
    if (v !== v) this.writingOpaque = true; // NaN: recordsEqual never finds it equal
    this.reserve(9);
    const b = this.bytes;
    let p = this.end;
    b[p++] = NUMBER;
    NUMBER_SCRATCH[0] = v;
    for (let k = 0; k < 8; k++) b[p++] = NUMBER_BYTES[k] as number;
    this.end = p;
  }

  private byte(tag: number): void {
    this.reserve(1);
    this.bytes[this.end++] = tag;
  }

  private varint(n: number): void {
    this.reserve(5);
    this.end = this.writeHeadAt(this.end, -1, n);
  }

  /** Writes a tag and a varint length at the end; returns where the content goes. */
  private writeHead(tag: number, length: number): number {
    return this.writeHeadAt(this.end, tag, length);
  }

  /** Writes `tag` (none when negative) and varint `length` at `at`; returns the offset after. */
  private writeHeadAt(at: number, tag: number, length: number): number {
    const b = this.bytes;
    let p = at;
    if (tag >= 0) b[p++] = tag;
    let l = length;
    while (l >= 0x80) {
      b[p++] = (l & 0x7f) | 0x80;
      l >>>= 7;
    }
    b[p++] = l;
    return p;
  }

  /**
   * Room for `n` more bytes of the record being written: when the chunk has none, the
   * record so far moves to a new chunk (the next size: small listings stay small, large
   * ones take CHUNK at a time; a record larger than that gets a chunk of its own, and the
   * next record a new one).
   */
  private reserve(n: number): void {
    if (this.end + n > this.bytes.length) this.newChunk(n);
  }

  private newChunk(n: number): void {
    const partial = this.end - this.recordStart;
    const last = this.bytes.length;
    let size = last === 0 ? FIRST_CHUNK_BYTES : last >= CHUNK ? CHUNK : last * 2;
    if (partial + n > size) size = Math.max(CHUNK, (partial + n + 3) & ~3);
    if (this.chunks.length * CHUNK >= 2 ** 32) throw new RangeError('a listing of over 4 GiB of records');
    const chunk = size === CHUNK && freeChunks.length > 0 ? (freeChunks.pop() as Uint8Array) : new Uint8Array(size);
    chunk.set(this.bytes.subarray(this.recordStart, this.end));
    this.chunks.push(chunk);
    this.words.push(wordsOf(chunk));
    this.held += size;
    this.bytes = chunk;
    this.recordStart = 0;
    this.end = partial;
  }

  private growIndex(): void {
    const size = this.at.length * 2;
    const at = new Uint32Array(size);
    at.set(this.at);
    this.at = at;
    const lengths = new Uint32Array(size);
    lengths.set(this.lengths);
    this.lengths = lengths;
    const opaque = new Uint8Array(size);
    opaque.set(this.opaque);
    this.opaque = opaque;
  }
}

/** A chunk (its length a multiple of 4) as 32-bit words. */
function wordsOf(chunk: Uint8Array): Int32Array {
  return new Int32Array(chunk.buffer, chunk.byteOffset, chunk.length >> 2);
}

/** Bytes of chunks waiting in the pool for the next scan. */
export function pooledListingBytes(): number {
  return freeChunks.length * CHUNK;
}

/** Keeps a full-size chunk no listing holds any more for the next one, while the pool has room. */
function pool(chunk: Uint8Array): void {
  if (chunk.length === CHUNK && (freeChunks.length + 1) * CHUNK <= LISTING_BYTES_POOL_BYTES) freeChunks.push(chunk);
}

/** The record's provider, account, region, type and id are its key's parts, in order. */
function isKeyOfParts(r: ResourceRecord): boolean {
  const { key, provider, account, region, type, id } = r;
  if (typeof key !== 'string' || typeof provider !== 'string' || typeof account !== 'string') return false;
  if (typeof region !== 'string' || typeof type !== 'string' || typeof id !== 'string') return false;
  if (key.length !== provider.length + account.length + region.length + type.length + id.length + 4) return false;
  let at = partEnd(key, provider, 0);
  at = partEnd(key, account, at);
  at = partEnd(key, region, at);
  at = partEnd(key, type, at);
  return at >= 0 && key.startsWith(id, at);
}

/** Where the part after `part` begins, when `key` holds `part` and a "/" at `at`; else -1. */
function partEnd(key: string, part: string, at: number): number {
  if (at < 0 || !key.startsWith(part, at) || key.charCodeAt(at + part.length) !== 0x2f) return -1;
  return at + part.length + 1;
}
