/**
 * Reading one event back by its location (segment, byte offset), as the key index does
 * to serve history from disk. The frame's bounds, type and revision are checked; its
 * chained CRC is not (the seed is the previous record's), since replay verified it.
 * Decoding needs the structure table: pass the newest one a reader saw (it decodes every
 * earlier record), or the segment's own structures records up to the event are used.
 */
import path from 'node:path';
import { RECORD_SIZE_BYTES_MAX } from '../limits.js';
import { PayloadDecoder, decodeStructures, type StructureTable } from './codec.js';
import { SegmentDecoder } from './decoder.js';
import { WalError } from './errors.js';
import { nodeFileSystem, readFully, type WalFileSystem } from './file-system.js';
import { FRAME_HEAD_BYTES, RECORD_BODY_HEAD_BYTES, RecordType, readU64 } from './frame.js';
import type { RecordLocation } from './types.js';

export interface ReadAtOptions {
  fs?: WalFileSystem;
  /** The revision the caller expects there; a mismatch is an error. */
  expect?: { main: number; sub: number };
  /** The newest structure table known to the caller (LogReader.structures). */
  structures?: StructureTable;
}

export function readEventAt(dir: string, location: RecordLocation, options: ReadAtOptions = {}): unknown {
  const wfs = options.fs ?? nodeFileSystem;
  const where = { segment: location.segment, offsetBytes: location.offsetBytes };
  const fd = wfs.openSync(path.join(dir, location.segment), 'r');
  try {
    const sizeBytes = wfs.fstatSync(fd).size;
    const head = Buffer.alloc(FRAME_HEAD_BYTES + RECORD_BODY_HEAD_BYTES);
    if (readFully(wfs, fd, head, 0, head.length, location.offsetBytes) < head.length) {
      throw new WalError('WAL_RECORD_PAST_END', 'no record at this location', where);
    }
    const bodyBytes = head.readUInt32LE(0);
    if (bodyBytes < RECORD_BODY_HEAD_BYTES || bodyBytes > RECORD_SIZE_BYTES_MAX) {
      throw new WalError('WAL_BAD_RECORD', `record length ${bodyBytes} is out of bounds`, where);
    }
    if (location.offsetBytes + FRAME_HEAD_BYTES + bodyBytes > sizeBytes) {
      throw new WalError('WAL_RECORD_PAST_END', 'record length points past the end of the file', where);
    }
    const main = readU64(head, FRAME_HEAD_BYTES + 8);
    const sub = head.readUInt32LE(FRAME_HEAD_BYTES + 4);
    if (head[FRAME_HEAD_BYTES] !== RecordType.event) throw new WalError('WAL_BAD_RECORD', 'not an event record', where);
    if (options.expect && (options.expect.main !== main || options.expect.sub !== sub)) {
      throw new WalError('WAL_BAD_RECORD', `expected event ${options.expect.main}.${options.expect.sub}, found ${main}.${sub}`, where);
    }
    const payload = Buffer.alloc(bodyBytes - RECORD_BODY_HEAD_BYTES);
    readFully(wfs, fd, payload, 0, payload.length, location.offsetBytes + FRAME_HEAD_BYTES + RECORD_BODY_HEAD_BYTES);
    try {
      const table = options.structures ?? structuresBefore(wfs, fd, sizeBytes, location.offsetBytes);
      return new PayloadDecoder(table).decode(payload);
    } catch (err) {
      throw new WalError('WAL_BAD_PAYLOAD', 'event payload does not decode', { ...where, cause: err });
    }
  } finally {
    wfs.closeSync(fd);
  }
}

/** The structure table in force at `offsetBytes`, from the segment's own records. */
function structuresBefore(wfs: WalFileSystem, fd: number, sizeBytes: number, offsetBytes: number): StructureTable {
  const decoder = new SegmentDecoder(wfs, fd, sizeBytes, 0);
  let table: StructureTable = [];
  while (decoder.offsetBytes < offsetBytes) {
    const f = decoder.next(false);
    if (typeof f === 'string') break;
    if (f.type === RecordType.structures) table = decodeStructures(decoder.payload());
  }
  return table;
}
