/**
 * The checkpoint file container: a fixed header, then opaque parts (msgpackr bytes that
 * checkpoint-body.ts gives meaning to).
 *
 * Format 2 (written since 2026-12): the parts back to back, then a table of them.
 *
 *   offset size
 *    0      8  magic "ELVACKPT"
 *    8      4  u32 format version (2)
 *   12      4  u32 number of parts
 *   16      4  u32 CRC-32 of the part table
 *   20      4  u32 flags: bit 0 = the checkpoint holds a compaction base
 *   24      4  zero (reserved)
 *   28      4  u32 CRC-32 of bytes 0..27
 *   32      …  the parts, back to back
 *   end-8n  8n the part table: per part, u32 length and u32 CRC-32 of its bytes
 *
 * A part is read, and its CRC checked, only when it is needed, into one buffer reused for
 * every part: restoring a million-resource checkpoint never holds its whole file in memory
 * (on this project's build VM the first touch of fresh memory costs ~2.8 s per GiB, and the
 * whole-file read of a 636 MB checkpoint took 1.8 s of a restart where reading into a
 * reused buffer takes 0.06 s).
 *
 * Format 1 (read, no longer written): one body after the header, whose length and CRC are
 * the header's words 12 and 16; it reads as a file of one part.
 *
 * All integers little-endian. Written to `NAME.tmp` (mode 0600), fsync'd, renamed over
 * NAME, and the directory fsync'd: a reader sees a whole file or none. Nothing decodes a
 * part before its CRC has been checked.
 */
import path from 'node:path';
import { CHECKPOINT_BODY_BYTES_MAX, CHECKPOINT_PART_BYTES_MAX, CHECKPOINT_PARTS_MAX } from '../limits.js';
import { crc32 } from '../wal/frame.js';
import { fsyncDirectory, openRegularFile, readFully, writeFully, type WalFileSystem } from '../wal/file-system.js';
import { SnapshotError } from './errors.js';

export const SNAP_MAGIC = Buffer.from('ELVACKPT', 'latin1');
export const SNAP_FORMAT_VERSION = 2;
/** The first format: one body, read whole (kept readable for checkpoints written before). */
export const SNAP_FORMAT_VERSION_ONE_BODY = 1;
export const SNAP_HEADER_BYTES = 32;
export const SNAP_TMP_SUFFIX = '.tmp';
const TABLE_ENTRY_BYTES = 8;

/** Header flag: the checkpoint carries a compaction base (see checkpoint-body.ts). */
export const SNAP_FLAG_BASE = 1;

function encodeHeader(version: number, word12: number, word16: number, flags: number): Buffer {
  const h = Buffer.alloc(SNAP_HEADER_BYTES);
  SNAP_MAGIC.copy(h, 0);
  h.writeUInt32LE(version, 8);
  h.writeUInt32LE(word12, 12);
  h.writeUInt32LE(word16, 16);
  h.writeUInt32LE(flags, 20);
  h.writeUInt32LE(crc32(h.subarray(0, 28), 0), 28);
  return h;
}

/**
 * Writes a checkpoint file part by part: each part goes to disk as it is added, so the
 * writer holds one encoded part at a time. `finish` makes it durable under its name;
 * `abandon` removes the temporary file (after a failure).
 */
export class SnapWriter {
  private readonly tmp: string;
  private fd: number | null;
  private position = SNAP_HEADER_BYTES;
  private readonly table: number[] = [];

  constructor(
    private readonly wfs: WalFileSystem,
    private readonly dir: string,
    private readonly name: string,
  ) {
    this.tmp = path.join(dir, name + SNAP_TMP_SUFFIX);
    this.fd = io(name, () => wfs.openSync(this.tmp, 'w', 0o600));
  }

  /** Appends one part; returns its index. */
  add(bytes: Uint8Array): number {
    const fd = this.open();
    if (bytes.length > CHECKPOINT_PART_BYTES_MAX) {
      throw new SnapshotError('SNAPSHOT_BAD_LENGTH', `checkpoint part of ${bytes.length} bytes is over ${CHECKPOINT_PART_BYTES_MAX}`, { file: this.name });
    }
    if (this.table.length / 2 >= CHECKPOINT_PARTS_MAX) {
      throw new SnapshotError('SNAPSHOT_BAD_LENGTH', `checkpoint of more than ${CHECKPOINT_PARTS_MAX} parts`, { file: this.name });
    }
    const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    // Each part flushed as it is written: the fsync in finish() then has little left, so
    // no one call waits for a whole checkpoint (600 MB at 1 M resources: ~0.35 s) to reach
    // the disk while the event loop stands.
    io(this.name, () => {
      writeFully(this.wfs, fd, buf, 0, buf.length, this.position);
      this.wfs.fdatasyncSync(fd);
    });
    this.position += buf.length;
    this.table.push(buf.length, crc32(buf, 0));
    return this.table.length / 2 - 1;
  }

  /**
   * Writes the part table and header, fsyncs, renames over the name, fsyncs the
   * directory; returns the file's size in bytes.
   */
  finish(flags: number): number {
    const fd = this.open();
    const table = Buffer.alloc(this.table.length * 4);
    this.table.forEach((v, i) => table.writeUInt32LE(v, i * 4));
    const header = encodeHeader(SNAP_FORMAT_VERSION, this.table.length / 2, crc32(table, 0), flags);
    io(this.name, () => {
      writeFully(this.wfs, fd, table, 0, table.length, this.position);
      writeFully(this.wfs, fd, header, 0, header.length, 0);
      this.wfs.fsyncSync(fd);
    });
    this.closeFd();
    io(this.name, () => {
      this.wfs.chmodSync(this.tmp, 0o600); // open's mode is masked by umask and ignored for an existing file
      this.wfs.renameSync(this.tmp, path.join(this.dir, this.name));
      fsyncDirectory(this.wfs, this.dir);
    });
    return this.position + table.length;
  }

  /** Closes and removes the temporary file (best effort: the next checkpoint overwrites it). */
  abandon(): void {
    this.closeFd();
    try {
      this.wfs.unlinkSync(this.tmp);
    } catch {
      // already gone, or the disk refuses: a stale .tmp is never read
    }
  }

  private open(): number {
    if (this.fd === null) throw new Error('checkpoint writer already finished');
    return this.fd;
  }

  private closeFd(): void {
    if (this.fd === null) return;
    const fd = this.fd;
    this.fd = null;
    io(this.name, () => this.wfs.closeSync(fd));
  }
}

/**
 * An open checkpoint file whose header and part table are verified. `part(i)` reads one
 * part and checks its CRC; the bytes it returns are valid until the next `part` call (one
 * buffer serves every part). Holds the file open until `close` (a checkpoint pruned
 * meanwhile stays readable).
 */
export class SnapReader {
  readonly version: number;
  readonly flags: number;
  readonly sizeBytes: number;
  private readonly lengths: number[] = [];
  private readonly crcs: number[] = [];
  private readonly offsets: number[] = [];
  private buffer = Buffer.alloc(0);
  private fd: number | null;

  private constructor(
    private readonly wfs: WalFileSystem,
    readonly name: string,
    fd: number,
  ) {
    this.fd = fd;
    const size = io(name, () => wfs.fstatSync(fd).size);
    this.sizeBytes = size;
    const h = Buffer.alloc(SNAP_HEADER_BYTES);
    const got = io(name, () => readFully(wfs, fd, h, 0, h.length, 0));
    const where = { file: name, offsetBytes: 0 };
    if (got < SNAP_HEADER_BYTES) throw new SnapshotError('SNAPSHOT_BAD_HEADER', 'file too short for a checkpoint header', where);
    if (!h.subarray(0, 8).equals(SNAP_MAGIC)) throw new SnapshotError('SNAPSHOT_BAD_HEADER', 'not an Elava checkpoint (bad magic)', where);
    if (crc32(h.subarray(0, 28), 0) !== h.readUInt32LE(28)) throw new SnapshotError('SNAPSHOT_BAD_HEADER', 'header CRC mismatch', where);
    this.version = h.readUInt32LE(8);
    this.flags = h.readUInt32LE(20);
    if (this.version === SNAP_FORMAT_VERSION_ONE_BODY) {
      const bodyBytes = h.readUInt32LE(12);
      if (bodyBytes > CHECKPOINT_BODY_BYTES_MAX || SNAP_HEADER_BYTES + bodyBytes !== size) {
        throw new SnapshotError('SNAPSHOT_BAD_LENGTH', `header says ${bodyBytes} body bytes, file holds ${size - SNAP_HEADER_BYTES}`, where);
      }
      this.push(bodyBytes, h.readUInt32LE(16), SNAP_HEADER_BYTES);
    } else if (this.version === SNAP_FORMAT_VERSION) {
      this.readTable(size, h.readUInt32LE(12), h.readUInt32LE(16));
    } else {
      throw new SnapshotError('SNAPSHOT_BAD_HEADER', `unsupported checkpoint format ${this.version}`, where);
    }
  }

  /** Opens `name` in `dir`; SnapshotError when its header or table is damaged (SNAPSHOT_IO: unreadable). */
  static open(wfs: WalFileSystem, dir: string, name: string): SnapReader {
    const fd = io(name, () => openRegularFile(wfs, path.join(dir, name), 'r'));
    try {
      return new SnapReader(wfs, name, fd);
    } catch (err) {
      wfs.closeSync(fd);
      throw err;
    }
  }

  get partCount(): number {
    return this.lengths.length;
  }

  /** The largest part's length (what a reader's buffer grows to). */
  get largestPartBytes(): number {
    return this.lengths.reduce((a, b) => Math.max(a, b), 0);
  }

  /** File bytes before part `index` (progress through the file). */
  offsetOf(index: number): number {
    return this.offsets[index] ?? this.offsets.length;
  }

  /** Part `index`, its CRC checked; valid until the next call (see the class comment). */
  part(index: number): Buffer {
    const length = this.lengths[index];
    if (length === undefined) throw new SnapshotError('SNAPSHOT_BAD_BODY', `no part ${index} (the file has ${this.partCount})`, { file: this.name });
    if (this.fd === null) throw new Error(`checkpoint ${this.name} already closed`);
    const fd = this.fd;
    if (this.buffer.length < length) this.buffer = Buffer.allocUnsafe(Math.max(length, Math.min(this.largestPartBytes, this.buffer.length * 2)));
    const offset = this.offsets[index] as number;
    const got = io(this.name, () => readFully(this.wfs, fd, this.buffer, 0, length, offset));
    const where = { file: this.name, offsetBytes: offset };
    if (got < length) throw new SnapshotError('SNAPSHOT_BAD_LENGTH', `part ${index} ends past the end of the file`, where);
    const bytes = this.buffer.subarray(0, length);
    if (crc32(bytes, 0) !== this.crcs[index]) throw new SnapshotError('SNAPSHOT_CRC_MISMATCH', `checkpoint part ${index} CRC mismatch`, where);
    return bytes;
  }

  close(): void {
    if (this.fd === null) return;
    const fd = this.fd;
    this.fd = null;
    this.buffer = Buffer.alloc(0);
    this.wfs.closeSync(fd);
  }

  private readTable(size: number, count: number, tableCrc: number): void {
    const where = { file: this.name, offsetBytes: 0 };
    if (count > CHECKPOINT_PARTS_MAX) throw new SnapshotError('SNAPSHOT_BAD_LENGTH', `header says ${count} parts, over ${CHECKPOINT_PARTS_MAX}`, where);
    const tableBytes = count * TABLE_ENTRY_BYTES;
    if (size < SNAP_HEADER_BYTES + tableBytes) throw new SnapshotError('SNAPSHOT_BAD_LENGTH', `file too short for a table of ${count} parts`, where);
    const table = Buffer.alloc(tableBytes);
    const fd = this.fd as number;
    io(this.name, () => readFully(this.wfs, fd, table, 0, tableBytes, size - tableBytes));
    if (crc32(table, 0) !== tableCrc) {
      throw new SnapshotError('SNAPSHOT_CRC_MISMATCH', 'checkpoint part table CRC mismatch', { file: this.name, offsetBytes: size - tableBytes });
    }
    let offset = SNAP_HEADER_BYTES;
    for (let i = 0; i < count; i++) {
      const length = table.readUInt32LE(i * TABLE_ENTRY_BYTES);
      if (length > CHECKPOINT_PART_BYTES_MAX) throw new SnapshotError('SNAPSHOT_BAD_LENGTH', `part ${i} of ${length} bytes is over ${CHECKPOINT_PART_BYTES_MAX}`, where);
      this.push(length, table.readUInt32LE(i * TABLE_ENTRY_BYTES + 4), offset);
      offset += length;
    }
    if (offset + tableBytes !== size) {
      throw new SnapshotError('SNAPSHOT_BAD_LENGTH', `parts and table take ${offset + tableBytes} bytes, the file holds ${size}`, where);
    }
  }

  private push(length: number, crc: number, offset: number): void {
    this.lengths.push(length);
    this.crcs.push(crc);
    this.offsets.push(offset);
  }
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

/** Runs a file-system call, turning its failure into SNAPSHOT_IO (SnapshotErrors pass). */
function io<T>(file: string, call: () => T): T {
  try {
    return call();
  } catch (err) {
    if (err instanceof SnapshotError) throw err;
    throw new SnapshotError('SNAPSHOT_IO', `checkpoint ${file}: ${(err as Error).message}`, { file, cause: err });
  }
}
