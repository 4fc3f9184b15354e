/**
 * What a checkpoint file's body holds (msgpackr), and the checks made on it after decoding:
 *
 *   format        1
 *   coversMain    every commit up to this revision main is folded into the states below
 *   createdMs     wall-clock time it was written
 *   structures    the log's msgpackr structure table at coversMain (decodes every record
 *                 before it: history point reads need it)
 *   projections   [{ name, version, state }]: each projection's snapshot()
 *   base          null, or the compaction base: { atMain, events } where `events` is a
 *                 msgpackr-encoded array of BaseEvent, ascending by revision: for every key
 *                 visible at atMain, the event visible for it. Replay can start from it
 *                 when the log below atMain has been deleted. Kept encoded so loading a
 *                 checkpoint does not decode it unless it is needed.
 */
import { Packr, Unpackr } from 'msgpackr';
import type { StructureTable } from '../wal/codec.js';
import type { LogEntry, LogEvent, RecordLocation } from '../wal/types.js';
import { SnapshotError } from './errors.js';

export const CHECKPOINT_BODY_FORMAT = 1;

export interface ProjectionState {
  name: string;
  version: number;
  state: unknown;
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
  projections: ProjectionState[];
  base: EncodedBase | null;
}

/** One event of a compaction base: revision, commit time, original log location, payload. */
export type BaseEvent = [main: number, sub: number, timeMs: number, segment: string, offsetBytes: number, payload: unknown];

const packr = new Packr({ variableMapSize: true });
const unpackr = new Unpackr({ mapsAsObjects: true });

export function encodeCheckpointBody(body: CheckpointBody): Buffer {
  return packr.pack(body);
}

export function decodeCheckpointBody(bytes: Uint8Array, file: string): CheckpointBody {
  let value: unknown;
  try {
    value = unpackr.unpack(bytes);
  } catch (err) {
    throw bad(file, 'body does not decode', err);
  }
  const b = (value ?? {}) as Partial<Record<keyof CheckpointBody, unknown>>;
  if (b.format !== CHECKPOINT_BODY_FORMAT) throw bad(file, `unknown body format ${String(b.format)}`);
  if (!isCount(b.coversMain) || typeof b.createdMs !== 'number') throw bad(file, 'bad coversMain or createdMs');
  if (!Array.isArray(b.structures) || !b.structures.every((k) => Array.isArray(k) && k.every((s) => typeof s === 'string'))) {
    throw bad(file, 'bad structure table');
  }
  if (!Array.isArray(b.projections) || !b.projections.every(isProjectionState)) throw bad(file, 'bad projection list');
  const base = b.base ?? null;
  if (base !== null) {
    const { atMain, events } = base as Partial<EncodedBase>;
    if (!isCount(atMain) || atMain > b.coversMain || !(events instanceof Uint8Array)) throw bad(file, 'bad compaction base');
  }
  return {
    format: CHECKPOINT_BODY_FORMAT,
    coversMain: b.coversMain,
    createdMs: b.createdMs,
    structures: b.structures as StructureTable,
    projections: b.projections as ProjectionState[],
    base: base as EncodedBase | null,
  };
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

function isProjectionState(v: unknown): v is ProjectionState {
  if (typeof v !== 'object' || v === null) return false;
  const p = v as Record<string, unknown>;
  return typeof p['name'] === 'string' && Number.isSafeInteger(p['version']) && 'state' in p;
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

function bad(file: string, why: string, cause?: unknown): SnapshotError {
  return new SnapshotError('SNAPSHOT_BAD_BODY', why, { file, cause });
}
