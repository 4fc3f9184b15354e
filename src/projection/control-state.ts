/**
 * The log's own bookkeeping as a projection: how far the projections have been fed (the
 * last event's revision main), and the latest compaction scheduled and finished. Recovery
 * reads it to resume a compaction that a crash interrupted (scheduled without finished),
 * and catch-up reads it to know where to continue. Being a projection, it is checkpointed,
 * restored and hashed like every other one, so it cannot drift from the state it describes.
 */
import { eventOf } from './event-payload.js';
import { ProjectionError } from './errors.js';
import type { HashSink, Projection } from './projection.js';

export interface ControlSnapshot {
  appliedMain: number;
  compactionScheduledMain: number;
  compactionFinishedMain: number;
}

export const CONTROL_PROJECTION_NAME = 'control';

export class ControlState implements Projection {
  readonly name = CONTROL_PROJECTION_NAME;
  readonly version = 1;
  private state: ControlSnapshot = { appliedMain: 0, compactionScheduledMain: 0, compactionFinishedMain: 0 };

  /** Revision main of the last event applied (0 before any). */
  get appliedMain(): number {
    return this.state.appliedMain;
  }

  get compactionScheduledMain(): number {
    return this.state.compactionScheduledMain;
  }

  get compactionFinishedMain(): number {
    return this.state.compactionFinishedMain;
  }

  /** The revision of a compaction that was scheduled and not finished, or null. */
  pendingCompaction(): number | null {
    const s = this.state;
    return s.compactionScheduledMain > s.compactionFinishedMain ? s.compactionScheduledMain : null;
  }

  apply(log: Parameters<Projection['apply']>[0]): void {
    this.state.appliedMain = log.main;
    const event = eventOf(log);
    if (event.type === 'compaction-scheduled') {
      if (event.atMain > this.state.compactionScheduledMain) this.state.compactionScheduledMain = event.atMain;
    } else if (event.type === 'compaction-finished') {
      if (event.atMain > this.state.compactionFinishedMain) this.state.compactionFinishedMain = event.atMain;
    }
  }

  snapshot(): ControlSnapshot {
    return { ...this.state };
  }

  restore(data: unknown): void {
    const d = (data ?? {}) as Partial<Record<keyof ControlSnapshot, unknown>>;
    const { appliedMain, compactionScheduledMain, compactionFinishedMain } = d;
    if (!isCount(appliedMain) || !isCount(compactionScheduledMain) || !isCount(compactionFinishedMain)) {
      throw new ProjectionError('PROJECTION_BAD_SNAPSHOT', 'bad control snapshot', { projection: this.name });
    }
    this.state = { appliedMain, compactionScheduledMain, compactionFinishedMain };
  }

  hashState(sink: HashSink): void {
    const s = this.state;
    sink.update(`applied ${s.appliedMain} compaction ${s.compactionScheduledMain} ${s.compactionFinishedMain}\n`);
  }
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}
