/**
 * The `.broken` copies repair keeps of a segment before it cuts: `<segment>.broken`, then
 * `<segment>.broken.1`, `.2`… A copy is written under a `.tmp` name, fdatasync'd and
 * renamed, so a kill during repair never leaves a partial copy under a final name (the
 * writer's open removes stale `.tmp` files). The copies are bounded: those of segments
 * that compaction has since deleted go, and of the rest only the newest `keep` stay.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { fsyncDirectory, type WalFileSystem } from './file-system.js';
import { BROKEN_SUFFIX, TMP_SUFFIX, parseSegmentName } from './segment-name.js';

interface BrokenCopy {
  name: string;
  sequence: number;
  /** 0 for `.broken`, N for `.broken.N`. */
  copy: number;
}

function parseBrokenName(name: string): BrokenCopy | null {
  const at = name.indexOf(BROKEN_SUFFIX);
  if (at < 0) return null;
  const segment = parseSegmentName(name.slice(0, at));
  const rest = name.slice(at + BROKEN_SUFFIX.length);
  if (segment === null || !/^(\.[1-9][0-9]{0,5})?$/.test(rest)) return null;
  return { name, sequence: segment.sequence, copy: rest === '' ? 0 : Number(rest.slice(1)) };
}

/** The next copy name of `segment`, numbered past every copy it has, so numbers follow age. */
function freeBrokenName(wfs: WalFileSystem, dir: string, segment: string): string {
  let highest = -1;
  for (const n of wfs.readdirSync(dir)) {
    const copy = n.startsWith(segment) ? parseBrokenName(n) : null;
    if (copy !== null && n.slice(0, n.indexOf(BROKEN_SUFFIX)) === segment) highest = Math.max(highest, copy.copy);
  }
  return highest < 0 ? segment + BROKEN_SUFFIX : `${segment}${BROKEN_SUFFIX}.${highest + 1}`;
}

/** Copies `segment` to a free `.broken` name, durably; returns the copy's name. */
export function keepBrokenCopy(wfs: WalFileSystem, dir: string, segment: string): string {
  const name = freeBrokenName(wfs, dir, segment);
  const tmp = path.join(dir, name + TMP_SUFFIX);
  wfs.copyFileSync(path.join(dir, segment), tmp);
  wfs.chmodSync(tmp, 0o600);
  const fd = wfs.openSync(tmp, 'r');
  try {
    wfs.fdatasyncSync(fd);
  } finally {
    wfs.closeSync(fd);
  }
  wfs.renameSync(tmp, path.join(dir, name));
  fsyncDirectory(wfs, dir);
  return name;
}

/** Moves a whole segment a cut removes out of the log, under a free `.broken` name. */
export function setSegmentAside(wfs: WalFileSystem, dir: string, segment: string): string {
  const name = freeBrokenName(wfs, dir, segment);
  wfs.renameSync(path.join(dir, segment), path.join(dir, name));
  fsyncDirectory(wfs, dir);
  return name;
}

/**
 * Deletes the copies of segments below the oldest segment left (compacted away), then all
 * but the newest `keep` copies. Returns the names deleted.
 */
export function pruneBrokenCopies(wfs: WalFileSystem, dir: string, keep: number): string[] {
  assert.ok(Number.isSafeInteger(keep) && keep >= 1, 'keep at least one broken copy');
  const names = wfs.readdirSync(dir);
  let oldestSequence = Number.MAX_SAFE_INTEGER;
  for (const n of names) {
    const seg = n.endsWith('.wal') ? parseSegmentName(n) : null;
    if (seg !== null) oldestSequence = Math.min(oldestSequence, seg.sequence);
  }
  const copies: BrokenCopy[] = [];
  for (const n of names) {
    const copy = parseBrokenName(n);
    if (copy !== null) copies.push(copy);
  }
  copies.sort((a, b) => b.sequence - a.sequence || b.copy - a.copy);
  const deleted: string[] = [];
  let kept = 0;
  for (const c of copies) {
    if (c.sequence >= oldestSequence && kept < keep) {
      kept++;
      continue;
    }
    wfs.unlinkSync(path.join(dir, c.name));
    deleted.push(c.name);
  }
  if (deleted.length > 0) fsyncDirectory(wfs, dir);
  return deleted;
}
