import { Wal, type WalOptions } from '../../src/wal/wal.js';
import { readLog } from '../../src/wal/reader.js';
import type { Commit, LogEntry } from '../../src/wal/types.js';

/**
 * Keys and tags as a layer above might give them (the log treats both as opaque): the
 * event's `key` field, and tag 0x11 for a stopped record, else 1, so that torn-tail
 * and damage tests run over format-2 frames with keys and non-zero tags.
 */
export const KEYED: Pick<WalOptions, 'eventKey' | 'eventTag'> = {
  eventKey: (payload) => {
    const key = (payload as { key?: unknown } | null)?.key;
    return typeof key === 'string' ? key : null;
  },
  eventTag: (payload) => ((payload as { record?: { state?: unknown } } | null)?.record?.state === 'stopped' ? 0x11 : 1),
};

/** A ~300-byte change event, deterministic for (main, sub). */
export function resourceEvent(main: number, sub: number): Record<string, unknown> {
  const id = `i-${(main * 1000 + sub).toString(16).padStart(17, '0')}`;
  return {
    type: 'appeared',
    key: `aws/123456789012/us-east-1/ec2.instance/${id}`,
    record: {
      id,
      state: main % 3 === 0 ? 'stopped' : 'running',
      owner: 'platform',
      tags: { Name: `web-${sub}`, Owner: 'platform', env: 'prod', CostCenter: 'cc-1234' },
      attrs: { instanceType: 'm5.large', availabilityZone: 'us-east-1a', vpcId: 'vpc-0a1b2c3d', privateIp: '10.0.1.23', imageId: 'ami-0123456789abcdef0' },
    },
  };
}

/** A deterministic commit: `main % (maxEvents + 1)` events. */
export function deterministicCommit(main: number, maxEvents = 4): Commit {
  const n = main % (maxEvents + 1);
  const events = [];
  for (let s = 0; s < n; s++) events.push(resourceEvent(main, s));
  return { main, timeMs: 1_790_000_000_000 + main * 1000, events };
}

/** Appends deterministic commits through a writer that frames keys and tags (KEYED). */
export async function writeCommits(options: WalOptions, mains: Iterable<number>, maxEvents = 4): Promise<void> {
  const wal = Wal.open({ ...KEYED, ...options });
  try {
    for (const m of mains) await wal.append(deterministicCommit(m, maxEvents));
  } finally {
    await wal.close();
  }
}

export interface ReadBack {
  commits: Map<number, { timeMs: number; events: unknown[] }>;
  entries: LogEntry[];
}

export function readBack(dir: string): ReadBack {
  const commits = new Map<number, { timeMs: number; events: unknown[] }>();
  const entries: LogEntry[] = [];
  let events: unknown[] = [];
  for (const e of readLog(dir)) {
    entries.push(e);
    if (e.kind === 'event') events.push(e.payload);
    else {
      commits.set(e.main, { timeMs: e.timeMs, events });
      events = [];
    }
  }
  return { commits, entries };
}

export function range(from: number, to: number): number[] {
  const out: number[] = [];
  for (let i = from; i <= to; i++) out.push(i);
  return out;
}
