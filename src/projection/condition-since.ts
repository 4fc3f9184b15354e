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
 * It also says whether the run began when the key's lifetime did (first seen in the
 * condition): then the report needs no look at the key index for the resource's first
 * sight. A run the compaction point clamps (begun at or below it) counts as begun at
 * first sight: both began at or before the start of history.
 *
 * Per resource in the condition (most live resources are in none), the run's start main
 * times two, plus one when it began at first sight: in a map of its own, or, in the
 * daemon's projection set, in an array by the key index's slots (keyed-values.ts), an
 * entry for every key the index holds.
 */
import type { ResourceKey } from '../model/resource.js';
import { inAgedCondition } from '../model/waste-conditions.js';
import type { LogEvent } from '../wal/types.js';
import { assertNever } from './assert-never.js';
import { ProjectionError } from './errors.js';
import { eventOf, framedAged, framedKind } from './event-payload.js';
import { EVENT_TAG_APPEARED, EVENT_TAG_CHANGED } from './event-frame-key.js';
import { ownKey, type CanonicalKey } from './canonical-keys.js';
import type { AscendingKeys, HashSink, PartRestorer, Projection } from './projection.js';
import { KeyedSlots } from './keyed-slots.js';
import type { KeyedValues } from './keyed-values.js';
import { IndexKeyedValues } from './index-keyed-values.js';
import type { KeySlots } from './key-slots.js';
import { CHECKPOINT_PART_ITEMS } from '../limits.js';

export interface ConditionSinceSnapshot {
  /** Keys in the condition, ascending, and the main its run began at. */
  keys: ResourceKey[];
  mains: number[];
  /** Per key, 1 when its run began at first sight, else 0. */
  firstSight: number[];
}

export class ConditionSince implements Projection {
  readonly name = 'condition-since';
  readonly version: number = 2;
  /** since main * 2 + (began at first sight ? 1 : 0), by key (keyed-values.ts). */
  private since: KeyedValues<number>;

  /**
   * With `keyedBy` (the key index, fed the same events first), runs are kept by its key
   * slots; recovery then restores this after it and rebuilds this with it (keyedBy).
   */
  constructor(readonly keyedBy?: KeySlots & Projection) {
    this.since = keyedBy === undefined ? new KeyedSlots() : new IndexKeyedValues(keyedBy);
  }

  /** Keys in the condition now. */
  get size(): number {
    return this.since.size;
  }

  /** The main where the key's current run in the condition began; undefined: not in it. */
  sinceMain(key: ResourceKey): number | undefined {
    const run = this.since.get(key);
    return run === undefined ? undefined : Math.floor(run / 2);
  }

  /** The key's run in the condition began when its lifetime did (false: not in it). */
  sinceFirstSight(key: ResourceKey): boolean {
    return (this.since.get(key) ?? 0) % 2 === 1;
  }

  apply(log: LogEvent): void {
    // A change its frame names carries whether its record is in the condition (the tag's
    // EVENT_TAG_AGED, from inAgedCondition when it was written): the payload is not read.
    const framed = framedKind(log);
    if (framed !== 0) return this.applyFramed(log, framed, log.key as string);
    const event = eventOf(log);
    switch (event.type) {
      case 'appeared':
        // A new lifetime: nothing of an earlier one carries over.
        if (inAgedCondition(event.record)) this.since.set(event.key, run(log.main, true));
        else this.since.delete(event.key);
        return;
      case 'changed':
        if (!inAgedCondition(event.record)) this.since.delete(event.key);
        else if (this.since.get(event.key) === undefined) this.since.set(event.key, run(log.main, false));
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

  private applyFramed(log: LogEvent, kind: number, key: ResourceKey): void {
    const aged = framedAged(log);
    if (kind === EVENT_TAG_APPEARED) {
      if (aged) this.since.set(key, run(log.main, true));
      else this.since.delete(key);
    } else if (kind === EVENT_TAG_CHANGED) {
      if (!aged) this.since.delete(key);
      else if (this.since.get(key) === undefined) this.since.set(key, run(log.main, false));
    } else this.since.delete(key);
  }

  /**
   * History at or below `atMain` is gone: a run that began there began "at or before the
   * compaction point", and is kept as atMain. A projection rebuilt from the compaction
   * base sees each key's visible event there instead of the run's start; after this both
   * hold the same, so their hashes agree (the report shows either as "at least" the
   * start of history).
   */
  private compactTo(atMain: number): void {
    // At the point itself too: the key index holds no earlier entry of it, so its run
    // began "at first sight" there, as a rebuild from the base (whose event for the key
    // may be a change at exactly atMain) also finds.
    const since = this.since;
    for (let slot = 0; slot < since.slotLimit; slot++) {
      const packed = since.valueAt(slot);
      if (packed !== undefined && Math.floor(packed / 2) <= atMain) since.setAt(slot, run(atMain, true));
    }
  }

  snapshot(): ConditionSinceSnapshot {
    const [only] = this.snapshotParts(Number.MAX_SAFE_INTEGER);
    return only as ConditionSinceSnapshot;
  }

  restore(data: unknown, canonical?: CanonicalKey): void {
    const restorer = this.restorer(canonical);
    restorer.add(data);
    restorer.finish();
  }

  /** The snapshot in parts of `keysPerPart` keys (at least one). */
  *snapshotParts(keysPerPart = CHECKPOINT_PART_ITEMS, ascending?: AscendingKeys): Generator<ConditionSinceSnapshot> {
    for (const [keys, packed] of this.since.ascendingChunks(keysPerPart, ascending)) {
      yield { keys, mains: packed.map((p) => Math.floor(p / 2)), firstSight: packed.map((p) => p % 2) };
    }
  }

  restorer(canonical: CanonicalKey = ownKey): PartRestorer {
    const next = this.since.empty();
    let parts = 0;
    return {
      add: (data) => {
        const s = data as Partial<ConditionSinceSnapshot> | null;
        if (!Array.isArray(s?.keys) || !Array.isArray(s?.mains) || !Array.isArray(s?.firstSight) || s.keys.length !== s.mains.length || s.keys.length !== s.firstSight.length) {
          this.bad('keys, mains and firstSight must be arrays of one length');
        }
        s.keys.forEach((key, i) => {
          const main = (s.mains as unknown[])[i];
          const first = (s.firstSight as unknown[])[i];
          if (typeof key !== 'string' || !Number.isSafeInteger(main) || (main as number) < 1 || (first !== 0 && first !== 1)) this.bad(`bad entry ${i}`);
          const refused = next.addNew(canonical(key), run(main as number, first === 1));
          if (refused !== null) this.bad(refused);
        });
        parts++;
      },
      finish: () => {
        if (parts === 0) this.bad('no part');
        this.since = next;
      },
    };
  }

  hashState(sink: HashSink): void {
    const { keys, mains, firstSight } = this.snapshot();
    keys.forEach((key, i) => sink.update(`${key}\t${mains[i]}${firstSight[i] === 1 ? '\tfirst' : ''}\n`));
  }

  private bad(why: string): never {
    throw new ProjectionError('PROJECTION_BAD_SNAPSHOT', `bad condition-since snapshot: ${why}`, { projection: this.name });
  }
}

function run(sinceMain: number, atFirstSight: boolean): number {
  return sinceMain * 2 + (atFirstSight ? 1 : 0);
}
