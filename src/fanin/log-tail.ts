/**
 * The forwarder's view of the local log: whole commits after a revision, read through the
 * log's public reader (src/wal/reader.ts), in passes of bounded size. The reader hands out
 * only commits whose commit record is on disk, so a commit the daemon is still writing is
 * never seen half; a torn-looking end is simply where the log ends for now.
 *
 * Cost: a pass resumes where the previous one stopped (the reader's position just past
 * its last commit), so each byte of the log is verified once, not once per pass; without a
 * position (the first pass of a session) it starts at the segment holding the first wanted
 * revision and verifies that segment from its start. A caught-up forwarder asks
 * `logMark()` first (the newest segment's name and mtime), so an idle log costs one stat
 * per poll, not a walk.
 *
 * Damage: a pass ends at the last whole commit before it and says so (`damage`), rather
 * than throwing. A commit the writer is writing at this moment can look like damage (the
 * reader copies a page before the writer's copy reaches it and the next one after:
 * "a zero length word, but non-zero bytes follow"), so the caller looks again before it
 * believes it.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ElavaEvent } from '../model/events.js';
import { eventOf } from '../projection/event-payload.js';
import type { LogDamage } from '../wal/damage.js';
import { nodeFileSystem } from '../wal/file-system.js';
import { LogReader, type ReadPosition } from '../wal/reader.js';
import { listSegments } from '../wal/segment.js';
import type { RecordLocation } from '../wal/types.js';

export interface TailCommit {
  main: number;
  timeMs: number;
  events: ElavaEvent[];
  /** Where the commit's record ends in the log (for the lag in bytes). */
  end: RecordLocation;
}

export interface TailPass {
  commits: TailCommit[];
  /** The log's last whole revision, when this pass read to the end; null otherwise. */
  endMain: number | null;
  end: RecordLocation | null;
  /** Where the next pass resumes: just past this pass's last commit (null: nothing read yet). */
  next: ReadPosition | null;
  /** Where and why the pass stopped short of the end; null: it did not. */
  damage: LogDamage | null;
}

/** What the log looked like at the last look: the newest segment and its mtime. */
export interface LogMark {
  segment: string | null;
  mtimeMs: number;
}

export function logMark(dir: string): LogMark {
  const segments = listSegments(nodeFileSystem, dir);
  const newest = segments[segments.length - 1];
  if (newest === undefined) return { segment: null, mtimeMs: 0 };
  try {
    return { segment: newest.name, mtimeMs: fs.statSync(path.join(dir, newest.name)).mtimeMs };
  } catch {
    return { segment: null, mtimeMs: -1 }; // removed under us: look again next time
  }
}

export function sameMark(a: LogMark, b: LogMark): boolean {
  return a.segment === b.segment && a.mtimeMs === b.mtimeMs && a.mtimeMs >= 0;
}

/**
 * Whole commits with main > afterMain, in order, until at least `eventsMax` events were
 * read (a pass always ends at a commit boundary, so one huge commit is read whole).
 * `from`, the previous pass's `next`, is used when it lies just after `afterMain`; when its
 * bytes no longer chain (a repair cut the segment), the pass reads again without it.
 * Throws the reader's WalError on what is not damage (I/O).
 */
export function readCommitsAfter(dir: string, afterMain: number, eventsMax: number, from: ReadPosition | null = null): TailPass {
  const usable = from !== null && from.lastMain === afterMain ? from : null;
  const pass = readOnce(dir, afterMain, eventsMax, usable);
  if (usable !== null && pass.damage !== null && pass.commits.length === 0) return readOnce(dir, afterMain, eventsMax, null);
  return pass;
}

function readOnce(dir: string, afterMain: number, eventsMax: number, from: ReadPosition | null): TailPass {
  const reader = new LogReader(dir, { fromMain: afterMain + 1, onDamage: 'stop', ...(from !== null ? { resume: from } : {}) });
  const commits: TailCommit[] = [];
  let events: ElavaEvent[] = [];
  let total = 0;
  for (const entry of reader.entries()) {
    if (entry.main <= afterMain) continue;
    if (entry.kind === 'event') {
      events.push(eventOf(entry));
      continue;
    }
    const end = { segment: entry.location.segment, offsetBytes: entry.location.offsetBytes };
    commits.push({ main: entry.main, timeMs: entry.timeMs, events, end });
    total += events.length;
    events = [];
    if (total >= eventsMax) return { commits, endMain: null, end: null, next: reader.position, damage: null };
  }
  const tail = reader.tail;
  const next = reader.position ?? from;
  if (tail.damage !== null) return { commits, endMain: null, end: null, next, damage: tail.damage };
  const end = tail.segment === null ? null : { segment: tail.segment, offsetBytes: tail.lastCommitEndBytes };
  return { commits, endMain: tail.lastMain, end, next, damage: null };
}

/**
 * Bytes of log between two places (from the first to the second), counting the segments
 * between them whole: an estimate of what a forwarder still has to read.
 */
export function bytesBetween(dir: string, from: RecordLocation | null, to: RecordLocation | null): number {
  if (to === null) return 0;
  if (from === null) return to.offsetBytes;
  if (from.segment === to.segment) return Math.max(0, to.offsetBytes - from.offsetBytes);
  let bytes = 0;
  for (const seg of listSegments(nodeFileSystem, dir)) {
    if (seg.name < from.segment || seg.name > to.segment) continue;
    if (seg.name === to.segment) bytes += to.offsetBytes;
    else {
      const size = sizeOf(path.join(dir, seg.name));
      bytes += seg.name === from.segment ? Math.max(0, size - from.offsetBytes) : size;
    }
  }
  return bytes;
}

function sizeOf(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}
