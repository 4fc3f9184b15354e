/**
 * Live resource counts per type and per owner, and how many changes of each kind the log
 * has seen. Each live key points at a shared bucket (one per type × owner pair) holding the
 * live count, so apply() allocates nothing once the buckets exist, and a disappeared key
 * knows what to decrement without another projection's help.
 */
import type { ResourceKey } from '../model/resource.js';
import type { LogEvent } from '../wal/types.js';
import { ProjectionError } from './errors.js';
import { assertNever } from './assert-never.js';
import { eventOf, framedKind } from './event-payload.js';
import { EVENT_TAG_APPEARED, EVENT_TAG_CHANGED, EVENT_TAG_DISAPPEARED } from './event-frame-key.js';
import { ownKey, type CanonicalKey } from './canonical-keys.js';
import type { AscendingKeys, HashSink, PartRestorer, Projection } from './projection.js';
import { KeyedSlots } from './keyed-slots.js';
import type { KeyedValues } from './keyed-values.js';
import { IndexKeyedValues } from './index-keyed-values.js';
import type { KeySlots } from './key-slots.js';
import { CHECKPOINT_PART_ITEMS } from '../limits.js';

interface Bucket {
  readonly type: string;
  readonly owner: string | null;
  live: number;
}

export interface ChangeCounts {
  appeared: number;
  changed: number;
  disappeared: number;
  scopesComplete: number;
  scopesFailed: number;
}

export interface CountsSnapshot {
  /** Every bucket, ordered by type then owner (null first). */
  buckets: Array<{ type: string; owner: string | null }>;
  /** Live keys ascending, and per key the index of its bucket. */
  keys: ResourceKey[];
  bucketOfKey: number[];
  changes: ChangeCounts;
}

export class Counts implements Projection {
  readonly name = 'counts';
  /** 2: a bucket no live key is in is no part of the state (it was, kept from history, in 1). */
  readonly version: number = 2;
  /** Each live key's bucket (keyed-values.ts: by the key index's slots in the daemon's set). */
  private byKey: KeyedValues<Bucket>;
  private byType = new Map<string, Map<string | null, Bucket>>();
  private changes: ChangeCounts = zeroChanges();
  /** While deferring (deferBuckets): changes are counted, buckets wait for resolveBuckets. */
  private deferring = false;

  /**
   * With `keyedBy` (the key index, fed the same events first), each key's bucket is kept
   * by its key slots; recovery then restores this after it and rebuilds this with it.
   */
  constructor(readonly keyedBy?: KeySlots & Projection) {
    this.byKey = keyedBy === undefined ? new KeyedSlots() : new IndexKeyedValues(keyedBy);
  }

  /** Live resources in total. */
  get live(): number {
    return this.byKey.size;
  }

  /** Changes by kind since the start of the log (compaction does not reset them). */
  changesByKind(): Readonly<ChangeCounts> {
    return { ...this.changes };
  }

  liveByType(): Map<string, number> {
    const out = new Map<string, number>();
    for (const b of this.sortedBuckets()) if (b.live > 0) out.set(b.type, (out.get(b.type) ?? 0) + b.live);
    return out;
  }

  /** Live resources per owner, unowned (null) first, then owners in order. */
  liveByOwner(): Map<string | null, number> {
    const sums = new Map<string | null, number>();
    for (const b of this.sortedBuckets()) if (b.live > 0) sums.set(b.owner, (sums.get(b.owner) ?? 0) + b.live);
    const owners = [...sums.keys()].sort(compareOwners);
    return new Map(owners.map((o) => [o, sums.get(o) as number]));
  }

  /**
   * From now on a change its frame names is only counted, not sorted into its bucket,
   * until resolveBuckets() sorts the live records: for a replay from the start that reads
   * payloads on demand (the live records are read back at its end anyway). Starts from an
   * empty state.
   */
  deferBuckets(): void {
    if (this.byKey.size !== 0) throw new Error('counts deferred over a state that is not empty');
    this.deferring = true;
  }

  /** Ends deferBuckets(): every live record, each once, sorted into its bucket. */
  resolveBuckets(live: Iterable<{ key: ResourceKey; type: string; owner: string | null }>): void {
    if (!this.deferring) return;
    this.byKey = this.byKey.empty();
    this.byType = new Map();
    for (const record of live) {
      const bucket = this.bucket(record.type, record.owner);
      bucket.live++;
      this.byKey.set(record.key, bucket);
    }
    this.deferring = false;
  }

  apply(log: LogEvent): void {
    const framed = framedKind(log);
    if (framed !== 0 && this.deferring) {
      this.changes[framed === EVENT_TAG_APPEARED ? 'appeared' : framed === EVENT_TAG_CHANGED ? 'changed' : 'disappeared']++;
      return;
    }
    if (framed === EVENT_TAG_DISAPPEARED) return this.disappear(log.key as string);
    const event = eventOf(log);
    switch (event.type) {
      case 'appeared':
      case 'changed': {
        this.changes[event.type]++;
        const next = this.bucket(event.record.type, event.record.owner);
        const previous = this.byKey.get(event.key);
        if (previous === next) return;
        if (previous !== undefined) previous.live--;
        next.live++;
        this.byKey.set(event.key, next);
        return;
      }
      case 'disappeared':
        return this.disappear(event.key);
      case 'scope-scanned':
        // A suspect listing was complete; what it withheld is the guard's business.
        if (event.status === 'failed') this.changes.scopesFailed++;
        else this.changes.scopesComplete++;
        return;
      case 'checkpoint':
      case 'compaction-scheduled':
      case 'compaction-finished':
      case 'log-repaired':
      case 'history-downsampled':
      case 'source-commit':
        return;
      default:
        return assertNever(event);
    }
  }

  private disappear(key: ResourceKey): void {
    this.changes.disappeared++;
    const previous = this.byKey.get(key);
    if (previous === undefined) return;
    previous.live--;
    this.byKey.delete(key);
  }

  snapshot(): CountsSnapshot {
    const [only] = this.snapshotParts(Number.MAX_SAFE_INTEGER);
    return only as CountsSnapshot;
  }

  restore(data: unknown, canonical?: CanonicalKey): void {
    const restorer = this.restorer(canonical);
    restorer.add(data);
    restorer.finish();
  }

  /** The snapshot in parts of `keysPerPart` keys (at least one), each with the buckets and change counts. */
  *snapshotParts(keysPerPart = CHECKPOINT_PART_ITEMS, ascending?: AscendingKeys): Generator<CountsSnapshot> {
    const sorted = this.sortedBuckets().filter((b) => b.live > 0);
    const index = new Map<Bucket, number>();
    sorted.forEach((b, i) => index.set(b, i));
    const buckets = sorted.map((b) => ({ type: b.type, owner: b.owner }));
    const changes = { ...this.changes };
    for (const [keys, of] of this.byKey.ascendingChunks(keysPerPart, ascending)) {
      yield { buckets, keys, bucketOfKey: of.map((b) => index.get(b) as number), changes };
    }
  }

  restorer(canonical: CanonicalKey = ownKey): PartRestorer {
    let first: CountsSnapshot | null = null;
    let restored: Bucket[] = [];
    return {
      add: (data) => {
        const snap = data as Partial<CountsSnapshot> | null;
        const { buckets, keys, bucketOfKey, changes } = snap ?? {};
        if (!Array.isArray(buckets) || !Array.isArray(keys) || !Array.isArray(bucketOfKey)) this.bad('missing arrays');
        if (keys.length !== bucketOfKey.length || !isChangeCounts(changes)) this.bad('keys, buckets or changes malformed');
        if (first === null) {
          first = { buckets, keys, bucketOfKey, changes };
          this.byKey = this.byKey.empty();
          this.byType = new Map();
          restored = [];
          for (const b of buckets as unknown[]) {
            const { type, owner } = (b ?? {}) as { type?: unknown; owner?: unknown };
            if (typeof type !== 'string' || !(owner === null || typeof owner === 'string')) this.bad('bad bucket');
            restored.push(this.bucket(type, owner));
          }
          this.changes = { ...changes };
        } else if (JSON.stringify(buckets) !== JSON.stringify(first.buckets) || JSON.stringify(changes) !== JSON.stringify(first.changes)) {
          this.bad('parts disagree on the buckets or the change counts');
        }
        keys.forEach((key, i) => {
          const bucket = restored[bucketOfKey[i] as number];
          if (typeof key !== 'string' || bucket === undefined) this.bad(`bad key entry ${i}`);
          const refused = this.byKey.addNew(canonical(key), bucket);
          if (refused !== null) this.bad(refused);
          bucket.live++;
        });
      },
      finish: () => {
        if (first === null) this.bad('no part');
      },
    };
  }

  hashState(sink: HashSink): void {
    const c = this.changes;
    sink.update(`changes ${c.appeared} ${c.changed} ${c.disappeared} ${c.scopesComplete} ${c.scopesFailed}\n`);
    for (const b of this.sortedBuckets()) if (b.live > 0) sink.update(`${b.type}\u0000${b.owner ?? '\u0001'}\u0000${b.live}\n`);
    for (const key of [...this.byKey.keys()].sort()) {
      const b = this.byKey.get(key) as Bucket;
      sink.update(`${key}\u0000${b.type}\u0000${b.owner ?? '\u0001'}\n`);
    }
  }

  private bucket(type: string, owner: string | null): Bucket {
    let owners = this.byType.get(type);
    if (owners === undefined) {
      owners = new Map();
      this.byType.set(type, owners);
    }
    let bucket = owners.get(owner);
    if (bucket === undefined) {
      bucket = { type, owner, live: 0 };
      owners.set(owner, bucket);
    }
    return bucket;
  }

  private sortedBuckets(): Bucket[] {
    const out: Bucket[] = [];
    for (const owners of this.byType.values()) for (const b of owners.values()) out.push(b);
    return out.sort(compareBuckets);
  }

  private bad(why: string): never {
    throw new ProjectionError('PROJECTION_BAD_SNAPSHOT', `bad counts snapshot: ${why}`, { projection: this.name });
  }
}

function zeroChanges(): ChangeCounts {
  return { appeared: 0, changed: 0, disappeared: 0, scopesComplete: 0, scopesFailed: 0 };
}

function isChangeCounts(v: unknown): v is ChangeCounts {
  if (typeof v !== 'object' || v === null) return false;
  const c = v as Record<string, unknown>;
  return Object.keys(zeroChanges()).every((k) => Number.isSafeInteger(c[k]) && (c[k] as number) >= 0);
}

function compareBuckets(a: Bucket, b: Bucket): number {
  if (a.type !== b.type) return a.type < b.type ? -1 : 1;
  return compareOwners(a.owner, b.owner);
}

function compareOwners(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  return a < b ? -1 : 1;
}
