/**
 * The daemon's one way to bring its projections up to the end of the log at start: the
 * newest usable checkpoint plus the tail after it (src/store/recover.ts), or a full
 * replay when there is none. Called with the writer lock held, so it may set damaged
 * checkpoints aside. Any failure to read the log back is fatal for start-up, with the
 * file and byte offset in the message.
 */
import type { Logger } from 'pino';
import type { Projection } from '../projection/projection.js';
import { queryProjections } from '../query/query-state.js';
import { recoverState, type RecoveryStats } from '../store/recover.js';
import type { StructureTable } from '../wal/codec.js';
import { DaemonError } from './errors.js';

export interface Recovered {
  projections: Projection[];
  lastMain: number;
  structures: StructureTable;
  pendingCompactionMain: number | null;
  stats: RecoveryStats;
}

/**
 * The projection set the daemon and the operations commands run: the built-in ones (the
 * same set the query commands open), so checkpoints serve the query commands as they are.
 */
export function daemonProjections(): Projection[] {
  return queryProjections();
}

export function recoverProjections(dir: string, logger: Logger): Recovered {
  try {
    let lastLogMs = 0;
    const state = recoverState(dir, {
      projections: daemonProjections,
      logger,
      onProgress: (p) => {
        const now = Date.now();
        if (now - lastLogMs < 1000) return;
        lastLogMs = now;
        const percent = p.bytesTotal > 0 ? Math.round((100 * p.bytesDone) / p.bytesTotal) : 100;
        logger.info({ phase: p.phase, events: p.events, revision: p.main, percent }, 'recovering state from the log');
      },
    });
    return state;
  } catch (err) {
    const code = typeof (err as { code?: unknown }).code === 'string' ? ` [${(err as { code: string }).code}]` : '';
    throw new DaemonError('RECOVERY_FAILED', `cannot recover state from ${dir}${code}: ${(err as Error).message}`, { cause: err });
  }
}
