/**
 * The current record of every live resource: appeared and changed replace the record,
 * disappeared removes it. A Map keeps apply() O(1); ordered output (queries, snapshots,
 * hashes) sorts on the way out.
 */
import type { ResourceKey, ResourceRecord } from '../model/resource.js';
import type { LogEvent } from '../wal/types.js';
import { canonicalJson } from './canonical-json.js';
import { ProjectionError } from './errors.js';
import { assertNever } from './assert-never.js';
import { eventOf, isRecordShaped } from './event-payload.js';
import type { HashSink, Projection } from './projection.js';
import type { ResourceFilter } from './resource-filter.js';
import { matchesFilter } from './resource-filter.js';

export interface CurrentStateSnapshot {
  /** Ascending by key. */
  records: ResourceRecord[];
}

export class CurrentState implements Projection {
  readonly name = 'current-state';
  readonly version = 1;
  private records = new Map<ResourceKey, ResourceRecord>();
  /** sortedRecords() until the next change; null: to be sorted again. */
  private sorted: ResourceRecord[] | null = null;

  get size(): number {
    return this.records.size;
  }

  get(key: ResourceKey): ResourceRecord | undefined {
    return this.records.get(key);
  }

  /** Live records in no particular order (cheap; use `list` for ordered output). */
  values(): IterableIterator<ResourceRecord> {
    return this.records.values();
  }

  /** Live records matching `filter`, ascending by key. */
  list(filter: ResourceFilter = {}): ResourceRecord[] {
    return this.sortedRecords().filter((record) => matchesFilter(record, filter));
  }

  /**
   * Makes every record and map entry hold the key string `canonical` gives (the key
   * index's; see adoptKeyString): after a restore, where both were decoded separately.
   */
  adoptKeys(canonical: (key: ResourceKey) => ResourceKey | undefined): void {
    const next = new Map<ResourceKey, ResourceRecord>();
    for (const record of this.records.values()) {
      const key = canonical(record.key);
      if (key !== undefined && key === record.key) record.key = key;
      next.set(record.key, record);
    }
    this.records = next;
    this.sorted = null;
  }

  apply(log: LogEvent): void {
    const event = eventOf(log);
    switch (event.type) {
      case 'appeared':
      case 'changed':
        this.records.set(event.key, event.record);
        this.sorted = null;
        return;
      case 'disappeared':
        this.records.delete(event.key);
        this.sorted = null;
        return;
      case 'scope-scanned':
      case 'checkpoint':
      case 'compaction-scheduled':
      case 'compaction-finished':
      case 'log-repaired':
      case 'history-downsampled':
      case 'source-commit':
        return; // they leave resources as they are
      default:
        return assertNever(event);
    }
  }

  snapshot(): CurrentStateSnapshot {
    return { records: [...this.sortedRecords()] };
  }

  restore(data: unknown): void {
    const records = (data as Partial<CurrentStateSnapshot> | null)?.records;
    if (!Array.isArray(records)) this.bad('records must be an array');
    const next = new Map<ResourceKey, ResourceRecord>();
    for (const r of records as unknown[]) {
      if (!isRecordShaped(r)) this.bad('not a resource record');
      if (next.has(r.key)) this.bad(`duplicate key ${r.key}`);
      next.set(r.key, r);
    }
    this.records = next;
    this.sorted = null;
  }

  hashState(sink: HashSink): void {
    for (const record of this.sortedRecords()) {
      sink.update(canonicalJson(record));
      sink.update('\n');
    }
  }

  /**
   * Every live record ascending by key, sorted once per change of the set: whole-fleet
   * answers at the newest revision (sixteen clients at once, in the scale bench) then
   * filter a sorted list instead of each sorting the fleet. Callers never modify it.
   */
  private sortedRecords(): readonly ResourceRecord[] {
    this.sorted ??= [...this.records.values()].sort(byKey);
    return this.sorted;
  }

  private bad(why: string): never {
    throw new ProjectionError('PROJECTION_BAD_SNAPSHOT', `bad current-state snapshot: ${why}`, {
      projection: this.name,
    });
  }
}

function byKey(a: ResourceRecord, b: ResourceRecord): number {
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}
