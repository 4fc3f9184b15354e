/**
 * Giving the heap's empty space back after a long replay or many cycles. Every superseded
 * record dies in V8's old generation; a plain full GC frees it but keeps the pages it was
 * spread over (a full replay of 10 M events at 1 M resources left 1.9 GB committed for
 * 0.8 GB live, and the idle daemon did not shrink in 30 s). One full GC that compacts every
 * page moves the live objects together and returns the rest to the system: ~2–3 s at 1 M
 * resources, during which the event loop waits and RSS briefly grows by the live heap (the
 * copies), and the pages are unmapped in the next second.
 *
 * When: HeapSettlePolicy counts events applied (the recovered tail, then appended) and is
 * due once they reach HEAP_SETTLE_EVENTS_MIN and the number of live resources, so the cost
 * (proportional to the live heap) is paid at most once per that many events.
 */
import assert from 'node:assert/strict';
import v8 from 'node:v8';
import vm from 'node:vm';
import { HEAP_SETTLE_EVENTS_MIN } from '../limits.js';

export interface HeapSettleReport {
  ms: number;
  /** V8's committed heap before and after; what a plain GC keeps is the difference. */
  heapTotalBeforeBytes: number;
  heapTotalAfterBytes: number;
  heapUsedAfterBytes: number;
}

let collect: ((options?: unknown) => void) | null = null;

/** V8's gc(), made reachable without --expose-gc on the command line. */
function fullGc(): (options?: unknown) => void {
  if (collect === null) {
    const exposed = (globalThis as { gc?: () => void }).gc;
    if (typeof exposed === 'function') collect = exposed;
    else {
      v8.setFlagsFromString('--expose-gc');
      collect = vm.runInNewContext('gc') as () => void;
    }
  }
  return collect;
}

/** One full GC that compacts every page of the heap; see the file comment for its cost. */
export function settleHeap(): HeapSettleReport {
  const gc = fullGc();
  const before = process.memoryUsage();
  const t0 = performance.now();
  v8.setFlagsFromString('--compact-on-every-full-gc');
  try {
    gc();
  } finally {
    v8.setFlagsFromString('--no-compact-on-every-full-gc');
  }
  const after = process.memoryUsage();
  return { ms: performance.now() - t0, heapTotalBeforeBytes: before.heapTotal, heapTotalAfterBytes: after.heapTotal, heapUsedAfterBytes: after.heapUsed };
}

/**
 * Counts as CheckpointPolicy does: against the log's cumulative `eventsAppended`, with the
 * tail replayed at start counted as if appended since.
 */
export class HeapSettlePolicy {
  private eventsAtLast = 0;

  constructor(readonly eventsMin: number = HEAP_SETTLE_EVENTS_MIN) {
    assert.ok(Number.isSafeInteger(eventsMin) && eventsMin > 0, 'eventsMin must be a positive integer');
  }

  /** The events recovery replayed into the projections at start. */
  countRecoveredTail(events: number): void {
    assert.ok(Number.isSafeInteger(events) && events >= 0, 'recovered tail events must be a whole number');
    this.eventsAtLast -= events;
  }

  /** Whether enough was applied since the last settling, for a heap of `liveResources`. */
  isDue(eventsAppended: number, liveResources: number): boolean {
    return eventsAppended - this.eventsAtLast >= Math.max(this.eventsMin, liveResources);
  }

  /** After settling, with the log's `eventsAppended` then. */
  settled(eventsAppended: number): void {
    this.eventsAtLast = eventsAppended;
  }
}
