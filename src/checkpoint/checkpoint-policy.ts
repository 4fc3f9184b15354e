/**
 * When to take a checkpoint: after `everyEvents` events or `everyBytes` bytes of log since
 * the last one, whichever comes first; the tail recovered at start counts too
 * (countRecoveredTail). Clean shutdown and explicit requests call takeCheckpoint directly.
 * The policy only counts; it never touches the disk.
 */
import assert from 'node:assert/strict';
import { CHECKPOINT_EVERY_BYTES, CHECKPOINT_EVERY_EVENTS } from '../limits.js';

export interface CheckpointPolicyOptions {
  everyEvents?: number;
  everyBytes?: number;
}

/** Cumulative append counters, as Wal.stats() reports them. */
export interface AppendCounters {
  eventsAppended: number;
  bytesAppended: number;
}

export class CheckpointPolicy {
  readonly everyEvents: number;
  readonly everyBytes: number;
  private eventsAtLast = 0;
  private bytesAtLast = 0;

  constructor(options: CheckpointPolicyOptions = {}) {
    this.everyEvents = options.everyEvents ?? CHECKPOINT_EVERY_EVENTS;
    this.everyBytes = options.everyBytes ?? CHECKPOINT_EVERY_BYTES;
    assert.ok(Number.isSafeInteger(this.everyEvents) && this.everyEvents > 0, 'everyEvents must be a positive integer');
    assert.ok(Number.isSafeInteger(this.everyBytes) && this.everyBytes > 0, 'everyBytes must be a positive integer');
  }

  /** Whether the log has grown enough since the last checkpoint. */
  isDue(counters: AppendCounters): boolean {
    return counters.eventsAppended - this.eventsAtLast >= this.everyEvents || counters.bytesAppended - this.bytesAtLast >= this.everyBytes;
  }

  /**
   * At a start that replayed `events` events after the newest checkpoint (its tail): they
   * count toward the next checkpoint as if appended since. Without this, a daemon that never
   * stops cleanly (crashes, OOM kills: no shutdown checkpoint) and appends less than
   * `everyEvents` per run would never take one, and each restart would replay a longer
   * tail. Events only: recovery does not count the tail's bytes.
   */
  countRecoveredTail(events: number): void {
    assert.ok(Number.isSafeInteger(events) && events >= 0, 'recovered tail events must be a whole number');
    this.eventsAtLast -= events;
  }

  /** Call after every checkpoint (whatever triggered it) with the counters at that moment. */
  checkpointTaken(counters: AppendCounters): void {
    assert.ok(counters.eventsAppended >= this.eventsAtLast && counters.bytesAppended >= this.bytesAtLast, 'counters went backwards');
    this.eventsAtLast = counters.eventsAppended;
    this.bytesAtLast = counters.bytesAppended;
  }
}
