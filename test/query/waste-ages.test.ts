/**
 * The waste report's ages computed the fast ways (the ConditionSince projection, kept as
 * events apply; sinceWhenMany: round by round, reads in log order) equal the simple way
 * (walk each key's open generation back one record at a time), over a seeded random
 * history of volumes attaching and detaching, instances stopping and starting, resources
 * going away and coming back: after new commits, after a compaction, and after a restart
 * from a checkpoint; and a report from the projection equals one that walks the log.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ElavaEvent } from '../../src/model/events.js';
import type { AttrValue, ResourceRecord } from '../../src/model/resource.js';
import type { IndexedRevision } from '../../src/mvcc/key-index.js';
import { queryStateFrom, type QueryState } from '../../src/query/query-state.js';
import { recordAt } from '../../src/query/read-back.js';
import { isStoppedInstance, isUnattached, wasteReport } from '../../src/query/waste.js';
import { conditionAges, firstSeen, sinceWhenMany, timeOfEntry, type Since } from '../../src/query/waste-history.js';
import { builtInProjections, findProjection } from '../../src/projection/builtins.js';
import { ConditionSince } from '../../src/projection/condition-since.js';
import { rebuild } from '../../src/store/rebuild.js';
import { Store } from '../../src/store/store.js';
import { tempDir } from '../helpers/tmp.js';
import { prng } from '../projection/log-fixture.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const HOUR_MS = 3_600_000;
const KEYS = 60;

function record(n: number, flag: boolean, version: number): ResourceRecord {
  const volume = n % 2 === 0;
  const type = volume ? 'ec2.volume' : 'ec2.instance';
  const id = `${volume ? 'vol' : 'i'}-${n}`;
  const attrs: Record<string, AttrValue> = volume
    ? { attachments: flag ? [] : [{ device: '/dev/sdf', instanceId: 'i-x' }], sizeGiB: 10, volumeType: 'gp3', version }
    : { instanceType: 'm5.large', version };
  const state = volume ? (flag ? 'available' : 'in-use') : flag ? 'stopped' : 'running';
  const key = `aws/123456789012/us-east-1/${type}/${id}`;
  return { key, provider: 'aws', account: '123456789012', region: 'us-east-1', type, id, name: null, state, owner: n % 3 === 0 ? null : 'team', tags: {}, attrs };
}

/** `commits` commits of random churn over KEYS keys, one hour apart, from `startMs`. */
async function churn(store: Store, random: () => number, live: Map<number, ResourceRecord>, commits: number, startMs: number): Promise<void> {
  for (let c = 0; c < commits; c++) {
    const events: ElavaEvent[] = [];
    for (let n = 0; n < KEYS; n++) {
      const roll = random();
      if (roll > 0.3) continue;
      const now = live.get(n);
      const version = Math.floor(random() * 1000);
      if (now === undefined) {
        const r = record(n, random() < 0.5, version);
        live.set(n, r);
        events.push({ type: 'appeared', key: r.key, record: r });
      } else if (roll < 0.03) {
        live.delete(n);
        events.push({ type: 'disappeared', key: now.key, record: now });
      } else {
        // Often the condition holds on; sometimes it flips; sometimes only a field moves.
        const flag = roll < 0.12 ? !(isUnattached(now) || isStoppedInstance(now)) : isUnattached(now) || isStoppedInstance(now);
        const r = record(n, flag, version);
        live.set(n, r);
        events.push({ type: 'changed', key: r.key, record: r, diff: [{ path: 'attrs.version', before: null, after: version }] });
      }
    }
    events.sort((a, b) => ((a as { key: string }).key < (b as { key: string }).key ? -1 : 1));
    if (events.length > 0) await store.commit(events, startMs + c * HOUR_MS);
  }
}

/** The simple way: the open generation walked back one record at a time. */
function sinceOneByOne(state: QueryState, key: string, holds: (r: ResourceRecord) => boolean): Since {
  const generation = state.index.keyIndex(key)?.openGeneration() ?? [];
  let earliest = generation.length;
  for (let i = generation.length - 1; i >= 0; i--) {
    if (!holds(recordAt(state, key, generation[i] as IndexedRevision))) break;
    earliest = i;
  }
  return timeOfEntry(state, generation[earliest], earliest === 0);
}

function requests(state: QueryState): Array<{ key: string; holds: (r: ResourceRecord) => boolean }> {
  const out = [];
  for (const r of state.current.values()) {
    if (r.type === 'ec2.volume') out.push({ key: r.key, holds: isUnattached });
    else out.push({ key: r.key, holds: isStoppedInstance });
  }
  return out;
}

/** The same projection at another version: a checkpoint of version 1 cannot restore it. */
class ConditionSinceNext extends ConditionSince {
  override readonly version: number = 3;
}

/** The ages the projection keeps, request by request; its first sights equal firstSeen's. */
function kept(state: QueryState, qs: ReturnType<typeof requests>): Since[] {
  assert.ok(state.conditionSince !== null, 'the built-in projections keep the ages');
  return qs.map((q) => {
    const seen: Since[] = [];
    const since = conditionAges(state, [state.current.get(q.key) as ResourceRecord], q.holds, seen)[0] as Since;
    assert.deepEqual(seen[0], firstSeen(state, q.key), `first sight of ${q.key}`);
    return since;
  });
}

/** The same state without the projection: every age walks the log. */
function walking(state: QueryState): QueryState {
  return Object.create(state, { conditionSince: { value: null } }) as QueryState;
}

describe('waste ages: the projection and the batched walk equal the simple walk', () => {
  for (const seed of [1, 2, 3]) {
    it(`seed ${seed}: ConditionSince and sinceWhenMany equal the record-by-record walk`, async () => {
      const dir = tempDir('elava-waste-ages-');
      const random = prng(seed);
      const live = new Map<number, ResourceRecord>();
      let store = await Store.open(dir, { create: true, segmentSizeBytes: 64 * 1024 });
      try {
        await churn(store, random, live, 40, T0);
        let state = queryStateFrom(dir, store.projections, () => store.structures);
        const first = requests(state);
        assert.ok(first.length > 20, 'the history leaves many live keys');
        const expected = first.map((q) => sinceOneByOne(state, q.key, q.holds));
        assert.deepEqual(sinceWhenMany(state, first), expected);
        assert.deepEqual(kept(state, first), expected, 'the projection');
        assert.ok(expected.some((s) => s.ms !== null && !s.atLeast), 'some conditions began inside the history');
        assert.ok(expected.some((s) => s.atLeast), 'some held since first sight');
        assert.ok(expected.some((s) => s.ms === null), 'some keys are not in their condition');

        await churn(store, random, live, 10, T0 + 40 * HOUR_MS);
        state = queryStateFrom(dir, store.projections, () => store.structures);
        const second = requests(state);
        assert.deepEqual(kept(state, second), second.map((q) => sinceOneByOne(state, q.key, q.holds)), 'after new commits');

        await store.compact(state.lastMain - 5);
        state = queryStateFrom(dir, store.projections, () => store.structures);
        const third = requests(state);
        const afterCompaction = third.map((q) => sinceOneByOne(state, q.key, q.holds));
        assert.deepEqual(sinceWhenMany(state, third), afterCompaction, 'the walk, after a compaction');
        assert.deepEqual(kept(state, third), afterCompaction, 'the projection, after a compaction');
        // Rebuilt from the compaction base (each live key's visible event there), the
        // projections hash as the live ones do.
        const rebuilt = await rebuild(dir, { progress: false, readOnly: true });
        assert.equal(rebuilt.hash, store.hash(), 'a rebuild from the compaction base');
        // A projection the base does not hold (an upgrade) is replayed from the base's
        // events (each key's visible event there, not its run's start): it holds the same.
        const upgraded = await rebuild(dir, {
          progress: false, readOnly: true,
          projections: () => builtInProjections().map((p) => (p instanceof ConditionSince ? new ConditionSinceNext() : p)),
        });
        const ages = findProjection(store.projections, ConditionSince) as ConditionSince;
        assert.deepEqual(findProjection(upgraded.projections, ConditionSinceNext)?.snapshot(), ages.snapshot(), 'replayed from the base events');
        assert.ok(ages.size > 0, 'keys in a condition');

        // A restart: the projection restored from a checkpoint, then the tail replayed.
        await store.checkpoint('demand');
        await churn(store, random, live, 5, T0 + 50 * HOUR_MS);
        await store.close();
        store = await Store.open(dir);
        state = queryStateFrom(dir, store.projections, () => store.structures);
        const fourth = requests(state);
        assert.deepEqual(kept(state, fourth), fourth.map((q) => sinceOneByOne(state, q.key, q.holds)), 'after a restart');
      } finally {
        await store.close();
      }
    });
  }

  it('a report from the projection equals one that walks the log, round after round', async () => {
    const dir = tempDir('elava-waste-ages-');
    const random = prng(7);
    const live = new Map<number, ResourceRecord>();
    const store = await Store.open(dir, { create: true, segmentSizeBytes: 64 * 1024 });
    try {
      const nowMs = T0 + 100 * HOUR_MS;
      for (let round = 0; round < 4; round++) {
        await churn(store, random, live, 8, T0 + round * 8 * HOUR_MS);
        const state = queryStateFrom(dir, store.projections, () => store.structures);
        const options = { stoppedDays: 0.1, nowMs };
        const report = wasteReport(state, options);
        assert.ok(report.unattachedVolumes.length + report.longStoppedInstances.length > 5, 'rows with ages');
        assert.deepEqual(report, wasteReport(walking(state), options), `round ${round}`);
      }
    } finally {
      await store.close();
    }
  });
});
