/**
 * Opening a log directory for appending, in two steps so that the log is read once:
 *
 *   begin():  the directory, the writer lock, stale temporaries removed, the first segment
 *             created when there is none. Nothing of the log has been read yet.
 *   reader(): the one LogReader of the open. The writer's own open drains it without
 *             decoding (verification only); the Store instead replays it into the
 *             projections from a checkpoint on, so verification and recovery are one pass.
 *   finish(): once that reader is drained, its tail says where the last whole commit ends:
 *             a torn tail is repaired (the only cut an open ever makes; damage has already
 *             thrown from the reader), and the writer is positioned after it.
 *
 * Invariant: finish() takes only a reader that ran to the end of the log under this
 * opening's lock, so the tail it positions at is the log's real end.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import type { Logger } from 'pino';
import { BROKEN_COPIES_KEPT } from '../limits.js';
import { pruneBrokenCopies } from './broken-copies.js';
import type { StructureTable } from './codec.js';
import { WalError, errnoCode } from './errors.js';
import { fsyncDirectory, writeFully, type WalFileSystem } from './file-system.js';
import { encodeHeader } from './frame.js';
import { acquireLock, type DirectoryLock } from './lock.js';
import { LogReader } from './reader.js';
import { repairTail, type RepairResult } from './repair.js';
import { listSegments, openSegment } from './segment.js';
import { TMP_SUFFIX, segmentFileName } from './segment-name.js';
import { SegmentPreparer } from './segment-preparer.js';

export interface OpenParams {
  dir: string;
  create: boolean;
  segmentSizeBytes: number;
  /** Commits up to this main are known durable (a checkpoint covers them): never torn. */
  knownDurableMain: number;
  brokenCopiesKept?: number;
  logger?: Logger;
}

/** What the writer starts from. */
export interface WalInit {
  lock: DirectoryLock;
  preparer: SegmentPreparer;
  repaired: RepairResult | null;
  fd: number;
  segment: string;
  sequence: number;
  sizeBytes: number;
  offsetBytes: number;
  crc: number;
  lastMain: number;
  segmentCount: number;
  structures: StructureTable;
  /** Format version of the last segment (appends continue in it). */
  formatVersion: number;
  /** fdatasyncs the open itself made (first segment), for the writer's histogram. */
  setupSyncSeconds: number[];
}

export class WalOpening {
  private finished = false;
  private readonly setupSyncSeconds: number[] = [];

  private constructor(
    readonly params: OpenParams,
    private readonly wfs: WalFileSystem,
    private readonly lock: DirectoryLock,
    private readonly preparer: SegmentPreparer,
  ) {}

  /** Takes the directory and its lock. Throws WalError; holds nothing when it throws. */
  static begin(params: OpenParams, wfs: WalFileSystem): WalOpening {
    ensureDirectory(wfs, params.dir, params.create);
    const lock = acquireLock(wfs, params.dir);
    try {
      removeStaleTemporaries(wfs, params.dir);
      const preparer = new SegmentPreparer(wfs, params.dir, params.segmentSizeBytes);
      const opening = new WalOpening(params, wfs, lock, preparer);
      if (listSegments(wfs, params.dir).length === 0) opening.createFirstSegment();
      return opening;
    } catch (err) {
      lock.release();
      throw err;
    }
  }

  /** The open's one reader, from `fromMain` on (earlier commits of its segment verified). */
  reader(fromMain: number, options: { decode: boolean; emit: boolean; payloads?: 'eager' | 'on-demand' }): LogReader {
    assert.ok(!this.finished, 'reader() before finish()');
    return new LogReader(this.params.dir, {
      fs: this.wfs, decode: options.decode, emit: options.emit, fromMain, payloads: options.payloads ?? 'eager',
      knownDurableMain: this.params.knownDurableMain,
    });
  }

  /** Repairs a torn tail the drained `reader` found and returns where the writer starts. */
  finish(reader: LogReader, structures: StructureTable): WalInit {
    assert.ok(!this.finished, 'finish() once');
    this.finished = true;
    const { dir, logger } = this.params;
    const segments = listSegments(this.wfs, dir);
    const last = segments[segments.length - 1]!;
    const tail = reader.tail;
    assert.equal(tail.segment, last.name, 'the reader ran to the end of the log');
    assert.ok(tail.damage === null, 'a writer never opens past damage');
    const { fd, sizeBytes, header } = openSegment(this.wfs, dir, last, 'r+');
    assert.ok(tail.lastCommitEndBytes <= sizeBytes, 'the last commit ends inside its segment');
    let repaired: RepairResult = { zeroedBytes: 0, brokenCopy: null };
    if (tail.torn !== null) {
      repaired = repairTail(this.wfs, dir, last.name, fd, tail.lastCommitEndBytes, sizeBytes);
      logger?.warn({
        segment: last.name, cutAtBytes: tail.lastCommitEndBytes, lastMain: tail.lastMain,
        zeroedBytes: repaired.zeroedBytes, copy: repaired.brokenCopy, evidence: tail.torn.evidence,
      }, 'repaired a torn tail in the last log segment (a write that never finished; every acknowledged commit kept)');
    }
    pruneBrokenCopies(this.wfs, dir, this.params.brokenCopiesKept ?? BROKEN_COPIES_KEPT);
    return {
      lock: this.lock, preparer: this.preparer, fd, sizeBytes,
      repaired: repaired.brokenCopy ? repaired : null,
      segment: last.name, sequence: last.sequence,
      offsetBytes: tail.lastCommitEndBytes, crc: tail.crc, lastMain: tail.lastMain,
      segmentCount: segments.length,
      structures,
      formatVersion: header.formatVersion,
      setupSyncSeconds: this.setupSyncSeconds,
    };
  }

  /** Gives the lock back when the open is abandoned (damage, a failed recovery). */
  abort(): void {
    if (this.finished) return;
    this.finished = true;
    this.preparer.close();
    this.lock.release();
  }

  private createFirstSegment(): void {
    const { dir } = this.params;
    const prepared = this.preparer.take(0);
    const header = encodeHeader({ sequence: 0, firstMain: 1, prevCrc: 0 });
    writeFully(this.wfs, prepared.fd, header, 0, header.length, 0);
    const t0 = process.hrtime.bigint();
    this.wfs.fdatasyncSync(prepared.fd);
    this.setupSyncSeconds.push(Number(process.hrtime.bigint() - t0) / 1e9);
    this.wfs.closeSync(prepared.fd);
    this.wfs.renameSync(prepared.tmpPath, path.join(dir, segmentFileName(0, 1)));
    fsyncDirectory(this.wfs, dir);
  }
}

function ensureDirectory(wfs: WalFileSystem, dir: string, create: boolean): void {
  try {
    if (!wfs.statSync(dir).isDirectory()) throw new WalError('WAL_IO', `${dir} is not a directory`);
    return;
  } catch (err) {
    if (err instanceof WalError) throw err;
    if (errnoCode(err) !== 'ENOENT') throw new WalError('WAL_IO', `cannot access ${dir}: ${(err as Error).message}`, { cause: err });
  }
  if (!create) throw new WalError('WAL_NOT_FOUND', `log directory ${dir} does not exist`);
  wfs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  fsyncDirectory(wfs, path.dirname(path.resolve(dir)));
}

function removeStaleTemporaries(wfs: WalFileSystem, dir: string): void {
  for (const name of wfs.readdirSync(dir)) {
    if (name.endsWith(TMP_SUFFIX)) wfs.unlinkSync(path.join(dir, name));
  }
}
