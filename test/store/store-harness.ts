/**
 * Helpers for the Store's checkpoint and compaction tests: a real Store on a log with
 * 16 KiB segments (so a short history crosses many segments), and a deterministic history
 * (the projection tests' synthetic log) committed through Store.commit, as the daemon does.
 */
import type { ElavaEvent } from '../../src/model/events.js';
import { Store, type StoreOptions } from '../../src/store/store.js';
import { syntheticLog } from '../projection/log-fixture.js';

export const SEGMENT_BYTES = 16 * 1024;

/** The commits of a synthetic history, as lists of event payloads. */
export function historyCommits(commits: number, seed = 3): ElavaEvent[][] {
  const out: ElavaEvent[][] = [];
  let current: ElavaEvent[] = [];
  for (const e of syntheticLog(commits, seed).entries) {
    if (e.kind === 'event') current.push(e.payload as ElavaEvent);
    else {
      out.push(current);
      current = [];
    }
  }
  return out;
}

export function openStore(dir: string, options: StoreOptions = {}): Promise<Store> {
  return Store.open(dir, { create: true, segmentSizeBytes: SEGMENT_BYTES, ...options });
}

/** A commit's time in the synthetic history: one minute per revision. */
export function commitTimeMs(main: number): number {
  return 1_790_000_000_000 + main * 60_000;
}

export async function commitAll(store: Store, commits: readonly ElavaEvent[][]): Promise<void> {
  for (const c of commits) await store.commit(c, commitTimeMs(store.lastMain + 1));
}
