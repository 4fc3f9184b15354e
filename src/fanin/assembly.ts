/**
 * The aggregator's reassembly of source commits from single-event messages, and the order
 * it applies them in. Pure bookkeeping, no I/O; `M` is whatever must be acknowledged later.
 *
 *   add(message)  → 'stale' when its source revision is already applied (acknowledge it at
 *                   once: a redelivery, a republish after a rolled-back cursor); otherwise
 *                   held under (source, main) until all `count` events are in.
 *   takeReady()   → per source, in chain order: a complete commit whose `prev` is at or
 *                   below the source's last applied revision, then the next, ... A commit
 *                   whose predecessor has not arrived yet waits (a gap is never applied
 *                   over); held copies of revisions now applied come back as stale.
 *
 * Example, source S with commits 3 (prev 0) and 5 (prev 3), applied 0: 5 arrives whole
 * first and waits; 3 arrives; takeReady() gives [3, 5].
 */
import type { ElavaEvent } from '../model/events.js';
import type { WireEvent } from './wire.js';

export interface Assembled<M> {
  source: string;
  main: number;
  prev: number;
  count: number;
  timeMs: number;
  events: Array<ElavaEvent | undefined>;
  received: number;
  messages: M[];
}

export class Assembler<M> {
  private readonly bySource = new Map<string, Map<number, Assembled<M>>>();
  /** Messages held (awaiting their commit's completion or its predecessor). */
  heldMessages = 0;

  /** 'mismatch': the message disagrees with others of its commit (count, prev): not held. */
  add(w: WireEvent, message: M, lastApplied: number): 'stale' | 'held' | 'mismatch' {
    if (w.main <= lastApplied) return 'stale';
    let commits = this.bySource.get(w.source);
    if (commits === undefined) {
      commits = new Map();
      this.bySource.set(w.source, commits);
    }
    let c = commits.get(w.main);
    if (c === undefined) {
      c = { source: w.source, main: w.main, prev: w.prev, count: w.count, timeMs: w.timeMs, events: new Array(w.count), received: 0, messages: [] };
      commits.set(w.main, c);
    }
    if (w.count !== c.count || w.prev !== c.prev) return 'mismatch';
    if (c.events[w.sub] === undefined) {
      c.events[w.sub] = w.event;
      c.received++;
    }
    c.messages.push(message);
    this.heldMessages++;
    return 'held';
  }

  /** Commits ready to apply, in order, and held messages of revisions already applied. */
  takeReady(lastApplied: (source: string) => number): { ready: Array<Assembled<M>>; stale: M[] } {
    const ready: Array<Assembled<M>> = [];
    const stale: M[] = [];
    for (const [source, commits] of this.bySource) {
      let last = lastApplied(source);
      for (;;) {
        let next: Assembled<M> | null = null;
        for (const c of commits.values()) {
          if (c.main <= last) {
            commits.delete(c.main);
            this.release(c, stale);
            continue;
          }
          if (c.received === c.count && c.prev <= last && (next === null || c.main < next.main)) next = c;
        }
        if (next === null) break;
        commits.delete(next.main);
        this.heldMessages -= next.messages.length;
        ready.push(next);
        last = next.main;
      }
      if (commits.size === 0) this.bySource.delete(source);
    }
    return { ready, stale };
  }

  /** Forgets everything held (a new session redelivers it); returns nothing to acknowledge. */
  clear(): void {
    this.bySource.clear();
    this.heldMessages = 0;
  }

  /** Per source: the lowest revision held and what it waits for (for a stuck-chain report). */
  waiting(): Array<{ source: string; main: number; prev: number; received: number; count: number }> {
    const out = [];
    for (const [source, commits] of this.bySource) {
      let low: Assembled<M> | null = null;
      for (const c of commits.values()) if (low === null || c.main < low.main) low = c;
      if (low !== null) out.push({ source, main: low.main, prev: low.prev, received: low.received, count: low.count });
    }
    return out;
  }

  private release(c: Assembled<M>, into: M[]): void {
    this.heldMessages -= c.messages.length;
    for (const m of c.messages) into.push(m);
  }
}
