/**
 * A deterministic hash over a set of projections: sha256 over each projection's name,
 * version and canonical state, projections in name order. Equal states give equal hashes
 * whichever way they were built (incrementally, by full replay, from a checkpoint plus the
 * tail), which is what `verify` and the tests compare.
 */
import { createHash } from 'node:crypto';
import type { Projection } from './projection.js';

export function stateHash(projections: readonly Projection[]): string {
  const hash = createHash('sha256');
  const ordered = [...projections].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const p of ordered) {
    hash.update(`projection ${p.name} v${p.version}\n`);
    p.hashState(hash);
  }
  return hash.digest('hex');
}
