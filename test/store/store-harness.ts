/**
 * A small writer for checkpoint and compaction tests: a real log with 16 KiB segments,
 * a deterministic history (the projection tests' synthetic log), and live projections fed
 * by catch-up after every commit, as the daemon does.
 */
import type { ElavaEvent } from '../../src/model/events.js';
import { builtInProjections } from '../../src/projection/builtins.js';
import type { Projection } from '../../src/projection/projection.js';
import { stateHash } from '../../src/projection/state-hash.js';
import { catchUp } from '../../src/store/catch-up.js';
import { Wal } from '../../src/wal/wal.js';
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

export function openLog(dir: string): Wal {
  return Wal.open({ dir, create: true, segmentSizeBytes: SEGMENT_BYTES });
}

export class Store {
  readonly projections: Projection[];

  constructor(
    public wal: Wal,
    projections: Projection[] = builtInProjections(),
  ) {
    this.projections = projections;
  }

  async append(events: readonly ElavaEvent[]): Promise<void> {
    await this.wal.append({ main: this.wal.nextMain, timeMs: 1_790_000_000_000 + this.wal.nextMain * 60_000, events });
    catchUp(this.wal.dir, this.projections);
  }

  async appendAll(commits: readonly ElavaEvent[][]): Promise<void> {
    for (const c of commits) await this.append(c);
  }

  hash(): string {
    return stateHash(this.projections);
  }
}
