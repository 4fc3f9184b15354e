/**
 * Since when each live resource has been in its aged waste condition (an unattached
 * volume, a stopped instance: src/model/waste-conditions.ts): the main of the first event
 * of the unbroken run of events, within the key's current lifetime, whose record meets it.
 * The waste report reads its ages here instead of walking each key's history back through
 * the log, so its first answer after a restart costs no disk reads.
 *
 * It equals that walk (test/query/waste-ages.test.ts) over any history the key index
 * holds whole. Compaction: a run that began at or below the compaction point is kept as
 * beginning there (compactTo), which the report shows as "at least" the start of history,
 * as the walk does; a rebuild from a compaction base holds the same. Retention's
 * downsampling drops revisions from the key index, never from here: where a dropped
 * revision broke a run, this keeps the later, true start the walk can no longer see.
 *
 * One Map entry per resource in the condition (most live resources are in none).
 */
import type { ResourceKey } from '../model/resource.js';
import { inAgedCondition } from '../model/waste-conditions.js';
import type { LogEvent } from '../wal/types.js';
import { assertNever } from './assert-never.js';
import { ProjectionError } from './errors.js';
import { eventOf } from './event-payload.js';
import type { HashSink, Projection } from './projection.js';

export interface ConditionSinceSnapshot {
  /** Keys in the condition, ascending, and the main its run began at. */
  keys: ResourceKey[];
  mains: number[];
}

export class ConditionSince implements Projection {
  readonly name = 'condition-since';
  readonly version: number = 1;
  private since = new Map<ResourceKey, number>();

  /** Keys in the condition now. */
  get size(): number {
    return this.since.size;
  }

  /** The main where the key's current run in the condition began; undefined: not in it. */
  sinceMain(key: ResourceKey): number | undefined {
    return this.since.get(key);
  }

  /** Makes every entry hold the key string `canonical` gives (as CurrentState.adoptKeys). */
  adoptKeys(canonical: (key: ResourceKey) => ResourceKey | undefined): void {
    const next = new Map<ResourceKey, number>();
    for (const [key, main] of this.since) next.set(canonical(key) ?? key, main);
    this.since = next;
  }

  apply(log: LogEvent): void {
    const event = eventOf(log);
    switch (event.type) {
      case 'appeared':
        // A new lifetime: nothing of an earlier one carries over.
        if (inAgedCondition(event.record)) this.since.set(event.key, log.main);
        else this.since.delete(event.key);
        return;
      case 'changed':
        if (!inAgedCondition(event.record)) this.since.delete(event.key);
        else if (!this.since.has(event.key)) this.since.set(event.key, log.main);
        return;
      case 'disappeared':
        this.since.delete(event.key);
        return;
      case 'compaction-scheduled':
        this.compactTo(event.atMain);
        return;
      case 'scope-scanned':
      case 'checkpoint':
      case 'compaction-finished':
      case 'log-repaired':
      case 'history-downsampled':
      case 'source-commit':
        return; // they leave resources as they are
      default:
        return assertNever(event);
    }
  }

  /**
   * History at or below `atMain` is gone: a run that began there began "at or before the
   * compaction point", and is kept as atMain. A projection rebuilt from the compaction
   * base sees each key's visible event there instead of the run's start; after this both
   * hold the same, so their hashes agree (the report shows either as "at least" the
   * start of history).
   */
  private compactTo(atMain: number): void {
    for (const [key, main] of this.since) if (main < atMain) this.since.set(key, atMain);
  }

  snapshot(): ConditionSinceSnapshot {
    const keys = [...this.since.keys()].sort();
    return { keys, mains: keys.map((k) => this.since.get(k) as number) };
  }

  restore(data: unknown): void {
    const s = data as Partial<ConditionSinceSnapshot> | null;
    if (!Array.isArray(s?.keys) || !Array.isArray(s?.mains) || s.keys.length !== s.mains.length) {
      this.bad('keys and mains must be arrays of one length');
    }
    const next = new Map<ResourceKey, number>();
    s.keys.forEach((key, i) => {
      const main = (s.mains as unknown[])[i];
      if (typeof key !== 'string' || !Number.isSafeInteger(main) || (main as number) < 1) this.bad(`bad entry ${i}`);
      if (next.has(key)) this.bad(`duplicate key ${key}`);
      next.set(key, main as number);
    });
    this.since = next;
  }

  hashState(sink: HashSink): void {
    const { keys, mains } = this.snapshot();
    keys.forEach((key, i) => sink.update(`${key}\t${mains[i]}\n`));
  }

  private bad(why: string): never {
    throw new ProjectionError('PROJECTION_BAD_SNAPSHOT', `bad condition-since snapshot: ${why}`, { projection: this.name });
  }
}
