/**
 * A deterministic synthetic log for projection tests: commits of scope-scanned events
 * followed by change events sorted by key, as the change detector writes them, with record
 * locations that roll over segments. Also tracks the truth (live records) it generated.
 */
import type { ElavaEvent } from '../../src/model/events.js';
import type { ResourceRecord, ResourceType } from '../../src/model/resource.js';
import { resourceKey } from '../../src/model/resource.js';
import type { LogEntry, LogEvent } from '../../src/wal/types.js';

export interface SyntheticLog {
  entries: LogEntry[];
  /** Live records after the last commit, by key. */
  live: Map<string, ResourceRecord>;
}

const TYPES: readonly ResourceType[] = ['ec2.instance', 'ec2.volume', 'rds.instance'];
const OWNERS: readonly (string | null)[] = ['team-a', 'team-b', null];
const STATES: readonly string[] = ['running', 'stopped', 'available'];
const RECORDS_PER_SEGMENT = 50;

/** mulberry32: small, fast, deterministic. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(rnd: () => number, from: readonly T[]): T {
  return from[Math.floor(rnd() * from.length)] as T;
}

function makeRecord(rnd: () => number, n: number): ResourceRecord {
  const type = TYPES[n % TYPES.length] as ResourceType;
  const account = n % 2 === 0 ? '111111111111' : '222222222222';
  const id = `r-${String(n).padStart(5, '0')}`;
  const owner = pick(rnd, OWNERS);
  const tags: Record<string, string> = owner === null ? {} : { Owner: owner, env: pick(rnd, ['prod', 'dev']) };
  return {
    key: resourceKey('aws', account, 'us-east-1', type, id),
    provider: 'aws',
    account,
    region: 'us-east-1',
    type,
    id,
    name: `name-${n}`,
    state: pick(rnd, STATES),
    owner,
    tags,
    attrs: { size: n % 7, zone: 'us-east-1a' },
  };
}

export function syntheticLog(commits: number, seed = 1): SyntheticLog {
  const rnd = prng(seed);
  const live = new Map<string, ResourceRecord>();
  const gone: ResourceRecord[] = [];
  const entries: LogEntry[] = [];
  let records = 0;
  let next = 0;
  const locate = (): LogEvent['location'] => {
    const seq = Math.floor(records / RECORDS_PER_SEGMENT);
    const offsetBytes = 32 + (records % RECORDS_PER_SEGMENT) * 200;
    records++;
    return { segment: `${seq.toString(16).padStart(16, '0')}-0000000000000001.wal`, offsetBytes };
  };
  for (let main = 1; main <= commits; main++) {
    const changes = new Map<string, ElavaEvent>();
    const births = main === 1 ? 20 : Math.floor(rnd() * 4);
    for (let i = 0; i < births; i++) {
      const r = makeRecord(rnd, next++);
      changes.set(r.key, { type: 'appeared', key: r.key, record: r });
    }
    for (const [key, r] of live) {
      if (changes.has(key)) continue;
      const roll = rnd();
      if (roll < 0.08) changes.set(key, { type: 'disappeared', key });
      else if (roll < 0.2) {
        const state = pick(rnd, STATES);
        const record = { ...r, state };
        changes.set(key, { type: 'changed', key, record, diff: [{ path: 'state', before: r.state, after: state }] });
      }
    }
    const reborn = gone.length > 0 && rnd() < 0.3 ? gone.shift() : undefined;
    if (reborn !== undefined && !changes.has(reborn.key)) {
      changes.set(reborn.key, { type: 'appeared', key: reborn.key, record: reborn });
    }
    const events: ElavaEvent[] = [
      { type: 'scope-scanned', scope: 'aws/111111111111/us-east-1/ec2.instance', status: main % 5 === 0 ? 'failed' : 'complete', listed: live.size, durationMs: 12, error: main % 5 === 0 ? { code: 'throttled', message: 'slow down' } : null },
      ...[...changes.keys()].sort().map((k) => changes.get(k) as ElavaEvent),
    ];
    events.forEach((payload, sub) => {
      entries.push({ kind: 'event', main, sub, timeMs: main * 60_000, payload, location: locate() });
      if (payload.type === 'appeared' || payload.type === 'changed') live.set(payload.key, payload.record);
      if (payload.type === 'disappeared') {
        gone.push(live.get(payload.key) as ResourceRecord);
        live.delete(payload.key);
      }
    });
    entries.push({ kind: 'commit', main, timeMs: main * 60_000, eventCount: events.length, location: locate() });
  }
  return { entries, live };
}
