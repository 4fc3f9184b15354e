/**
 * The log writer. Invariants:
 * - Only this process appends to the directory (LOCK), and only at the end of the last
 *   segment; nothing before `offsetBytes` is ever rewritten except by repair at open.
 * - append() resolves only after its bytes are fdatasync'd. Appends made in the same turn
 *   of the event loop go out together in one write + fdatasync (group commit; the I/O is
 *   synchronous, so nothing can queue while a write runs).
 * - A commit lies wholly within one segment; a segment grows past the configured size
 *   only to hold one commit larger than a segment.
 * - After any failed write or fdatasync the writer is fenced: it acknowledges nothing
 *   more, and recovery is by reopening (fsyncgate: the kernel may have dropped the pages).
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import type { Logger } from 'pino';
import { BROKEN_COPIES_KEPT, BATCH_BUFFER_BYTES_KEEP, FSYNC_WARN_MS, APPEND_QUEUE_COMMITS_MAX, SEGMENT_HEADER_BYTES, SEGMENT_SIZE_BYTES, SEGMENT_SIZE_BYTES_MIN } from '../limits.js';
import { pruneBrokenCopies } from './broken-copies.js';
import { BatchEncoder, type EncoderMark } from './encoder.js';
import type { StructureTable } from './codec.js';
import { WalError, errnoCode } from './errors.js';
import { fsyncDirectory, nodeFileSystem, openRegularFile, writeFully, type WalFileSystem } from './file-system.js';
import { encodeHeader } from './frame.js';
import { acquireLock, type DirectoryLock } from './lock.js';
import { FsyncHistogram } from './metrics.js';
import { LogReader } from './reader.js';
import { repairTail, type RepairResult } from './repair.js';
import { listSegments } from './segment.js';
import { TMP_SUFFIX, segmentFileName } from './segment-name.js';
import { PREPARED_NAME, SegmentPreparer } from './segment-preparer.js';
import type { Commit, CommitPlacement } from './types.js';

export interface WalOptions {
  dir: string;
  /** Create the directory (0700) if it does not exist. Default false. */
  create?: boolean;
  segmentSizeBytes?: number;
  fsyncWarnMs?: number;
  /** Verify every segment's CRC chain on open ('all', default) or only the last one. */
  verify?: 'all' | 'last';
  /**
   * Every commit up to this main is known durable by other means (a checkpoint covers it):
   * damage that a cut would take below it is corruption, never a torn tail. Default 0.
   */
  knownDurableMain?: number;
  /** `.broken` copies of repaired segments kept (the newest ones). Default BROKEN_COPIES_KEPT. */
  brokenCopiesKept?: number;
  fs?: WalFileSystem;
  logger?: Logger;
}

interface Pending {
  commit: Commit;
  resolve: (placement: CommitPlacement) => void;
  reject: (err: Error) => void;
}

export interface WalStats {
  segments: number;
  currentSegment: string;
  offsetBytes: number;
  lastMain: number;
  commitsAppended: number;
  eventsAppended: number;
  bytesAppended: number;
  fsyncs: number;
}

export class Wal {
  readonly dir: string;
  readonly fsyncHistogram = new FsyncHistogram();
  /** fdatasync of the next segment's zero fill, in the background (kept apart from commits). */
  readonly prepareFsyncHistogram = new FsyncHistogram();
  /** What repair did at open (null when the tail was clean). */
  readonly repaired: RepairResult | null;
  private readonly wfs: WalFileSystem;
  private readonly fsyncWarnMs: number;
  private readonly logger: Logger | undefined;
  private readonly lock: DirectoryLock;
  private readonly preparer: SegmentPreparer;
  private readonly encoder: BatchEncoder;
  private fd: number;
  private segment: string;
  private sequence: number;
  private segmentEndBytes: number;
  private offsetBytes: number;
  private crc: number;
  /** Structure-table entries described by records on disk. */
  private loggedStructures: number;
  private durableMain: number;
  private queuedMain: number;
  private queue: Pending[] = [];
  private flushScheduled = false;
  private fenced: WalError | null = null;
  private closed = false;
  private segmentCount: number;
  private counters = { commits: 0, events: 0, bytes: 0 };

  private constructor(o: Required<Pick<WalOptions, 'dir'>> & WalOptions, init: WalInit) {
    this.dir = o.dir;
    this.wfs = o.fs ?? nodeFileSystem;
    this.fsyncWarnMs = o.fsyncWarnMs ?? FSYNC_WARN_MS;
    this.logger = o.logger;
    this.lock = init.lock;
    this.preparer = init.preparer;
    this.repaired = init.repaired;
    this.fd = init.fd;
    this.segment = init.segment;
    this.sequence = init.sequence;
    this.segmentEndBytes = init.sizeBytes;
    this.offsetBytes = init.offsetBytes;
    this.crc = init.crc;
    this.durableMain = init.lastMain;
    this.queuedMain = init.lastMain;
    this.segmentCount = init.segmentCount;
    this.loggedStructures = init.structures.length;
    this.encoder = new BatchEncoder(init.crc, init.structures);
    this.preparer.observeSync = (seconds) => this.observeSync(this.prepareFsyncHistogram, seconds, PREPARED_NAME);
    this.preparer.start();
  }

  /**
   * Opens the directory for appending: takes the lock, verifies the segments, repairs a
   * torn tail in the last one, and positions after the last whole commit.
   */
  static open(options: WalOptions): Wal {
    const segmentSizeBytes = options.segmentSizeBytes ?? SEGMENT_SIZE_BYTES;
    assert.ok(Number.isSafeInteger(segmentSizeBytes) && segmentSizeBytes >= SEGMENT_SIZE_BYTES_MIN, 'segment size too small');
    assert.ok(segmentSizeBytes % 4096 === 0, 'segment size must be a multiple of 4096');
    const init = openForAppend({ ...options, segmentSizeBytes }, options.fs ?? nodeFileSystem);
    return new Wal({ ...options, segmentSizeBytes }, init);
  }

  /** The last revision main that is durable. */
  get lastMain(): number {
    return this.durableMain;
  }

  /** The revision main the next append should carry. */
  get nextMain(): number {
    return this.queuedMain + 1;
  }

  /** The payload structure table as it stands: decodes every record of this log. */
  get structures(): StructureTable {
    return this.encoder.structures;
  }

  get isFenced(): boolean {
    return this.fenced !== null;
  }

  stats(): WalStats {
    return {
      segments: this.segmentCount,
      currentSegment: this.segment,
      offsetBytes: this.offsetBytes,
      lastMain: this.durableMain,
      commitsAppended: this.counters.commits,
      eventsAppended: this.counters.events,
      bytesAppended: this.counters.bytes,
      fsyncs: this.fsyncHistogram.count,
    };
  }

  /**
   * Appends one commit; resolves once it is fdatasync'd, with where its records landed.
   * `commit.main` must exceed every earlier one.
   */
  append(commit: Commit): Promise<CommitPlacement> {
    if (this.fenced) return Promise.reject(this.fenced);
    if (this.closed) return Promise.reject(new WalError('WAL_CLOSED', 'append after close'));
    if (!(commit.main > this.queuedMain)) assert.fail(`commit main ${commit.main} must be greater than ${this.queuedMain}`);
    if (this.queue.length >= APPEND_QUEUE_COMMITS_MAX) {
      return Promise.reject(new WalError('WAL_QUEUE_FULL', `over ${APPEND_QUEUE_COMMITS_MAX} commits waiting`));
    }
    this.queuedMain = commit.main;
    return new Promise<CommitPlacement>((resolve, reject) => {
      this.queue.push({ commit, resolve, reject });
      if (!this.flushScheduled) {
        // A microtask, not setImmediate: it runs after every append already queued in this
        // turn (group commit) without waiting for a loop iteration (batch-1 latency).
        this.flushScheduled = true;
        queueMicrotask(() => this.flush());
      }
    });
  }

  /** Waits for queued appends, then closes files and releases the lock. */
  async close(): Promise<void> {
    if (this.closed) return;
    while (this.queue.length > 0 && !this.fenced) {
      await new Promise<void>((r) => setImmediate(r));
    }
    this.closed = true;
    for (const p of this.queue.splice(0)) p.reject(this.fenced ?? new WalError('WAL_CLOSED', 'log closed'));
    this.preparer.close();
    this.wfs.closeSync(this.fd);
    this.lock.release();
  }

  private flush(): void {
    this.flushScheduled = false;
    const batch = this.queue.splice(0);
    let run: EncodedCommit[] = [];
    this.encoder.rewind(this.diskMark());
    for (const pending of batch) {
      if (this.fenced) {
        pending.reject(this.fenced);
        continue;
      }
      const before = run.at(-1)?.mark ?? this.diskMark();
      let offsets: number[];
      try {
        offsets = this.encoder.encodeCommit(pending.commit);
      } catch (err) {
        pending.reject(err as Error);
        continue;
      }
      if (this.offsetBytes + this.encoder.lengthBytes <= this.segmentEndBytes) {
        run.push({ pending, mark: this.encoder.mark(), offsets });
        continue;
      }
      // It does not fit: write what came before, then encode it again in a new segment.
      const commitBytes = this.encoder.lengthBytes - before.lengthBytes;
      this.encoder.rewind(before);
      const written = this.writeAndSync(run);
      run = [];
      const rolled = written && this.roll(pending.commit.main, commitBytes + this.encoder.structureSnapshotBytes());
      // The batch buffer now starts where the disk ends (the run is written, or rejected).
      this.encoder.rewind(this.diskMark());
      if (!rolled) {
        pending.reject(this.fenced ?? this.rollError);
        continue;
      }
      this.encoder.encodeStructureSnapshot();
      offsets = this.encoder.encodeCommit(pending.commit); // encoded once already: cannot fail now
      run.push({ pending, mark: this.encoder.mark(), offsets });
    }
    this.writeAndSync(run);
    this.encoder.releaseIfLarger(BATCH_BUFFER_BYTES_KEEP);
    // Rejected commits free their revisions again (nothing can queue while a flush runs).
    this.queuedMain = this.durableMain;
    for (const p of this.queue) this.queuedMain = Math.max(this.queuedMain, p.commit.main);
  }

  /** The encoder state matching what is on disk: an empty batch at the current position. */
  private diskMark(): EncoderMark {
    return { lengthBytes: 0, crc: this.crc, loggedStructures: this.loggedStructures };
  }

  private rollError = new WalError('WAL_NO_SPACE', 'no space left to prepare the next segment');

  /** One write and one fdatasync for the encoded run; acknowledges it, or rejects it fenced. */
  private writeAndSync(run: EncodedCommit[]): boolean {
    if (run.length === 0) return true;
    const last = run[run.length - 1]!.mark;
    const baseBytes = this.offsetBytes;
    try {
      writeFully(this.wfs, this.fd, this.encoder.bytes(0, last.lengthBytes), 0, last.lengthBytes, this.offsetBytes);
    } catch (err) {
      this.fence(err, 'write');
      this.zeroBestEffort(this.offsetBytes, last.lengthBytes);
      for (const c of run) c.pending.reject(this.fenced!);
      return false;
    }
    this.offsetBytes += last.lengthBytes;
    this.crc = last.crc;
    this.loggedStructures = last.loggedStructures;
    if (!this.sync()) {
      for (const c of run) c.pending.reject(this.fenced!);
      return false;
    }
    let prevEnd = 0;
    for (const c of run) {
      const commit = c.pending.commit;
      this.durableMain = commit.main;
      this.counters.commits++;
      this.counters.events += commit.events.length;
      this.counters.bytes += c.mark.lengthBytes - prevEnd;
      prevEnd = c.mark.lengthBytes;
      for (let i = 0; i < c.offsets.length; i++) c.offsets[i] = c.offsets[i]! + baseBytes;
      c.pending.resolve({ main: commit.main, segment: this.segment, offsetsBytes: c.offsets });
    }
    return true;
  }

  /** fdatasync of the current segment, timed. False (and fenced) when it fails. */
  private sync(): boolean {
    try {
      this.timedDatasync(this.fd, this.segment);
    } catch (err) {
      this.fence(err, 'fdatasync');
      return false;
    }
    return true;
  }

  /** Every fdatasync of the log goes through here: timed into the histogram, warned when slow. */
  private timedDatasync(fd: number, segment: string): void {
    const t0 = process.hrtime.bigint();
    this.wfs.fdatasyncSync(fd);
    this.observeSync(this.fsyncHistogram, Number(process.hrtime.bigint() - t0) / 1e9, segment);
  }

  private observeSync(histogram: FsyncHistogram, seconds: number, segment: string): void {
    histogram.observe(seconds);
    if (seconds * 1000 > this.fsyncWarnMs) {
      this.logger?.warn({ segment, fsyncMs: seconds * 1000, thresholdMs: this.fsyncWarnMs }, 'slow fdatasync on the log');
    }
  }

  private fence(err: unknown, what: string): void {
    const code = errnoCode(err) === 'ENOSPC' ? 'WAL_NO_SPACE' : 'WAL_FENCED';
    this.fenced = new WalError(
      code,
      `${what} failed (${errnoCode(err) ?? 'error'}): the log accepts no more appends; restart to recover from disk`,
      { segment: this.segment, offsetBytes: this.offsetBytes, cause: err },
    );
    this.logger?.error({ err, segment: this.segment, offsetBytes: this.offsetBytes }, `log ${what} failed; writer fenced`);
  }

  /** After a failed write: try to leave zeros where the rejected bytes may have landed. */
  private zeroBestEffort(at: number, length: number): void {
    try {
      writeFully(this.wfs, this.fd, Buffer.alloc(length), 0, length, at);
      this.wfs.fdatasyncSync(this.fd);
    } catch {
      // the disk is failing; reopen will cut whatever commit has no end
    }
  }

  /**
   * Moves to a new segment for a commit of `commitBytes` starting at `firstMain`: prepared
   * temp file, header, fdatasync, rename, directory fsync. False when it could not.
   */
  private roll(firstMain: number, commitBytes: number): boolean {
    const name = segmentFileName(this.sequence + 1, firstMain);
    let prepared;
    try {
      // Nothing here touches the log: a failure leaves it as it was, and is not fenced.
      prepared = this.preparer.take(SEGMENT_HEADER_BYTES + commitBytes);
      const header = encodeHeader({ sequence: this.sequence + 1, firstMain, prevCrc: this.crc });
      writeFully(this.wfs, prepared.fd, header, 0, header.length, 0);
      this.timedDatasync(prepared.fd, name);
    } catch (err) {
      if (prepared) this.preparer.discard(prepared);
      const code = errnoCode(err) === 'ENOSPC' ? 'WAL_NO_SPACE' : 'WAL_IO';
      this.rollError = new WalError(code, `cannot prepare the next segment: ${(err as Error).message}`, { cause: err });
      this.logger?.error({ err }, 'cannot prepare the next log segment; appends are refused until it can be');
      this.preparer.start();
      return false;
    }
    try {
      this.wfs.renameSync(prepared.tmpPath, path.join(this.dir, name));
      fsyncDirectory(this.wfs, this.dir);
    } catch (err) {
      this.fence(err, 'segment roll-over');
      return false;
    }
    this.wfs.closeSync(this.fd);
    this.fd = prepared.fd;
    this.segment = name;
    this.sequence += 1;
    this.segmentEndBytes = prepared.sizeBytes;
    this.offsetBytes = SEGMENT_HEADER_BYTES;
    this.segmentCount += 1;
    this.preparer.start();
    return true;
  }
}

/** A commit in the batch buffer, with the encoder state just after it. */
interface EncodedCommit {
  pending: Pending;
  mark: EncoderMark;
  /** Frame offsets in the batch (events, then the commit record). */
  offsets: number[];
}

interface WalInit {
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
}

function openForAppend(o: WalOptions & { segmentSizeBytes: number }, wfs: WalFileSystem): WalInit {
  ensureDirectory(wfs, o.dir, o.create ?? false);
  const lock = acquireLock(wfs, o.dir);
  try {
    removeStaleTemporaries(wfs, o.dir);
    const preparer = new SegmentPreparer(wfs, o.dir, o.segmentSizeBytes);
    if (listSegments(wfs, o.dir).length === 0) createFirstSegment(wfs, o.dir, preparer);
    const segments = listSegments(wfs, o.dir);
    const last = segments[segments.length - 1]!;
    const reader = new LogReader(o.dir, {
      fs: wfs, decode: false, emit: false, fromMain: o.verify === 'last' ? last.firstMain : 0,
      knownDurableMain: o.knownDurableMain ?? 0,
    });
    for (const _ of reader.entries()) void _; // damage throws: the open is refused, nothing is cut
    const tail = reader.tail;
    assert.equal(tail.segment, last.name);
    const fd = openRegularFile(wfs, path.join(o.dir, last.name), 'r+');
    const sizeBytes = wfs.fstatSync(fd).size;
    let repaired: RepairResult = { zeroedBytes: 0, brokenCopy: null };
    if (tail.torn !== null) {
      repaired = repairTail(wfs, o.dir, last.name, fd, tail.lastCommitEndBytes, sizeBytes);
      o.logger?.warn({
        segment: last.name, cutAtBytes: tail.lastCommitEndBytes, lastMain: tail.lastMain,
        zeroedBytes: repaired.zeroedBytes, copy: repaired.brokenCopy, evidence: tail.torn.evidence,
      }, 'repaired a torn tail in the last log segment (a write that never finished; every acknowledged commit kept)');
    }
    pruneBrokenCopies(wfs, o.dir, o.brokenCopiesKept ?? BROKEN_COPIES_KEPT);
    return {
      lock, preparer, fd, sizeBytes,
      repaired: repaired.brokenCopy ? repaired : null,
      segment: last.name, sequence: last.sequence,
      offsetBytes: tail.lastCommitEndBytes, crc: tail.crc, lastMain: tail.lastMain,
      segmentCount: segments.length,
      structures: reader.structures,
    };
  } catch (err) {
    lock.release();
    throw err;
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

function createFirstSegment(wfs: WalFileSystem, dir: string, preparer: SegmentPreparer): void {
  const prepared = preparer.take(0);
  const header = encodeHeader({ sequence: 0, firstMain: 1, prevCrc: 0 });
  writeFully(wfs, prepared.fd, header, 0, header.length, 0);
  wfs.fdatasyncSync(prepared.fd);
  wfs.closeSync(prepared.fd);
  wfs.renameSync(prepared.tmpPath, path.join(dir, segmentFileName(0, 1)));
  fsyncDirectory(wfs, dir);
}
