/**
 * The log writer. Invariants:
 * - Every segment it creates is of the current FORMAT_VERSION; it appends to the last
 *   segment of an older log in that segment's format (format 1: no keys or tags), so a
 *   directory may hold format-1 segments followed by format-2 ones, never the reverse.
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
import { BATCH_BUFFER_BYTES_KEEP, FSYNC_WARN_MS, APPEND_QUEUE_COMMITS_MAX, SEGMENT_HEADER_BYTES, SEGMENT_SIZE_BYTES, SEGMENT_SIZE_BYTES_MIN } from '../limits.js';
import { BatchEncoder, NO_KEY, NO_TAG, type EncoderMark } from './encoder.js';
import type { StructureTable } from './codec.js';
import { WalError, errnoCode } from './errors.js';
import { fsyncDirectory, nodeFileSystem, writeFully, type WalFileSystem } from './file-system.js';
import { FORMAT_VERSION, encodeHeader } from './frame.js';
import type { DirectoryLock } from './lock.js';
import { FsyncHistogram } from './metrics.js';
import { WalOpening, type WalInit } from './open.js';
import type { LogReader } from './reader.js';
import type { RepairResult } from './repair.js';
import { listSegments } from './segment.js';
import { segmentFileName } from './segment-name.js';
import { PREPARED_NAME, SegmentPreparer } from './segment-preparer.js';
import { deleteSegmentsBelow } from './purge.js';
import type { AppendCommit, Commit, CommitPlacement } from './types.js';

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
  /**
   * The key the layer above names an event by, stored in its frame beside the payload so
   * readers learn it without decoding (format 2). At most EVENT_KEY_BYTES_MAX bytes of
   * UTF-8: a longer one refuses the append (WAL_KEY_TOO_LARGE). Default: no key.
   */
  eventKey?: (payload: unknown) => string | null;
  /** The small number (0..255) the layer above classifies an event by (format 2). Default 0. */
  eventTag?: (payload: unknown) => number;
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
    this.encoder = new BatchEncoder(init.crc, init.structures, {
      formatVersion: init.formatVersion, eventKey: o.eventKey ?? NO_KEY, eventTag: o.eventTag ?? NO_TAG,
    });
    this.preparer.observeSync = (seconds) => this.observeSync(this.prepareFsyncHistogram, seconds, PREPARED_NAME);
    for (const seconds of init.setupSyncSeconds) this.observeSync(this.prepareFsyncHistogram, seconds, init.segment);
    this.preparer.start();
  }

  /**
   * Opens the directory for appending: takes the lock, verifies the segments, repairs a
   * torn tail in the last one, and positions after the last whole commit.
   */
  static open(options: WalOptions): Wal {
    const opening = Wal.begin(options);
    try {
      const first = options.verify === 'last' ? lastSegmentFirstMain(options) : 0;
      const reader = opening.reader(first, { decode: false, emit: false });
      for (const _ of reader.entries()) void _; // damage throws: the open is refused, nothing is cut
      return Wal.finish(options, opening, reader, reader.structures);
    } catch (err) {
      opening.abort();
      throw err;
    }
  }

  /**
   * The first half of an open (directory, lock, first segment), for a caller that reads the
   * log itself (the Store replays while it verifies) and then calls finish() with that reader.
   */
  static begin(options: WalOptions): WalOpening {
    const segmentSizeBytes = options.segmentSizeBytes ?? SEGMENT_SIZE_BYTES;
    assert.ok(Number.isSafeInteger(segmentSizeBytes) && segmentSizeBytes >= SEGMENT_SIZE_BYTES_MIN, 'segment size too small');
    assert.ok(segmentSizeBytes % 4096 === 0, 'segment size must be a multiple of 4096');
    return WalOpening.begin({
      dir: options.dir,
      create: options.create ?? false,
      segmentSizeBytes,
      knownDurableMain: options.knownDurableMain ?? 0,
      ...(options.brokenCopiesKept !== undefined ? { brokenCopiesKept: options.brokenCopiesKept } : {}),
      ...(options.logger !== undefined ? { logger: options.logger } : {}),
    }, options.fs ?? nodeFileSystem);
  }

  /** The second half: `reader` (from opening.reader) has been drained to the log's end. */
  static finish(options: WalOptions, opening: WalOpening, reader: LogReader, structures: StructureTable): Wal {
    const init = opening.finish(reader, structures);
    return new Wal({ ...options, segmentSizeBytes: opening.params.segmentSizeBytes }, init);
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
   * Appends one commit; resolves once it is fdatasync'd, with where its records landed and
   * the revision main it got. Without `main` the log assigns the next one (the Store's way);
   * a given `main` must exceed every earlier one.
   */
  append(commit: AppendCommit): Promise<CommitPlacement> {
    if (this.fenced) return Promise.reject(this.fenced);
    if (this.closed) return Promise.reject(new WalError('WAL_CLOSED', 'append after close'));
    const main = commit.main ?? this.queuedMain + 1;
    if (!(main > this.queuedMain)) assert.fail(`commit main ${main} must be greater than ${this.queuedMain}`);
    if (this.queue.length >= APPEND_QUEUE_COMMITS_MAX) {
      return Promise.reject(new WalError('WAL_QUEUE_FULL', `over ${APPEND_QUEUE_COMMITS_MAX} commits waiting`));
    }
    this.queuedMain = main;
    return new Promise<CommitPlacement>((resolve, reject) => {
      this.queue.push({ commit: { main, timeMs: commit.timeMs, events: commit.events }, resolve, reject });
      if (!this.flushScheduled) {
        // A microtask, not setImmediate: it runs after every append already queued in this
        // turn (group commit) without waiting for a loop iteration (batch-1 latency).
        this.flushScheduled = true;
        queueMicrotask(() => this.flush());
      }
    });
  }

  /**
   * Deletes the segments wholly at or below `atMain` (never the one being written), oldest
   * first, and keeps the segment count true. Call only once what they held is kept
   * elsewhere (a durable compaction base). `limit` caps how many (crash tests).
   */
  purgeBelow(atMain: number, limit = Number.MAX_SAFE_INTEGER): string[] {
    assert.ok(Number.isSafeInteger(atMain) && atMain <= this.durableMain, 'purge only below durable revisions');
    const deleted = deleteSegmentsBelow(this.wfs, this.dir, atMain, limit);
    assert.ok(!deleted.includes(this.segment), 'the segment being written is never purged');
    this.segmentCount -= deleted.length;
    assert.ok(this.segmentCount >= 1, 'at least the current segment remains');
    return deleted;
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
      // It does not fit: write what came before, then encode it again in a new segment
      // (of the current format: it may take more room than in a format-1 segment).
      const commitBytes = this.encoder.lengthBytes - before.lengthBytes + this.encoder.newFormatExtraBytes;
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
    this.encoder.formatVersion = FORMAT_VERSION; // every new segment is of the current format
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


function lastSegmentFirstMain(options: WalOptions): number {
  const segments = listSegments(options.fs ?? nodeFileSystem, options.dir);
  return segments[segments.length - 1]?.firstMain ?? 0;
}
