/**
 * The current record of every live resource: appeared and changed replace the record,
 * disappeared removes it. Records are kept in slots (keyed-values.ts: the key index's, in
 * the daemon's projection set), which keeps apply() O(1) and lets change detection reach a
 * record by slot; ordered output (queries, snapshots, hashes) sorts on the way out.
 *
 * During a recovery's replay it can keep, instead of each record, where the record is in
 * the log (deferRecords), and read back only the live keys' last records at the end
 * (resolveDeferred). A replay hands it every revision of every key, and held records lived
 * just long enough to be copied by the young-generation collector once or twice before
 * being superseded: at 100 k resources and 1 M events that copying was about a third of
 * the whole replay.
 */
import { CHECKPOINT_PART_ITEMS } from '../limits.js';
import type { ResourceKey, ResourceRecord } from '../model/resource.js';
import { compareLocations, type RecordLocation } from '../model/record-location.js';
import type { LogEvent } from '../wal/types.js';
import { canonicalJson } from './canonical-json.js';
import { ProjectionError } from './errors.js';
import { assertNever } from './assert-never.js';
import { eventOf, framedKind, isRecordShaped } from './event-payload.js';
import { EVENT_TAG_DISAPPEARED } from './event-frame-key.js';
import type { AscendingKeys, HashSink, PartRestorer, Projection } from './projection.js';
import { StringPool } from './string-pool.js';
import { pooledRecord } from './pooled-record.js';
import { KeyedSlots } from './keyed-slots.js';
import type { KeyedValues } from './keyed-values.js';
import { IndexKeyedValues } from './index-keyed-values.js';
import type { KeySlots } from './key-slots.js';
import { scopePrefixOfKey } from '../model/scope.js';
import { ownKey, type CanonicalKey } from './canonical-keys.js';
import type { ResourceFilter } from './resource-filter.js';
import { matchesFilter } from './resource-filter.js';

/**
 * Where each live key's last record is in the log, kept by another projection fed the same
 * events (the key index: KeyIndexProjection.liveRecordLocations), so that a replay deferring
 * the records need not keep them twice.
 */
export interface LiveRecordLocations {
  liveRecordLocations(): Iterable<readonly [ResourceKey, RecordLocation]>;
}

export interface CurrentStateSnapshot {
  /** Ascending by key. */
  records: ResourceRecord[];
}

export class CurrentState implements Projection {
  readonly name = 'current-state';
  readonly version: number = 1;
  private records: KeyedValues<ResourceRecord>;
  /** sortedRecords() until the next change; null: to be sorted again. */
  private sorted: ResourceRecord[] | null = null;
  /** One copy of each short string value across the records held. */
  private readonly strings = new StringPool();
  /** Live keys by scope prefix (liveInScope), counted when first asked, then kept; null: not counted. */
  private scopeCounts: Map<string, number> | null = null;
  /**
   * While deferring: where each key replayed since has its last record (see
   * resolveDeferred), kept here, or by another projection (deferRecords).
   */
  private deferred: Map<ResourceKey, RecordLocation> | LiveRecordLocations | null = null;

  /**
   * With `keyedBy` (the key index, fed the same events first), records are kept by its key
   * slots (IndexKeyedValues); recovery then restores this after it and rebuilds this with
   * it. Alone, it numbers its keys itself (KeyedSlots).
   */
  constructor(readonly keyedBy?: KeySlots & Projection) {
    this.records = keyedBy === undefined ? new KeyedSlots() : new IndexKeyedValues(keyedBy);
  }

  get size(): number {
    this.assertResolved();
    return this.records.size;
  }

  get(key: ResourceKey): ResourceRecord | undefined {
    this.assertResolved();
    return this.records.get(key);
  }

  /** The slot of a live key, or -1 (KeyedSlots: a slot stays a key's own while it lives). */
  slotOf(key: ResourceKey): number {
    this.assertResolved();
    return this.records.slotOf(key);
  }

  /** The key in `slot`, or undefined when no live key holds it. */
  keyAt(slot: number): ResourceKey | undefined {
    this.assertResolved();
    return this.records.keyAt(slot);
  }

  /** The record in `slot`, or undefined when no live key holds it. */
  recordAt(slot: number): ResourceRecord | undefined {
    this.assertResolved();
    return this.records.valueAt(slot);
  }

  /** Every slot is below it. */
  get slotLimit(): number {
    return this.records.slotLimit;
  }

  /**
   * How many live keys start with `prefix`, a scope's (`provider/account/region/type/`, as
   * scopePrefix gives it). Counted over every key the first time (~0.1 s at a million),
   * then kept as keys come and go: change detection asks it of every scope every cycle,
   * where walking the scope's keys in the key index took ~0.6 s of a cycle at a million.
   */
  liveInScope(prefix: string): number {
    this.assertResolved();
    if (this.scopeCounts === null) {
      const counts = new Map<string, number>();
      for (const key of this.records.keys()) {
        const scope = scopePrefixOfKey(key);
        if (scope !== null) counts.set(scope, (counts.get(scope) ?? 0) + 1);
      }
      this.scopeCounts = counts;
    }
    return this.scopeCounts.get(prefix) ?? 0;
  }

  /** Live records in no particular order, a new array (cheap; use `list` for ordered output). */
  values(): readonly ResourceRecord[] {
    this.assertResolved();
    return this.records.values();
  }

  /**
   * From now on apply() keeps where a key's record is in the log instead of the record,
   * until resolveDeferred(). For a replay from the log (every location stays readable);
   * nothing may read the state meanwhile.
   *
   * With `kept` (a replay from the start of the log, into an empty state, beside the key
   * index), apply() keeps nothing at all, and resolveDeferred takes the live keys' last
   * locations from `kept`: a full replay at 1 M resources / 10 M events spent ~5.5 s of
   * ~64 s setting a map entry per change here, and more collecting the locations it held.
   */
  deferRecords(kept?: LiveRecordLocations): void {
    if (kept === undefined) {
      this.deferred ??= new Map();
      return;
    }
    if (this.deferred !== null || this.records.size > 0) throw new Error('deferring to another projection starts from an empty state');
    this.deferred = kept;
  }

  /**
   * Ends deferRecords(): `read` is given the locations of the live keys' last records, in
   * log order, and returns their payloads (the events written there), which must be the
   * appeared or changed events of those keys.
   */
  async resolveDeferred(read: (locations: readonly RecordLocation[]) => Promise<unknown[]>): Promise<void> {
    const deferred = this.deferred;
    if (deferred === null) return;
    const held = deferred instanceof Map ? deferred : deferred.liveRecordLocations();
    const entries = Array.from(held).sort((a, b) => compareLocations(a[1], b[1])); // each pair a fresh array already
    const payloads = await read(entries.map((e) => e[1]));
    if (payloads.length !== entries.length) throw new Error(`read back ${payloads.length} records for ${entries.length} locations`);
    let previous: ResourceRecord | undefined; // neighbours in the log are mostly alike (restorer)
    for (let n = 0; n < entries.length; n++) {
      const [key, location] = entries[n] as readonly [ResourceKey, RecordLocation];
      const record = recordFor(key, payloads[n]);
      if (record === null) {
        throw new ProjectionError('PROJECTION_BAD_EVENT', `the record read back for ${key} is not its appeared or changed event`, { location });
      }
      this.records.set(key, (previous = this.keep(record, key, previous)));
    }
    this.deferred = null;
    this.scopeCounts = null;
    this.sorted = null;
  }

  /** Live records matching `filter`, ascending by key. */
  list(filter: ResourceFilter = {}): ResourceRecord[] {
    return this.sortedRecords().filter((record) => matchesFilter(record, filter));
  }

  apply(log: LogEvent): void {
    // A change its frame names: while deferring, or when it is gone, the key is enough
    // (a replay reading payloads on demand never decodes it).
    const framed = framedKind(log);
    const deferred = this.deferred;
    if (deferred !== null && !(deferred instanceof Map)) return this.keptElsewhere(log);
    if (framed === EVENT_TAG_DISAPPEARED) return this.remove(log.key as string);
    if (framed !== 0 && deferred !== null) {
      deferred.set(log.key as string, log.location);
      this.sorted = null;
      return;
    }
    const event = eventOf(log);
    switch (event.type) {
      case 'appeared':
      case 'changed': {
        const key = framed !== 0 ? (log.key as string) : event.key; // the key index's string
        if (deferred !== null) deferred.set(key, log.location);
        else {
          const slot = this.records.slotOf(key);
          if (slot >= 0) this.records.setAt(slot, this.keep(event.record, key, this.records.valueAt(slot)));
          else {
            this.records.set(key, this.keep(event.record, key, undefined));
            this.countInScope(key, 1);
          }
        }
        this.sorted = null;
        return;
      }
      case 'disappeared':
        return this.remove(event.key);
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

  private remove(key: ResourceKey): void {
    if (this.records.delete(key)) this.countInScope(key, -1);
    if (this.deferred instanceof Map) this.deferred.delete(key);
    this.sorted = null;
  }

  /**
   * apply() while another projection keeps the locations (deferRecords(kept)): the state
   * is empty and stays so until resolveDeferred; an event that is no Elava event still
   * fails here as it would have (a framed change is one by its frame).
   */
  private keptElsewhere(log: LogEvent): void {
    if (framedKind(log) === 0) eventOf(log);
    this.sorted = null;
  }

  snapshot(): CurrentStateSnapshot {
    this.assertResolved();
    return { records: [...this.sortedRecords()] };
  }

  restore(data: unknown, canonical?: CanonicalKey): void {
    const restorer = this.restorer(canonical);
    restorer.add(data);
    restorer.finish();
  }

  /**
   * The snapshot in parts of `recordsPerPart` records (at least one part), ascending by
   * key: from the sorted list when a query has made it, else walking `ascending` (sorting
   * a million records would hold the event loop ~0.4 s).
   */
  *snapshotParts(recordsPerPart = CHECKPOINT_PART_ITEMS, ascending?: AscendingKeys): Generator<CurrentStateSnapshot> {
    this.assertResolved();
    if (this.sorted === null && ascending !== undefined) {
      for (const [, records] of this.records.ascendingChunks(recordsPerPart, ascending)) yield { records };
      return;
    }
    const records = this.sortedRecords();
    for (let from = 0; from === 0 || from < records.length; from += recordsPerPart) {
      yield { records: records.slice(from, from + recordsPerPart) };
    }
  }

  partFirstKey(part: unknown): string | null {
    return (part as CurrentStateSnapshot).records[0]?.key ?? null;
  }

  restorer(canonical: CanonicalKey = ownKey): PartRestorer {
    const next = this.records.empty();
    // Neighbours in key order are mostly alike (one account, region, type, state, tag
    // values): each record's strings are pooled beside the one restored before it, so an
    // equal value is compared, not hashed (StringPool.internValues).
    let previous: ResourceRecord | undefined;
    return {
      add: (data) => {
        const records = (data as Partial<CurrentStateSnapshot> | null)?.records;
        if (!Array.isArray(records)) this.bad('records must be an array');
        for (const r of records as unknown[]) {
          if (!isRecordShaped(r)) this.bad('not a resource record');
          const key = canonical(r.key);
          const refused = next.addNew(key, (previous = this.keep(r, key, previous)));
          if (refused !== null) this.bad(refused);
        }
      },
      finish: () => {
        this.records = next;
        this.sorted = null;
        this.scopeCounts = null;
      },
    };
  }

  hashState(sink: HashSink): void {
    this.assertResolved();
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
    this.assertResolved();
    this.sorted ??= this.records.values().sort(byKey); // a new array (KeyedSlots.values)
    return this.sorted;
  }

  /**
   * `record` as it is kept, under `key` (the key index's one string): its strings pooled
   * (`like`: the record it replaces, or its neighbour), and its `id`, when the key ends in
   * it, a view of the key's last characters. Ids are unique: pooling them hashed a string
   * and filled the pool for nothing (a restart at 1 M spent ~2.4 s pooling), and the key
   * is kept as long as the record is, so the view pins nothing more.
   */
  private keep(record: ResourceRecord, key: ResourceKey, like: ResourceRecord | undefined): ResourceRecord {
    return pooledRecord(this.strings, record, key, like);
  }

  private countInScope(key: ResourceKey, by: 1 | -1): void {
    const counts = this.scopeCounts;
    if (counts === null) return; // not counted yet: liveInScope counts them all
    const scope = scopePrefixOfKey(key);
    if (scope !== null) counts.set(scope, (counts.get(scope) ?? 0) + by);
  }

  private assertResolved(): void {
    if (this.deferred !== null) throw new Error('current-state read while its records are deferred (resolveDeferred first)');
  }

  private bad(why: string): never {
    throw new ProjectionError('PROJECTION_BAD_SNAPSHOT', `bad current-state snapshot: ${why}`, {
      projection: this.name,
    });
  }
}

/** The record of an appeared or changed event of `key`, or null when `payload` is not one. */
function recordFor(key: ResourceKey, payload: unknown): ResourceRecord | null {
  const p = payload as { type?: unknown; key?: unknown; record?: unknown } | null;
  if (typeof p !== 'object' || p === null || (p.type !== 'appeared' && p.type !== 'changed') || p.key !== key) return null;
  return isRecordShaped(p.record) && p.record.key === key ? p.record : null;
}

function byKey(a: ResourceRecord, b: ResourceRecord): number {
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}
