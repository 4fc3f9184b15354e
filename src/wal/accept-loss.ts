/**
 * The explicit cut of damaged history (`elava repair --accept-loss`; the daemon stopped).
 * The open refuses damage; this is the one way past it, and it is asked for by a person.
 * It plans from the same reader and rule as every open (torn.ts), then cuts: the segments
 * after the damaged one are set aside whole, and the damaged one is zeroed after its last
 * whole commit with a `.broken` copy kept (repair.ts). A crash part-way leaves a log that
 * either reads whole or shows the same damage again, so the command can simply be rerun.
 * Recording the cut in the log (so revisions never go backwards) is the caller's: the log
 * knows nothing of what its payloads mean.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { setSegmentAside } from './broken-copies.js';
import type { LogDamage } from './damage.js';
import { openRegularFile, type WalFileSystem } from './file-system.js';
import { LogReader, type LogTail } from './reader.js';
import { repairTail } from './repair.js';
import { listSegments } from './segment.js';

export interface CutPlan {
  damage: LogDamage;
  /** The segment cut after its last whole commit (null: no segment is kept). */
  keepSegment: string | null;
  cutBytes: number;
  /** Whole segments the cut removes (set aside as `.broken`). */
  setAside: string[];
}

export interface CutResult {
  brokenCopy: string | null;
  setAside: string[];
}

/** Reads the log as every open does; the plan for a cut at its damage, or null when it has none. */
export function planCut(wfs: WalFileSystem, dir: string, knownDurableMain: number): { tail: LogTail; plan: CutPlan | null } {
  const reader = new LogReader(dir, { fs: wfs, emit: false, decode: false, onDamage: 'stop', knownDurableMain });
  for (const _ of reader.entries()) void _;
  const tail = reader.tail;
  const damage = tail.damage;
  if (damage === null) return { tail, plan: null };
  const names = listSegments(wfs, dir).map((s) => s.name);
  const at = names.indexOf(damage.segment);
  assert.ok(at >= 0, 'the damaged segment is in the log');
  // Damage inside a segment keeps its whole commits; damage to its header or chain does not.
  const inside = tail.segment === damage.segment;
  const keepSegment = inside ? damage.segment : tail.segment;
  return { tail, plan: { damage, keepSegment, cutBytes: tail.lastCommitEndBytes, setAside: names.slice(inside ? at + 1 : at) } };
}

export function performCut(wfs: WalFileSystem, dir: string, plan: CutPlan): CutResult {
  // Newest first: a crash part-way leaves the damaged segment as the newest, still refused.
  const setAside = plan.setAside.slice().reverse().map((name) => setSegmentAside(wfs, dir, name));
  let brokenCopy: string | null = null;
  if (plan.keepSegment !== null) {
    const fd = openRegularFile(wfs, path.join(dir, plan.keepSegment), 'r+');
    try {
      brokenCopy = repairTail(wfs, dir, plan.keepSegment, fd, plan.cutBytes, wfs.fstatSync(fd).size).brokenCopy;
    } finally {
      wfs.closeSync(fd);
    }
  }
  return { brokenCopy, setAside };
}
