/**
 * The diff answered from a window (diff.ts walks the key index, diff-filter.ts reads only
 * the records it needs) equals the simple way: the fleet at both revisions read whole and
 * compared key by key, then filtered and cut. Over a seeded random history where owners,
 * tags and states move, changes are undone within a window, and resources go away and
 * come back; for windows walked before later commits (the daemon's cache), after a
 * compaction, and over a log whose `changed` events do not all change anything.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { diffRecords } from '../../src/changes/diff.js';
import type { ElavaEvent } from '../../src/model/events.js';
import type { ResourceRecord, ResourceType } from '../../src/model/resource.js';
import { diffWindow, type DiffWindow } from '../../src/query/diff.js';
import { filterDiff, type FilteredDiff } from '../../src/query/diff-filter.js';
import { fleetAt } from '../../src/query/fleet.js';
import { matchesList } from '../../src/query/page.js';
import { queryStateFrom, type QueryState } from '../../src/query/query-state.js';
import type { ListFilter } from '../../src/query/resources.js';
import { Store } from '../../src/store/store.js';
import { tempDir } from '../helpers/tmp.js';
import { prng } from '../projection/log-fixture.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const HOUR_MS = 3_600_000;
const KEYS = 80;
const OWNERS = ['web', 'data', null] as const;
const TYPES: readonly ResourceType[] = ['ec2.instance', 'ec2.volume', 'gce.instance'];

function record(n: number, owner: string | null, state: string, version: number): ResourceRecord {
  const type = TYPES[n % TYPES.length] as ResourceType;
  const provider = type.startsWith('gce') ? 'gcp' : 'aws';
  const account = provider === 'aws' ? '123456789012' : 'proj-1';
  const region = provider === 'aws' ? 'us-east-1' : 'us-central1-a';
  const id = `r-${n}`;
  const tags: Record<string, string> = owner === null ? {} : { Owner: owner };
  return { key: `${provider}/${account}/${region}/${type}/${id}`, provider, account, region, type, id, name: null, state, owner, tags, attrs: { version } };
}

/**
 * Random churn: appear, go, or move one of owner, state, version among few values (so a
 * key often comes back to a record it had). `repeat`: some `changed` events carry the
 * record unchanged (a log the change detector would not write).
 */
async function churn(store: Store, random: () => number, live: Map<number, ResourceRecord>, commits: number, startMs: number, repeat = false): Promise<void> {
  for (let c = 0; c < commits; c++) {
    const events: ElavaEvent[] = [];
    for (let n = 0; n < KEYS; n++) {
      const roll = random();
      if (roll > 0.35) continue;
      const now = live.get(n);
      const owner = OWNERS[Math.floor(random() * OWNERS.length)] ?? null;
      const state = random() < 0.5 ? 'running' : 'stopped';
      const version = Math.floor(random() * 2);
      if (now === undefined) {
        const r = record(n, owner, state, version);
        live.set(n, r);
        events.push({ type: 'appeared', key: r.key, record: r });
      } else if (roll < 0.04) {
        live.delete(n);
        events.push({ type: 'disappeared', key: now.key, record: now });
      } else {
        const pick = Math.floor(random() * 3);
        const r = record(n, pick === 0 ? owner : now.owner, pick === 1 ? state : (now.state as string), pick === 2 ? version : (now.attrs['version'] as number));
        const diff = diffRecords(now, r);
        if (diff.length === 0 && !(repeat && random() < 0.5)) continue;
        live.set(n, r);
        events.push({ type: 'changed', key: r.key, record: r, diff });
      }
    }
    events.sort((a, b) => ((a as { key: string }).key < (b as { key: string }).key ? -1 : 1));
    if (events.length > 0) await store.commit(events, startMs + c * HOUR_MS);
  }
}

/** The simple way: both fleets read whole, compared key by key, filtered, cut. */
function simpleDiff(state: QueryState, from: number, to: number, filter: ListFilter, limit?: number): FilteredDiff {
  const before = new Map(fleetAt(state, from).map((r) => [r.key, r]));
  const after = new Map(fleetAt(state, to).map((r) => [r.key, r]));
  const keys = [...new Set([...before.keys(), ...after.keys()])].sort();
  const appeared: ResourceRecord[] = [];
  const changed: FilteredDiff['changed'] = [];
  const disappeared: FilteredDiff['disappeared'] = [];
  for (const key of keys) {
    const b = before.get(key);
    const a = after.get(key);
    if (b === undefined && a !== undefined && matchesList(a, filter)) appeared.push(a);
    if (b !== undefined && a === undefined && matchesList(b, filter)) disappeared.push({ key, last: b });
    if (b !== undefined && a !== undefined) {
      const diff = diffRecords(b, a);
      if (diff.length > 0 && (matchesList(b, filter) || matchesList(a, filter))) changed.push({ key, before: b, after: a, diff });
    }
  }
  const max = limit ?? Infinity;
  const totals = { appeared: appeared.length, changed: changed.length, disappeared: disappeared.length };
  return {
    appeared: appeared.slice(0, max), changed: changed.slice(0, max), disappeared: disappeared.slice(0, max),
    totals, truncated: totals.appeared > max || totals.changed > max || totals.disappeared > max,
  };
}

const FILTERS: ListFilter[] = [
  {}, { owner: 'web' }, { owner: null }, { type: 'ec2.volume' }, { state: 'stopped' },
  { provider: 'gcp' }, { tag: { key: 'Owner', value: 'data' } }, { untagged: true }, { owner: 'data', state: 'running' },
];

/** Every filter and a few cuts, over `windows`, answered from each window as walked. */
function checkWindows(state: QueryState, windows: ReadonlyArray<DiffWindow>, what: string): void {
  for (const w of windows) {
    for (const filter of FILTERS) {
      for (const limit of [undefined, 1, 4]) {
        const expected = simpleDiff(state, w.fromMain, w.toMain, filter, limit);
        assert.deepEqual(filterDiff(state, w, filter, limit), expected, `${what}: ${w.fromMain}..${w.toMain} ${JSON.stringify(filter)} limit ${limit}`);
      }
    }
  }
}

function windows(state: QueryState, random: () => number, count: number): DiffWindow[] {
  const out: DiffWindow[] = [];
  const low = state.compactedMain;
  for (let i = 0; i < count; i++) {
    const a = low + Math.floor(random() * (state.lastMain - low + 1));
    const b = low + Math.floor(random() * (state.lastMain - low + 1));
    out.push(diffWindow(state, Math.min(a, b), Math.max(a, b)));
  }
  out.push(diffWindow(state, Math.max(low, state.lastMain - 3), state.lastMain));
  return out;
}

describe('diff answered from a window equals both fleets compared whole', () => {
  for (const seed of [1, 2, 3]) {
    it(`seed ${seed}: fresh windows, windows walked before later commits, and after a compaction`, async () => {
      const dir = tempDir('elava-diff-window-');
      const random = prng(seed);
      const live = new Map<number, ResourceRecord>();
      const store = await Store.open(dir, { create: true, segmentSizeBytes: 64 * 1024 });
      try {
        await churn(store, random, live, 30, T0);
        let state = queryStateFrom(dir, store.projections, () => store.structures);
        const walked = windows(state, random, 12);
        assert.ok(walked.some((w) => w.changed.some((k) => k.certain)), 'some changes are certain');
        assert.ok(walked.some((w) => w.changed.some((k) => !k.certain)), 'some pairs must be compared');
        assert.ok(walked.some((w) => w.changed.length > simpleDiff(state, w.fromMain, w.toMain, {}).totals.changed), 'some keys changed back');
        checkWindows(state, walked, 'fresh');

        await churn(store, random, live, 5, T0 + 30 * HOUR_MS);
        state = queryStateFrom(dir, store.projections, () => store.structures);
        checkWindows(state, walked, 'walked before 5 more commits');

        await store.compact(state.lastMain - 8);
        state = queryStateFrom(dir, store.projections, () => store.structures);
        checkWindows(state, windows(state, random, 6), 'after a compaction');
      } finally {
        await store.close();
      }
    });
  }

  it('a log with changed events that change nothing: shown changes are checked, the answer computed again', async () => {
    const dir = tempDir('elava-diff-window-');
    const random = prng(7);
    const live = new Map<number, ResourceRecord>();
    const store = await Store.open(dir, { create: true });
    try {
      await churn(store, random, live, 20, T0, true);
      const state = queryStateFrom(dir, store.projections, () => store.structures);
      const all = windows(state, random, 10);
      const equalPuts = all.some((w) => w.changed.some((k) => k.certain && simpleDiff(state, w.fromMain, w.toMain, {}).changed.every((c) => c.key !== k.key)));
      assert.ok(equalPuts, 'some consecutive puts hold equal records');
      for (const w of all) {
        for (const filter of FILTERS) assert.deepEqual(filterDiff(state, w, filter), simpleDiff(state, w.fromMain, w.toMain, filter));
      }
    } finally {
      await store.close();
    }
  });
});
