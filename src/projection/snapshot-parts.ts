/**
 * A projection's snapshot as parts, for any projection: its own snapshotParts()/restorer()
 * when it has them (large states), else one part, snapshot() / restore().
 */
import { ProjectionError } from './errors.js';
import type { CanonicalKey } from './canonical-keys.js';
import type { PartRestorer, Projection } from './projection.js';

export function snapshotParts(p: Projection): Iterable<unknown> {
  return p.snapshotParts?.() ?? [p.snapshot()];
}

export function partRestorer(p: Projection, canonical?: CanonicalKey): PartRestorer {
  if (p.restorer !== undefined) return p.restorer(canonical);
  let only: { data: unknown } | null = null;
  const bad = (why: string): never => {
    throw new ProjectionError('PROJECTION_BAD_SNAPSHOT', `bad ${p.name} snapshot: ${why}`, { projection: p.name });
  };
  return {
    add(part: unknown): void {
      if (only !== null) bad('more than one part');
      only = { data: part };
    },
    finish(): void {
      if (only === null) return bad('no part');
      p.restore(only.data, canonical);
    },
  };
}
