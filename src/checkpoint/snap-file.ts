/**
 * The checkpoint file container: a fixed header, then an opaque body (msgpackr bytes).
 *
 *   offset size
 *    0      8  magic "ELVACKPT"
 *    8      4  u32 format version (1)
 *   12      4  u32 body length in bytes
 *   16      4  u32 CRC-32 of the body
 *   20      4  u32 flags: bit 0 = the body holds a compaction base
 *   24      4  zero (reserved)
 *   28      4  u32 CRC-32 of bytes 0..27
 *   32      …  body
 *
 * All integers little-endian. Written to `NAME.tmp` (mode 0600), fsync'd, renamed over
 * NAME, and the directory fsync'd: a reader sees a whole file or none. The CRC is checked
 * right after the bytes come back from disk, before anything decodes them.
 */
import path from 'node:path';
import { CHECKPOINT_BODY_BYTES_MAX } from '../limits.js';
import { crc32 } from '../wal/frame.js';
import { fsyncDirectory, openRegularFile, readFully, readRegularFile, writeFully, type WalFileSystem } from '../wal/file-system.js';
import { SnapshotError } from './errors.js';

export const SNAP_MAGIC = Buffer.from('ELVACKPT', 'latin1');
export const SNAP_FORMAT_VERSION = 1;
export const SNAP_HEADER_BYTES = 32;
export const SNAP_TMP_SUFFIX = '.tmp';

/** Header flag: the checkpoint carries a compaction base (see checkpoint-body.ts). */
export const SNAP_FLAG_BASE = 1;

export function encodeSnapHeader(body: Uint8Array, flags: number): Buffer {
  if (body.length > CHECKPOINT_BODY_BYTES_MAX) {
    throw new SnapshotError('SNAPSHOT_BAD_LENGTH', `checkpoint body of ${body.length} bytes is over ${CHECKPOINT_BODY_BYTES_MAX}`);
  }
  const h = Buffer.alloc(SNAP_HEADER_BYTES);
  SNAP_MAGIC.copy(h, 0);
  h.writeUInt32LE(SNAP_FORMAT_VERSION, 8);
  h.writeUInt32LE(body.length, 12);
  h.writeUInt32LE(crc32(body, 0), 16);
  h.writeUInt32LE(flags, 20);
  h.writeUInt32LE(crc32(h.subarray(0, 28), 0), 28);
  return h;
}

/** Writes `body` under `name` in `dir` durably (temp file, fsync, rename, directory fsync). */
export function writeSnapFile(wfs: WalFileSystem, dir: string, name: string, body: Uint8Array, flags: number): void {
  const header = encodeSnapHeader(body, flags);
  const tmp = path.join(dir, name + SNAP_TMP_SUFFIX);
  const bodyBuf = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  try {
    const fd = wfs.openSync(tmp, 'w', 0o600);
    try {
      writeFully(wfs, fd, header, 0, header.length, 0);
      writeFully(wfs, fd, bodyBuf, 0, bodyBuf.length, header.length);
      wfs.fsyncSync(fd);
    } finally {
      wfs.closeSync(fd);
    }
    wfs.chmodSync(tmp, 0o600); // open's mode is masked by umask and ignored for an existing file
    wfs.renameSync(tmp, path.join(dir, name));
    fsyncDirectory(wfs, dir);
  } catch (err) {
    if (err instanceof SnapshotError) throw err;
    throw new SnapshotError('SNAPSHOT_IO', `cannot write checkpoint: ${(err as Error).message}`, { file: name, cause: err });
  }
}

/** The verified body of the file `name` in `dir`; SnapshotError when it is damaged. */
export function readSnapFile(wfs: WalFileSystem, dir: string, name: string): Buffer {
  let bytes: Buffer;
  try {
    bytes = readRegularFile(wfs, path.join(dir, name), SNAP_HEADER_BYTES + CHECKPOINT_BODY_BYTES_MAX);
  } catch (err) {
    throw new SnapshotError('SNAPSHOT_IO', `cannot read checkpoint: ${(err as Error).message}`, { file: name, cause: err });
  }
  return verifySnapBytes(bytes, name);
}

/** The header flags of a checkpoint file, or null when its header is unreadable or bad. */
export function readSnapFlags(wfs: WalFileSystem, dir: string, name: string): number | null {
  let fd: number;
  try {
    fd = openRegularFile(wfs, path.join(dir, name), 'r');
  } catch {
    return null;
  }
  try {
    const h = Buffer.alloc(SNAP_HEADER_BYTES);
    if (readFully(wfs, fd, h, 0, h.length, 0) < h.length) return null;
    if (!h.subarray(0, 8).equals(SNAP_MAGIC) || crc32(h.subarray(0, 28), 0) !== h.readUInt32LE(28)) return null;
    return h.readUInt32LE(20);
  } finally {
    wfs.closeSync(fd);
  }
}

export function verifySnapBytes(bytes: Buffer, name: string): Buffer {
  const where = { file: name, offsetBytes: 0 };
  if (bytes.length < SNAP_HEADER_BYTES) throw new SnapshotError('SNAPSHOT_BAD_HEADER', 'file too short for a checkpoint header', where);
  if (!bytes.subarray(0, 8).equals(SNAP_MAGIC)) throw new SnapshotError('SNAPSHOT_BAD_HEADER', 'not an Elava checkpoint (bad magic)', where);
  if (crc32(bytes.subarray(0, 28), 0) !== bytes.readUInt32LE(28)) throw new SnapshotError('SNAPSHOT_BAD_HEADER', 'header CRC mismatch', where);
  const version = bytes.readUInt32LE(8);
  if (version !== SNAP_FORMAT_VERSION) throw new SnapshotError('SNAPSHOT_BAD_HEADER', `unsupported checkpoint format ${version}`, where);
  const bodyBytes = bytes.readUInt32LE(12);
  if (SNAP_HEADER_BYTES + bodyBytes !== bytes.length) {
    throw new SnapshotError('SNAPSHOT_BAD_LENGTH', `header says ${bodyBytes} body bytes, file holds ${bytes.length - SNAP_HEADER_BYTES}`, where);
  }
  const body = bytes.subarray(SNAP_HEADER_BYTES);
  if (crc32(body, 0) !== bytes.readUInt32LE(16)) {
    throw new SnapshotError('SNAPSHOT_CRC_MISMATCH', 'checkpoint body CRC mismatch', { file: name, offsetBytes: SNAP_HEADER_BYTES });
  }
  return body;
}
