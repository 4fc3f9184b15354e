/**
 * End to end: the daemon against the SIMULATED cloud for several cycles with churn and
 * faults, one cycle per simulator tick. After every cycle, what Elava holds is compared with
 * the simulator's ground truth: complete scopes hold exactly the live set; a failed scope
 * never loses a resource; the state rebuilt from the log equals the state kept in memory.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isChangeEvent, type ElavaEvent } from '../../src/model/events.js';
import { findProjection } from '../../src/projection/builtins.js';
import { CurrentState } from '../../src/projection/current-state.js';
import { stateHash } from '../../src/projection/state-hash.js';
import { recoverState } from '../../src/store/recover.js';
import type { SimFault } from '../../src/sim/scenario.js';
import type { CycleReport } from '../../src/daemon/cycle.js';
import { tempDir } from '../helpers/tmp.js';
import { simKey, snapshot } from '../scan/truth.js';
import { diffRevisions, diffWindow, disappearedBetween, filterDiff, listResources, resourceHistory, wasteCounts, wasteReport } from '../../src/query/queries.js';
import { queryStateFrom, type QueryState } from '../../src/query/query-state.js';
import type { SimResource } from '../../src/sim/world.js';
import { type DaemonUnderTest, commitEvents, openTestDaemon } from './daemon-harness.js';

const FAULTS: SimFault[] = [
  // tick 1: every GCP listing is throttled twice, then succeeds (3 attempts allowed)
  { kind: 'throttle', service: 'gcp', times: 2, ticks: [1] },
  // tick 2: EC2 in eu-west-1 refuses us
  { kind: 'access-denied', service: 'ec2', region: 'eu-west-1', ticks: [2] },
  // tick 3: RDS in us-east-1 fails on its second page, after a first page was listed
  { kind: 'error-on-page', service: 'rds', region: 'us-east-1', page: 2, ticks: [3] },
];
const CYCLES = 5;

interface CycleSeen {
  report: CycleReport;
  /** key → [attrs, tags] as JSON: what a record change would show. */
  truthRecords: Map<string, string>;
  truthResources: SimResource[];
  events: ElavaEvent[];
  truth: Set<string>;
  truthBefore: Set<string>;
}

function liveKeys(t: DaemonUnderTest): Set<string> {
  const current = findProjection(t.daemon.state, CurrentState);
  assert.ok(current !== undefined);
  return new Set([...current.values()].map((r) => r.key));
}

function under(keys: Iterable<string>, prefix: string): string[] {
  return [...keys].filter((k) => k.startsWith(prefix)).sort();
}

describe('daemon against the simulated cloud, with churn and faults', () => {
  let t: DaemonUnderTest;
  const dir = tempDir('elava-e2e-');
  const seen: CycleSeen[] = [];

  before(async () => {
    t = await openTestDaemon(dir, {
      faults: FAULTS,
      fleet: { ec2Instances: 30, ec2Volumes: 30, rdsInstances: 30, gceInstances: 20, gceDisks: 20 },
      pageSize: { ec2: 100, rds: 20, gcp: 500 },
    });
    for (let cycle = 1; cycle <= CYCLES; cycle++) {
      if (cycle > 1) t.sim.cloud.advance();
      const truthBefore = new Set(seen.at(-1)?.truth ?? []);
      const truthResources = t.sim.cloud.truth();
      const truth = new Set(truthResources.map(simKey));
      const truthRecords = snapshot(t.sim.cloud);
      const report = await t.daemon.runCycle();
      assert.ok(report.revision !== null, `cycle ${cycle} committed`);
      seen.push({ report, events: commitEvents(dir, report.revision), truth, truthBefore, truthRecords, truthResources });
      const live = liveKeys(t);
      // complete scopes: exactly the truth, after every cycle
      for (const e of seen.at(-1)!.events) {
        if (e.type !== 'scope-scanned' || e.status !== 'complete') continue;
        assert.deepEqual(under(live, e.scope + '/'), under(truth, e.scope + '/'), `cycle ${cycle}: ${e.scope}`);
      }
    }
  });

  after(async () => {
    await t?.daemon.close();
  });

  it('commits one revision per cycle, in order, even when nothing changed', () => {
    assert.deepEqual(seen.map((s) => s.report.revision), [1, 2, 3, 4, 5]);
    for (const s of seen) assert.ok(s.events.filter((e) => e.type === 'scope-scanned').length === s.report.scopes);
  });

  it('records the first cycle as the whole simulated fleet appearing', () => {
    const first = seen[0]!;
    assert.equal(first.report.appeared, first.truth.size);
    assert.equal(first.report.failedScopes.length, 0);
  });

  it('rides out throttling by retrying (no scope failed on the throttled tick)', () => {
    assert.deepEqual(seen[1]!.report.failedScopes, []);
    assert.ok(seen[1]!.report.appeared + seen[1]!.report.changed + seen[1]!.report.disappeared > 0, 'the tick had churn');
  });

  it('reports access-denied and a failed page as failed scopes with their reasons', () => {
    const denied = seen[2]!.report.failedScopes.map((f) => `${f.scope} ${f.reason}`).sort();
    // every EC2 listing of the region is refused, the leftover types' too
    const ec2 = ['address', 'image', 'instance', 'snapshot', 'volume'];
    assert.deepEqual(denied, ec2.map((t) => `aws/111111111111/eu-west-1/ec2.${t} access-denied`));
    const paged = seen[3]!.report.failedScopes.map((f) => f.scope);
    assert.deepEqual(paged, ['aws/111111111111/us-east-1/rds.instance']);
  });

  it('never reports a resource of a failed scope as disappeared, even when it really went', () => {
    let spared = 0;
    for (const s of seen) {
      for (const f of s.report.failedScopes) {
        const gone = s.events.filter((e) => isChangeEvent(e) && e.type === 'disappeared' && e.key.startsWith(f.scope + '/'));
        assert.deepEqual(gone, [], `${f.scope}`);
        spared += under(s.truthBefore, f.scope + '/').filter((k) => !s.truth.has(k)).length;
      }
    }
    assert.ok(spared > 0, 'the faults hit scopes where resources really disappeared');
  });

  it('catches up with the truth once a failed scope lists completely again', () => {
    const live = liveKeys(t);
    const truth = seen.at(-1)!.truth;
    assert.deepEqual([...live].sort(), [...truth].sort());
  });

  it('holds the same state in memory as a recovery from the log produces', async () => {
    const recovered = await recoverState(dir, { readOnly: true });
    assert.equal(recovered.lastMain, t.daemon.log.lastMain);
    assert.equal(stateHash(recovered.projections), stateHash(t.daemon.state));
  });

  describe('query answers', () => {
    let q: QueryState;
    before(() => {
      q = queryStateFrom(dir, t.daemon.state, () => t.daemon.structures());
    });

    /** Scope prefixes that listed completely in cycle i (0-based). */
    const completeIn = (i: number): string[] =>
      seen[i]!.events.flatMap((e) => (e.type === 'scope-scanned' && e.status === 'complete' ? [e.scope + '/'] : []));

    it('at every revision, the fleet of each complete scope is the truth of that tick', () => {
      for (let i = 0; i < seen.length; i++) {
        const keys = listResources(q, {}, seen[i]!.report.revision!).map((r) => r.key);
        for (const prefix of completeIn(i)) assert.deepEqual(under(keys, prefix), under(seen[i]!.truth, prefix), `revision ${i + 1} ${prefix}`);
      }
    });

    it('diff between two clean revisions is what the simulator changed', () => {
      const [a, b] = [seen[0]!, seen[1]!];
      const d = diffRevisions(q, a.report.revision!, b.report.revision!);
      assert.deepEqual(d.appeared.map((r) => r.key).sort(), [...b.truth].filter((k) => !a.truth.has(k)).sort());
      assert.deepEqual(d.disappeared.map((r) => r.key).sort(), [...a.truth].filter((k) => !b.truth.has(k)).sort());
      const changed = [...b.truth].filter((k) => a.truth.has(k) && a.truthRecords.get(k) !== b.truthRecords.get(k)).sort();
      assert.deepEqual(d.changed.map((c) => c.key).sort(), changed);
    });

    it('disappeared in a window is what really went in complete scopes, and nothing of failed ones', () => {
      const answered = disappearedBetween(q, 1, q.lastMain).map((d) => `${d.key}@${d.main}`);
      const expected: string[] = [];
      const spared = new Map<string, number>(); // key → revision whose scope failed while it went
      for (let i = 1; i < seen.length; i++) {
        const rev = seen[i]!.report.revision!;
        for (const k of seen[i - 1]!.truth) {
          if (seen[i]!.truth.has(k)) continue;
          if (completeIn(i).some((p) => k.startsWith(p))) expected.push(`${k}@${rev}`);
          else spared.set(k, rev);
        }
      }
      assert.ok(expected.length > 0 && spared.size > 0);
      for (const e of expected) assert.ok(answered.includes(e), `${e} reported`);
      for (const a of answered) {
        if (expected.includes(a)) continue;
        const [key, rev] = a.split('@') as [string, string];
        // reported later, once its scope listed completely again
        assert.ok((spared.get(key) ?? Infinity) < Number(rev), `${a} is neither a real disappearance nor a spared one caught up`);
      }
      for (let i = 0; i < seen.length; i++) {
        for (const f of seen[i]!.report.failedScopes) {
          assert.deepEqual(answered.filter((x) => x.startsWith(f.scope + '/') && x.endsWith(`@${seen[i]!.report.revision}`)), [], `${f.scope} failed`);
        }
      }
    });

    it("history of every GCP resource follows the simulator's changes tick by tick", () => {
      const keys = new Set(seen.flatMap((s) => [...s.truth].filter((k) => k.startsWith('gcp/'))));
      let changes = 0;
      for (const key of keys) {
        const expected: string[] = [];
        for (let i = 0; i < seen.length; i++) {
          const before = i === 0 ? undefined : seen[i - 1]!.truthRecords.get(key);
          const now = seen[i]!.truthRecords.get(key);
          const rev = seen[i]!.report.revision!;
          if (now !== undefined && before === undefined) expected.push(`appeared@${rev}`);
          else if (now === undefined && before !== undefined) expected.push(`disappeared@${rev}`);
          else if (now !== undefined && now !== before) expected.push(`changed@${rev}`);
        }
        changes += expected.length;
        assert.deepEqual(resourceHistory(q, key).map((e) => `${e.kind}@${e.main}`), expected, key);
      }
      assert.ok(changes > keys.size, 'some GCP resources changed or went after appearing');
    });

    it('waste lists what the simulator says is unattached, stopped and unowned', () => {
      const truth = seen.at(-1)!.truthResources;
      const keysOf = (f: (r: SimResource) => boolean): string[] => truth.filter(f).map(simKey).sort();
      const w = wasteReport(q, { stoppedDays: 0, nowMs: Date.now() + 86_400_000 });
      assert.deepEqual(w.unattachedVolumes.map((v) => v.key).sort(), keysOf((r) =>
        (r.kind === 'ec2.volume' && (r.attrs['attachments'] as unknown[]).length === 0) || (r.kind === 'gce.disk' && (r.attrs['users'] as unknown[]).length === 0)));
      assert.deepEqual(w.stoppedRds.map((v) => v.key).sort(), keysOf((r) => r.kind === 'rds.instance' && r.attrs['status'] === 'stopped'));
      assert.deepEqual(w.longStoppedInstances.map((v) => v.key).sort(), keysOf((r) =>
        (r.kind === 'ec2.instance' && r.attrs['state'] === 'stopped') || (r.kind === 'gce.instance' && (r.attrs['status'] === 'TERMINATED' || r.attrs['status'] === 'SUSPENDED'))));
      assert.deepEqual(w.unowned.map((v) => v.key).sort(), keysOf((r) => !['Owner', 'owner', 'team'].some((k) => k in r.tags)));
      assert.ok(w.unattachedVolumes.length > 0 && w.unowned.length > 0);
    });

    it('the HTTP endpoints give the same answers as the query functions', async () => {
      const get = async (path: string): Promise<unknown> => {
        const res = await fetch(t.base + path);
        assert.equal(res.status, 200, path);
        return res.json();
      };
      const json = (v: unknown): unknown => JSON.parse(JSON.stringify(v));
      const key = [...seen.at(-1)!.truth].find((k) => k.startsWith('gcp/'))!;
      const nowIso = new Date(Date.now() + 86_400_000).toISOString();
      assert.deepEqual(await get('/v1/at/2'), { revision: 2, resources: json(listResources(q, {}, 2)), granularity: null });
      assert.deepEqual(await get('/v1/at/2?type=ec2.instance'), { revision: 2, resources: json(listResources(q, { type: 'ec2.instance' }, 2)), granularity: null });
      assert.deepEqual(await get('/v1/resources?at=2&owner=platform'), { revision: 2, resources: json(listResources(q, { owner: 'platform' }, 2)) });
      assert.deepEqual(await get('/v1/resources?type=ec2.volume&untagged'), { revision: q.lastMain, resources: json(listResources(q, { type: 'ec2.volume', untagged: true })) });
      const times = { fromMs: q.times.timeOf(1), toMs: q.times.timeOf(2) };
      assert.deepEqual(await get('/v1/diff?from=1&to=2'), { from: 1, to: 2, ...times, ...(json(filterDiff(q, diffWindow(q, 1, 2), {})) as object), granularity: null });
      assert.deepEqual(await get('/v1/disappeared?since=1'), { since: 1, until: q.lastMain, disappeared: json(disappearedBetween(q, 1, q.lastMain)) });
      assert.deepEqual(await get(`/v1/history/${key}`), { key, field: null, entries: json(resourceHistory(q, key)), granularity: null });
      assert.deepEqual(await get(`/v1/history/${key}?field=tags.Owner`), { key, field: 'tags.Owner', entries: json(resourceHistory(q, key, 'tags.Owner')), granularity: null });
      const waste = wasteReport(q, { stoppedDays: 0, nowMs: Date.parse(nowIso) });
      assert.deepEqual(await get(`/v1/waste?stoppedDays=0&now=${nowIso}`), json({ ...waste, counts: wasteCounts(waste) }));
    });

    it('answers query errors with a status and a code, not a stack', async () => {
      for (const [path, status, code] of [['/v1/resources/aws/1/x/ec2.instance/nope', 404, 'unknown-key'], ['/v1/at/99999', 404, 'future'], ['/v1/diff?from=banana&to=2', 400, 'bad-point'], ['/v1/resources?colour=red', 400, 'bad-filter']] as const) {
        const res = await fetch(t.base + path);
        assert.equal(res.status, status, path);
        assert.equal(((await res.json()) as { error: string }).error, code, path);
      }
    });
  });
});
