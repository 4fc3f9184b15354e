/**
 * What a checkpoint holds, in the parts of its file (snap-file.ts), and the checks made on
 * it after decoding. Format 2: every projection's snapshot in one or more parts of its own
 * (snapshot-parts.ts: the key index and the current state write ~16 k keys or records per
 * part), the compaction base in a part of its own, and last a meta part (msgpackr):
 *
 *   format        2
 *   coversMain    every commit up to this revision main is folded into the states
 *   createdMs     wall-clock time it was written
 *   structures    the log's msgpackr structure table at coversMain (decodes every record
 *                 before it: history point reads need it)
 *   projections   [{ name, version, first, count, firstKeys? }]: the parts
 *                 first..first+count-1 hold that projection's snapshot parts, in order;
 *                 `firstKeys` (projections whose parts are ranges of resource keys, the key
 *                 index and the current state) gives each part's first key (null: empty),
 *                 so a reader wanting one key reads one part (partsFor)
 *   base          null, or the compaction base: { atMain, part } where part `part` is a
 *                 msgpackr-encoded array of BaseEvent, ascending by revision: for every key
 *                 visible at atMain, the event visible for it. Replay can start from it
 *                 when the log below atMain has been deleted.
 *
 * Format 1 (read only): the file's one part is { format: 1, coversMain, createdMs,
 * structures, projections: [{ name, version, state }], base: { atMain, events } | null }.
 *
 * Loading (LoadedCheckpoint.open) reads the meta and the base; each projection's parts are read,
 * CRC-checked and decoded only as restore asks for them, one at a time.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import { Packr, Unpackr } from 'msgpackr';
import type { WalFileSystem } from '../wal/file-system.js';
import type { StructureTable } from '../wal/codec.js';
import type { LogEntry, LogEvent, RecordLocation } from '../wal/types.js';
import { SnapshotError } from './errors.js';
import { SNAP_FORMAT_VERSION_ONE_BODY, SnapReader, SnapWriter } from './snap-file.js';

export const CHECKPOINT_BODY_FORMAT = 2;
const CHECKPOINT_BODY_FORMAT_ONE = 1;

/** A projection's saved snapshot: where its parts are (format 2) or its one state (format 1). */
export interface SavedProjection {
  name: string;
  version: number;
  first: number;
  count: number;
  /** Each part's first resource key (parts ascending by key); absent: parts are not key ranges. */
  firstKeys?: (string | null)[];
}

export interface EncodedBase {
  atMain: number;
  events: Uint8Array;
}

export interface CheckpointBody {
  format: number;
  coversMain: number;
  createdMs: number;
  structures: StructureTable;
  projections: SavedProjection[];
  base: EncodedBase | null;
}

/** What takeCheckpoint writes: each projection's snapshot parts, produced as they are written. */
export interface CheckpointContent {
  coversMain: number;
  createdMs: number;
  structures: StructureTable;
  projections: { name: string; version: number; parts: Iterable<unknown>; firstKey?: (part: unknown) => string | null }[];
  base: { atMain: number; events: readonly BaseEvent[] } | null;
}

/** One event of a compaction base: revision, commit time, original log location, payload. */
export type BaseEvent = [main: number, sub: number, timeMs: number, segment: string, offsetBytes: number, payload: unknown];

const packr = new Packr({ variableMapSize: true });
const unpackr = new Unpackr({ mapsAsObjects: true });
/** Parts are decoded from a reused buffer: byte strings in them must be copies, not views. */
const partUnpackr = new Unpackr({ mapsAsObjects: true, copyBuffers: true });

/**
 * Writes `content` to `name` in `dir` (durably, see SnapWriter), encoding one part at a
 * time and giving the event loop a turn after each, so a daemon writing the checkpoint of
 * a million resources stays reachable; resolves with the file's size in bytes. The
 * caller keeps the state still until it resolves (takeCheckpoint holds commits back).
 */
export async function writeCheckpoint(wfs: WalFileSystem, dir: string, name: string, content: CheckpointContent, flags: number): Promise<number> {
  const writer = new SnapWriter(wfs, dir, name);
  try {
    const projections: SavedProjection[] = [];
    for (const p of content.projections) {
      let first = -1;
      let count = 0;
      const firstKeys: (string | null)[] = [];
      for (const part of p.parts) {
        if (p.firstKey !== undefined) firstKeys.push(p.firstKey(part));
        const index = writer.add(packr.pack(part));
        await nextTurn();
        if (first < 0) first = index;
        count++;
      }
      const saved: SavedProjection = { name: p.name, version: p.version, first: Math.max(first, 0), count };
      if (p.firstKey !== undefined) saved.firstKeys = firstKeys;
      projections.push(saved);
    }
    const base = content.base === null ? null : { atMain: content.base.atMain, part: writer.add(encodeBaseEvents(content.base.events)) };
    writer.add(packr.pack({ format: CHECKPOINT_BODY_FORMAT, coversMain: content.coversMain, createdMs: content.createdMs, structures: content.structures, projections, base }));
    return writer.finish(flags);
  } catch (err) {
    writer.abandon();
    throw err;
  }
}

/**
 * An open checkpoint: its meta (`body`), and its projections' parts read on demand.
 * Close it once restored (it holds the file open).
 */
export class LoadedCheckpoint {
  private constructor(
    readonly body: CheckpointBody,
    private readonly reader: SnapReader,
    /** Format 1: each projection's one state, by name. */
    private readonly states: Map<string, unknown> | null,
  ) {}

  /** Opens and checks `name`: SnapshotError when it is damaged (SNAPSHOT_IO when unreadable). */
  static open(wfs: WalFileSystem, dir: string, name: string): LoadedCheckpoint {
    const reader = SnapReader.open(wfs, dir, name);
    try {
      if (reader.version === SNAP_FORMAT_VERSION_ONE_BODY) {
        const { body, states } = decodeBodyOne(reader.part(0), name);
        return new LoadedCheckpoint(body, reader, states);
      }
      if (reader.partCount === 0) throw bad(name, 'no meta part');
      const metaIndex = reader.partCount - 1;
      const meta = decodeMeta(decodePart(reader.part(metaIndex), name, 'meta'), name, metaIndex);
      const base = meta.base === null ? null : { atMain: meta.base.atMain, events: Buffer.from(reader.part(meta.base.part)) };
      return new LoadedCheckpoint({ ...meta, base }, reader, null);
    } catch (err) {
      reader.close();
      throw err;
    }
  }

  get name(): string {
    return this.reader.name;
  }

  get sizeBytes(): number {
    return this.reader.sizeBytes;
  }

  /** The file's bytes before `saved`'s part `n` (progress through the file). */
  bytesBefore(saved: SavedProjection, n: number): number {
    return this.states === null ? this.reader.offsetOf(saved.first + n) : 0;
  }

  /** `saved`'s snapshot parts, each read, CRC-checked and decoded when asked for. */
  *parts(saved: SavedProjection): Generator<unknown> {
    if (this.states !== null) {
      yield this.states.get(saved.name);
      return;
    }
    for (let i = saved.first; i < saved.first + saved.count; i++) yield decodePart(this.reader.part(i), this.name, `part ${i}`);
  }

  /**
   * The parts that can hold `key`: for parts that are key ranges, the one whose range
   * covers it (the last whose first key is at or below it, else the first); else all.
   */
  *partsFor(saved: SavedProjection, key: string): Generator<unknown> {
    const firstKeys = saved.firstKeys;
    if (firstKeys === undefined || this.states !== null) {
      yield* this.parts(saved);
      return;
    }
    let n = 0;
    firstKeys.forEach((first, i) => {
      if (first !== null && first <= key) n = i;
    });
    yield decodePart(this.reader.part(saved.first + n), this.name, `part ${saved.first + n}`);
  }

  close(): void {
    this.reader.close();
  }
}

function decodePart(bytes: Uint8Array, file: string, what: string): unknown {
  try {
    return partUnpackr.unpack(bytes);
  } catch (err) {
    throw bad(file, `${what} does not decode`, err);
  }
}

function decodeMeta(value: unknown, file: string, metaIndex: number): Omit<CheckpointBody, 'base'> & { base: { atMain: number; part: number } | null } {
  const b = (value ?? {}) as Record<string, unknown>;
  if (b['format'] !== CHECKPOINT_BODY_FORMAT) throw bad(file, `unknown body format ${String(b['format'])}`);
  const { coversMain, createdMs, structures, projections, base } = b;
  if (!isCount(coversMain) || typeof createdMs !== 'number') throw bad(file, 'bad coversMain or createdMs');
  if (!isStructureTable(structures)) throw bad(file, 'bad structure table');
  const isPartRange = (first: unknown, count: unknown): boolean => isCount(first) && isCount(count) && first + count <= metaIndex;
  const saved = Array.isArray(projections) ? (projections as unknown[]) : [];
  const isFirstKeys = (keys: unknown, count: unknown): boolean =>
    keys === undefined || (Array.isArray(keys) && keys.length === count && keys.every((k, i) => k === null || (typeof k === 'string' && (i === 0 || keys[i - 1] === null || (keys[i - 1] as string) < k))));
  if (!Array.isArray(projections) || !saved.every((p) => {
    const q = (p ?? {}) as Record<string, unknown>;
    return typeof q['name'] === 'string' && Number.isSafeInteger(q['version']) && isPartRange(q['first'], q['count']) && isFirstKeys(q['firstKeys'], q['count']);
  })) throw bad(file, 'bad projection list');
  let parsedBase: { atMain: number; part: number } | null = null;
  if (base !== null && base !== undefined) {
    const { atMain, part } = base as Record<string, unknown>;
    if (!isCount(atMain) || atMain > coversMain || !isPartRange(part, 1)) throw bad(file, 'bad compaction base');
    parsedBase = { atMain, part: part as number };
  }
  return { format: CHECKPOINT_BODY_FORMAT, coversMain, createdMs, structures, projections: saved as SavedProjection[], base: parsedBase };
}

/** A format-1 body: the meta, and each projection's one state by name. */
function decodeBodyOne(bytes: Uint8Array, file: string): { body: CheckpointBody; states: Map<string, unknown> } {
  let value: unknown;
  try {
    value = unpackr.unpack(bytes);
  } catch (err) {
    throw bad(file, 'body does not decode', err);
  }
  const b = (value ?? {}) as Record<string, unknown>;
  if (b['format'] !== CHECKPOINT_BODY_FORMAT_ONE) throw bad(file, `unknown body format ${String(b['format'])}`);
  const { coversMain, createdMs, structures, projections } = b;
  if (!isCount(coversMain) || typeof createdMs !== 'number') throw bad(file, 'bad coversMain or createdMs');
  if (!isStructureTable(structures)) throw bad(file, 'bad structure table');
  if (!Array.isArray(projections) || !projections.every(isStateOne)) throw bad(file, 'bad projection list');
  const base = b['base'] ?? null;
  if (base !== null) {
    const { atMain, events } = base as Partial<EncodedBase>;
    if (!isCount(atMain) || atMain > coversMain || !(events instanceof Uint8Array)) throw bad(file, 'bad compaction base');
  }
  const states = new Map<string, unknown>();
  for (const p of projections as { name: string; state: unknown }[]) states.set(p.name, p.state);
  const saved = (projections as { name: string; version: number }[]).map((p) => ({ name: p.name, version: p.version, first: 0, count: 1 }));
  const body = { format: CHECKPOINT_BODY_FORMAT_ONE, coversMain, createdMs, structures, projections: saved, base: base as EncodedBase | null };
  return { body, states };
}

export function encodeBaseEvents(events: readonly BaseEvent[]): Uint8Array {
  return packr.pack(events);
}

export function decodeBaseEvents(base: EncodedBase, file: string): BaseEvent[] {
  let value: unknown;
  try {
    value = unpackr.unpack(base.events);
  } catch (err) {
    throw bad(file, 'compaction base does not decode', err);
  }
  if (!Array.isArray(value)) throw bad(file, 'compaction base is not a list');
  let prevMain = -1;
  let prevSub = -1;
  for (const e of value as unknown[]) {
    if (!Array.isArray(e) || e.length !== 6) throw bad(file, 'malformed base event');
    const [main, sub, timeMs, segment, offsetBytes] = e as unknown[];
    if (!isCount(main) || !isCount(sub) || typeof timeMs !== 'number' || typeof segment !== 'string' || !isCount(offsetBytes)) {
      throw bad(file, 'malformed base event');
    }
    if (main > base.atMain || main < prevMain || (main === prevMain && sub <= prevSub)) throw bad(file, `base event ${main}.${sub} out of order`);
    prevMain = main;
    prevSub = sub;
  }
  return value as BaseEvent[];
}

/**
 * The base as log entries, each main's events followed by a commit entry, as replay
 * expects. Their locations are the original ones in the log (the key index keeps them).
 */
export function* baseEntries(events: readonly BaseEvent[]): Generator<LogEntry> {
  for (let i = 0; i < events.length; ) {
    const main = (events[i] as BaseEvent)[0];
    let n = 0;
    let last: RecordLocation | null = null;
    let timeMs = 0;
    for (; i < events.length && (events[i] as BaseEvent)[0] === main; i++, n++) {
      const [, sub, t, segment, offsetBytes, payload] = events[i] as BaseEvent;
      last = { segment, offsetBytes };
      timeMs = t;
      const event: LogEvent = { kind: 'event', main, sub, timeMs, payload, location: last };
      yield event;
    }
    yield { kind: 'commit', main, timeMs, eventCount: n, location: last as RecordLocation };
  }
}

function isStateOne(v: unknown): boolean {
  if (typeof v !== 'object' || v === null) return false;
  const p = v as Record<string, unknown>;
  return typeof p['name'] === 'string' && Number.isSafeInteger(p['version']) && 'state' in p;
}

function isStructureTable(v: unknown): v is StructureTable {
  return Array.isArray(v) && v.every((k) => Array.isArray(k) && k.every((s) => typeof s === 'string'));
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

function bad(file: string, why: string, cause?: unknown): SnapshotError {
  return new SnapshotError('SNAPSHOT_BAD_BODY', why, { file, cause });
}
