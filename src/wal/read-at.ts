/**
 * Reading events back by their location (segment, byte offset), as the key index does to
 * serve history from disk: the payload (read), or the payload with the key and tag a
 * format-2 frame carries (readEvent). The frame's bounds, type and revision are checked; its chained
 * CRC is not (the seed is the previous record's), since replay verified it. Decoding needs
 * the structure table: pass the newest one known (LogReader.structures, Wal.structures —
 * it decodes every earlier record), or the segment's own structures records up to the
 * event are used. Read-only; safe while the writer appends.
 */
import path from 'node:path';
import { BATCH_READ_WINDOW_BYTES, RECORD_SIZE_BYTES_MAX, SEGMENT_HEADER_BYTES } from '../limits.js';
import { PayloadDecoder, decodeStructures, type StructureTable } from './codec.js';
import { SegmentDecoder } from './decoder.js';
import { WalError } from './errors.js';
import { nodeFileSystem, openRegularFile, readFully, type WalFileSystem } from './file-system.js';
import {
  FORMAT_VERSION_KEYED, FRAME_HEAD_BYTES, RECORD_BODY_HEAD_BYTES, RecordType, decodeHeader, readEventKeyBytes, readEventTag, readU64,
} from './frame.js';
import { HEADER_TEXT } from './segment.js';
import type { RecordLocation } from './types.js';

const OPEN_SEGMENTS_MAX = 16;

export interface PointReaderOptions {
  fs?: WalFileSystem;
  /** The newest structure table (or a getter, for a log that is still being written). */
  structures?: StructureTable | (() => StructureTable);
}

/** An event read at its location. */
export interface PointEvent {
  payload: unknown;
  /** The key its frame carries (format 2); null when none. */
  key: string | null;
  /** Its tag (format 2); 0 when none. */
  tag: number;
}

/** An open segment file. */
interface SegmentFile {
  fd: number;
  sizeBytes: number;
  /** Its header's format version. */
  formatVersion: number;
}

/** Bytes of one segment read ahead inside a batch. */
interface ReadWindow {
  segment: string;
  startBytes: number;
  lengthBytes: number;
  buf: Buffer;
}

export class PointReader {
  private readonly wfs: WalFileSystem;
  private readonly open = new Map<string, SegmentFile>();
  private readonly head = Buffer.alloc(FRAME_HEAD_BYTES + RECORD_BODY_HEAD_BYTES);
  private decoder: PayloadDecoder | null = null;
  private decoderTableLength = -1;
  /** Read-ahead inside batch() only; null outside one (see batch). */
  private window: ReadWindow | null = null;
  private batchDepth = 0;

  constructor(
    readonly dir: string,
    private readonly options: PointReaderOptions = {},
  ) {
    this.wfs = options.fs ?? nodeFileSystem;
  }

  /** The event payload at `location`; `expect` checks the revision found there. */
  read(location: RecordLocation, expect?: { main: number; sub: number }): unknown {
    return this.readRecord(location, expect, false).payload;
  }

  /** The event at `location` with its key and tag; `expect` checks the revision found there. */
  readEvent(location: RecordLocation, expect?: { main: number; sub: number }): PointEvent {
    return this.readRecord(location, expect, true);
  }

  private readRecord(location: RecordLocation, expect: { main: number; sub: number } | undefined, wantKey: boolean): PointEvent {
    const where = { segment: location.segment, offsetBytes: location.offsetBytes };
    const file = this.file(location.segment);
    if (this.readAt(location.segment, file, this.head, this.head.length, location.offsetBytes) < this.head.length) {
      throw new WalError('WAL_RECORD_PAST_END', 'no record at this location', where);
    }
    const bodyBytes = this.head.readUInt32LE(0);
    if (bodyBytes < RECORD_BODY_HEAD_BYTES || bodyBytes > RECORD_SIZE_BYTES_MAX) {
      throw new WalError('WAL_BAD_RECORD', `record length ${bodyBytes} is out of bounds`, where);
    }
    if (location.offsetBytes + FRAME_HEAD_BYTES + bodyBytes > file.sizeBytes) {
      throw new WalError('WAL_RECORD_PAST_END', 'record length points past the end of the file', where);
    }
    const main = readU64(this.head, FRAME_HEAD_BYTES + 8);
    const sub = this.head.readUInt32LE(FRAME_HEAD_BYTES + 4);
    if (this.head[FRAME_HEAD_BYTES] !== RecordType.event) throw new WalError('WAL_BAD_RECORD', 'not an event record', where);
    if (expect && (expect.main !== main || expect.sub !== sub)) {
      throw new WalError('WAL_BAD_RECORD', `expected event ${expect.main}.${expect.sub}, found ${main}.${sub}`, where);
    }
    const keyed = file.formatVersion >= FORMAT_VERSION_KEYED;
    const tag = keyed ? readEventTag(this.head, FRAME_HEAD_BYTES) : 0;
    const keyBytes = keyed ? readEventKeyBytes(this.head, FRAME_HEAD_BYTES) : 0;
    if (RECORD_BODY_HEAD_BYTES + keyBytes > bodyBytes) throw new WalError('WAL_BAD_RECORD', `key length ${keyBytes} runs past the record`, where);
    // The key and the payload in one read: the key comes first.
    const bytes = this.payloadBytes(location.segment, file, bodyBytes - RECORD_BODY_HEAD_BYTES, location.offsetBytes + FRAME_HEAD_BYTES + RECORD_BODY_HEAD_BYTES);
    if (bytes.length < keyBytes) throw new WalError('WAL_RECORD_PAST_END', 'record shorter than its key', where);
    const key = wantKey && keyBytes > 0 ? bytes.toString('utf8', 0, keyBytes) : null;
    try {
      return { payload: this.payloadDecoder(file, location.offsetBytes).decode(bytes.subarray(keyBytes)), key, tag };
    } catch (err) {
      throw new WalError('WAL_BAD_PAYLOAD', 'event payload does not decode', { ...where, cause: err });
    }
  }

  /**
   * Runs `fn` with reads served from a read-ahead window of BATCH_READ_WINDOW_BYTES: many
   * reads in log order (a query reading thousands of records) then cost one system call
   * per window instead of two per record. The window lives only for the batch: every
   * location read in it was durable before the batch began, so the bytes it serves are
   * final, but bytes past them may be ones the writer has not written yet, and a later
   * read must not see them from an old window.
   */
  batch<T>(fn: () => T): T {
    this.batchDepth++;
    try {
      return fn();
    } finally {
      if (--this.batchDepth === 0) this.window = null;
    }
  }

  close(): void {
    for (const { fd } of this.open.values()) this.wfs.closeSync(fd);
    this.open.clear();
    this.window = null;
  }

  /**
   * The payload's bytes: inside a batch, a view of the read-ahead window (no copy; the
   * decoder copies binary values out, so nothing decoded aliases the window), else read.
   */
  private payloadBytes(segment: string, file: SegmentFile, lengthBytes: number, positionBytes: number): Buffer {
    if (this.batchDepth > 0 && lengthBytes <= BATCH_READ_WINDOW_BYTES) {
      const w = this.windowHolding(segment, file, lengthBytes, positionBytes);
      const from = positionBytes - w.startBytes;
      return w.buf.subarray(from, Math.min(from + lengthBytes, w.lengthBytes));
    }
    const payload = Buffer.allocUnsafe(lengthBytes);
    const got = readFully(this.wfs, file.fd, payload, 0, lengthBytes, positionBytes);
    return got < lengthBytes ? payload.subarray(0, got) : payload;
  }

  /** The read-ahead window, moved to hold `lengthBytes` at `positionBytes` when it does not. */
  private windowHolding(segment: string, file: SegmentFile, lengthBytes: number, positionBytes: number): ReadWindow {
    let w = this.window;
    if (w === null || w.segment !== segment || positionBytes < w.startBytes || positionBytes + lengthBytes > w.startBytes + w.lengthBytes) {
      const into = w?.buf ?? Buffer.allocUnsafe(BATCH_READ_WINDOW_BYTES);
      const wanted = Math.max(0, Math.min(BATCH_READ_WINDOW_BYTES, file.sizeBytes - positionBytes));
      const got = readFully(this.wfs, file.fd, into, 0, wanted, positionBytes);
      w = this.window = { segment, startBytes: positionBytes, lengthBytes: got, buf: into };
    }
    return w;
  }

  /** `lengthBytes` bytes at `positionBytes` into `buf`; fewer at the end of the file. */
  private readAt(segment: string, file: SegmentFile, buf: Buffer, lengthBytes: number, positionBytes: number): number {
    if (this.batchDepth === 0 || lengthBytes > BATCH_READ_WINDOW_BYTES) return readFully(this.wfs, file.fd, buf, 0, lengthBytes, positionBytes);
    const w = this.windowHolding(segment, file, lengthBytes, positionBytes);
    const from = positionBytes - w.startBytes;
    const n = Math.max(0, Math.min(lengthBytes, w.lengthBytes - from));
    w.buf.copy(buf, 0, from, from + n);
    return n;
  }

  private payloadDecoder(file: SegmentFile, offsetBytes: number): PayloadDecoder {
    const given = this.options.structures;
    if (given === undefined) return new PayloadDecoder(structuresBefore(this.wfs, file, offsetBytes));
    const table = typeof given === 'function' ? given() : given;
    if (!this.decoder || table.length !== this.decoderTableLength) {
      this.decoder = new PayloadDecoder(table);
      this.decoderTableLength = table.length;
    }
    return this.decoder;
  }

  private file(segment: string): SegmentFile {
    const cached = this.open.get(segment);
    if (cached) return cached;
    if (segment.includes('/') || segment.includes('\\')) throw new WalError('WAL_BAD_NAME', 'segment name with a path', { segment });
    if (this.open.size >= OPEN_SEGMENTS_MAX) {
      const [oldest, entry] = this.open.entries().next().value as [string, { fd: number }];
      this.wfs.closeSync(entry.fd);
      this.open.delete(oldest);
    }
    const fd = openRegularFile(this.wfs, path.join(this.dir, segment), 'r');
    let opened: SegmentFile;
    try {
      opened = { fd, sizeBytes: this.wfs.fstatSync(fd).size, formatVersion: this.formatVersionOf(segment, fd) };
    } catch (err) {
      this.wfs.closeSync(fd);
      throw err;
    }
    this.open.set(segment, opened);
    return opened;
  }

  /** The segment header's format version (it decides how event frames are laid out). */
  private formatVersionOf(segment: string, fd: number): number {
    const buf = Buffer.alloc(SEGMENT_HEADER_BYTES);
    const n = readFully(this.wfs, fd, buf, 0, SEGMENT_HEADER_BYTES, 0);
    const header = decodeHeader(buf.subarray(0, n));
    if (typeof header === 'string') throw new WalError('WAL_BAD_HEADER', HEADER_TEXT[header], { segment, offsetBytes: 0 });
    return header.formatVersion;
  }
}

/** One read, opening and closing the segment: for occasional use. */
export function readEventAt(
  dir: string,
  location: RecordLocation,
  options: PointReaderOptions & { expect?: { main: number; sub: number } } = {},
): unknown {
  const reader = new PointReader(dir, options);
  try {
    return reader.read(location, options.expect);
  } finally {
    reader.close();
  }
}

/** The structure table in force at `offsetBytes`, from the segment's own records. */
function structuresBefore(wfs: WalFileSystem, file: SegmentFile, offsetBytes: number): StructureTable {
  const decoder = new SegmentDecoder(wfs, file.fd, file.sizeBytes, 0, SEGMENT_HEADER_BYTES, file.formatVersion);
  let table: StructureTable = [];
  while (decoder.offsetBytes < offsetBytes) {
    const f = decoder.next(false);
    if (typeof f === 'string') break;
    if (f.type === RecordType.structures) table = decodeStructures(decoder.payload());
  }
  return table;
}
