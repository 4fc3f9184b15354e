/**
 * The log's own bookkeeping as a projection: how far the projections have been fed (the
 * last event's revision main), the latest compaction scheduled and finished (the Store
 * resumes one a crash interrupted: scheduled without finished), and how far retention has
 * thinned history (queries say when they read there). Being a projection, it is checkpointed,
 * restored and hashed like every other one, so it cannot drift from the state it describes.
 */
import { assertNever } from './assert-never.js';
import { eventOf, framedKind } from './event-payload.js';
import { ProjectionError } from './errors.js';
import type { HashSink, Projection } from './projection.js';

export interface ControlSnapshot {
  appliedMain: number;
  compactionScheduledMain: number;
  compactionFinishedMain: number;
  /** History below this main is kept at day granularity (0: none downsampled). */
  downsampledBeforeMain: number;
}

export const CONTROL_PROJECTION_NAME = 'control';

export class ControlState implements Projection {
  readonly name = CONTROL_PROJECTION_NAME;
  readonly version = 1;
  private state: ControlSnapshot = { appliedMain: 0, compactionScheduledMain: 0, compactionFinishedMain: 0, downsampledBeforeMain: 0 };

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

  /** History below this main answers at day granularity (retention); 0: none. */
  get downsampledBeforeMain(): number {
    return this.state.downsampledBeforeMain;
  }

  /** The revision of a compaction that was scheduled and not finished, or null. */
  pendingCompaction(): number | null {
    const s = this.state;
    return s.compactionScheduledMain > s.compactionFinishedMain ? s.compactionScheduledMain : null;
  }

  apply(log: Parameters<Projection['apply']>[0]): void {
    this.state.appliedMain = log.main;
    if (framedKind(log) !== 0) return; // a change (named by its frame): none of this projection's business
    const event = eventOf(log);
    const s = this.state;
    switch (event.type) {
      case 'compaction-scheduled':
        if (event.atMain > s.compactionScheduledMain) s.compactionScheduledMain = event.atMain;
        return;
      case 'compaction-finished':
        if (event.atMain > s.compactionFinishedMain) s.compactionFinishedMain = event.atMain;
        return;
      case 'history-downsampled':
        if (event.beforeMain > s.downsampledBeforeMain) s.downsampledBeforeMain = event.beforeMain;
        return;
      case 'appeared':
      case 'changed':
      case 'disappeared':
      case 'scope-scanned':
      case 'checkpoint':
      case 'log-repaired':
      case 'source-commit':
        return;
      default:
        return assertNever(event);
    }
  }

  snapshot(): ControlSnapshot {
    return { ...this.state };
  }

  restore(data: unknown): void {
    const d = (data ?? {}) as Partial<Record<keyof ControlSnapshot, unknown>>;
    const { appliedMain, compactionScheduledMain, compactionFinishedMain } = d;
    // Absent in checkpoints written before retention existed: nothing was downsampled then.
    const downsampledBeforeMain = d.downsampledBeforeMain ?? 0;
    const counts = [appliedMain, compactionScheduledMain, compactionFinishedMain, downsampledBeforeMain];
    if (!counts.every(isCount)) {
      throw new ProjectionError('PROJECTION_BAD_SNAPSHOT', 'bad control snapshot', { projection: this.name });
    }
    this.state = {
      appliedMain: appliedMain as number, compactionScheduledMain: compactionScheduledMain as number,
      compactionFinishedMain: compactionFinishedMain as number, downsampledBeforeMain: downsampledBeforeMain as number,
    };
  }

  hashState(sink: HashSink): void {
    const s = this.state;
    // The downsampling mark joins the hash only once set, so hashes of logs without one
    // stay what they were.
    const downsampled = s.downsampledBeforeMain > 0 ? ` downsampled ${s.downsampledBeforeMain}` : '';
    sink.update(`applied ${s.appliedMain} compaction ${s.compactionScheduledMain} ${s.compactionFinishedMain}${downsampled}\n`);
  }
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}
