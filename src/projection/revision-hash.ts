/**
 * A hash of the state at one revision: for every key visible at `atMain`, in key order, the
 * key, the revision visible and that event's payload (canonical JSON). It depends only on
 * what a reader at `atMain` can see, not on how much history is kept, so it is the same
 * before and after compaction (at or above the compacted revision) and after a rebuild.
 */
import { createHash } from 'node:crypto';
import type { IndexedRevision } from '../mvcc/key-index.js';
import type { TreeIndex } from '../mvcc/tree-index.js';
import { canonicalJson } from './canonical-json.js';

/** Reads the event an index entry points at (from the log or a compaction base). */
export type RevisionReader = (key: string, revision: IndexedRevision) => unknown;

export function revisionStateHash(index: TreeIndex, atMain: number, read: RevisionReader): string {
  const hash = createHash('sha256');
  hash.update(`state at ${atMain}\n`);
  for (const { key, revision } of index.range('', undefined, atMain)) {
    hash.update(`${key} ${revision.main}.${revision.sub} `);
    hash.update(canonicalJson(read(key, revision)));
    hash.update('\n');
  }
  return hash.digest('hex');
}
