/**
 * Opening a segment file and checking its header against its name. A header that does
 * not parse, or that disagrees with the file name, is corruption wherever it is.
 */
import path from 'node:path';
import { SEGMENT_HEADER_BYTES } from '../limits.js';
import { WalError } from './errors.js';
import { decodeHeader, type SegmentHeader } from './frame.js';
import { openRegularFile, readFully, type WalFileSystem } from './file-system.js';
import { orderSegments, type SegmentName } from './segment-name.js';

export interface OpenSegment {
  name: string;
  fd: number;
  sizeBytes: number;
  header: SegmentHeader;
}

/** What each header problem means, in words (shared with wal-dump). */
export const HEADER_TEXT = {
  short: 'file too short for a segment header',
  magic: 'not an Elava segment (bad magic)',
  crc: 'segment header CRC mismatch',
  version: 'unsupported segment format version',
} as const;

export function openSegment(wfs: WalFileSystem, dir: string, seg: SegmentName, flags: 'r' | 'r+' = 'r'): OpenSegment {
  const fd = openRegularFile(wfs, path.join(dir, seg.name), flags);
  try {
    const sizeBytes = wfs.fstatSync(fd).size;
    const buf = Buffer.alloc(SEGMENT_HEADER_BYTES);
    readFully(wfs, fd, buf, 0, Math.min(SEGMENT_HEADER_BYTES, sizeBytes), 0);
    const header = decodeHeader(sizeBytes < SEGMENT_HEADER_BYTES ? buf.subarray(0, sizeBytes) : buf);
    if (typeof header === 'string') {
      throw new WalError('WAL_BAD_HEADER', HEADER_TEXT[header], { segment: seg.name, offsetBytes: 0 });
    }
    if (header.sequence !== seg.sequence || header.firstMain !== seg.firstMain) {
      throw new WalError(
        'WAL_BAD_HEADER',
        `header says sequence ${header.sequence}, first revision ${header.firstMain}; the file name says ${seg.sequence}, ${seg.firstMain}`,
        { segment: seg.name, offsetBytes: 0 },
      );
    }
    return { name: seg.name, fd, sizeBytes, header };
  } catch (err) {
    wfs.closeSync(fd);
    throw err;
  }
}

/** The segments in `dir`, ordered and checked for gaps. */
export function listSegments(wfs: WalFileSystem, dir: string): SegmentName[] {
  let names: string[];
  try {
    names = wfs.readdirSync(dir);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'ENOENT') throw new WalError('WAL_NOT_FOUND', `log directory ${dir} does not exist`, { cause: err });
    throw new WalError('WAL_IO', `cannot list log directory ${dir}: ${String((err as Error).message)}`, { cause: err });
  }
  return orderSegments(names);
}
