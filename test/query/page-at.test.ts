/**
 * Pages and summaries at an older revision (src/query/page.ts) read as the walk goes
 * instead of reading the whole fleet at that revision first. They must answer exactly what
 * the whole-fleet way answers: a page is the slice of `listResources(state, filter, at)`
 * after the cursor, `next` is its last key when more follow, and a summary counts that
 * list. The history below has keys that appear, change (owner, state, tags), disappear
 * and come back, across providers and types, so most revisions answer partly from the
 * current state and partly from the log.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ChangeEvent, ElavaEvent } from '../../src/model/events.js';
import type { ResourceRecord, ResourceType } from '../../src/model/resource.js';
import { resourceKey } from '../../src/model/resource.js';
import { pageResources, pageSteps, summarizeResources, summarySteps, type FleetSummary, type ResourcePage } from '../../src/query/page.js';
import { fleetAt } from '../../src/query/fleet.js';
import { visitPastRecords } from '../../src/query/read-back.js';
import { historyUnchanged, runSteps, runStepsYielding, type Steps } from '../../src/query/steps.js';
import { closeQueryState, openQueryState, queryStateFrom, type QueryState } from '../../src/query/query-state.js';
import { listResources, listResourcesSteps, pastResourcesSteps, type ListFilter } from '../../src/query/resources.js';
import { SummaryCache } from '../../src/query/summary-cache.js';
import { DiffCache } from '../../src/query/diff-cache.js';
import { Store } from '../../src/store/store.js';
import { QueryError } from '../../src/query/errors.js';
import { diffWindow, diffWindowSteps, disappearedBetween, disappearedSteps, type DiffWindow } from '../../src/query/diff.js';
import { filterDiff, filterDiffSteps } from '../../src/query/diff-filter.js';
import { tempDir } from '../helpers/tmp.js';
import { prng } from '../projection/log-fixture.js';
import { HOUR_MS, T0, record } from './query-fixture.js';

const KEYS_PER_KIND = 40;
const COMMITS = 24;
const KINDS: Array<{ provider: 'aws' | 'gcp'; account: string; region: string; type: ResourceType }> = [
  { provider: 'aws', account: '123456789012', region: 'us-east-1', type: 'ec2.instance' },
  { provider: 'aws', account: '123456789012', region: 'eu-west-1', type: 'ec2.volume' },
  { provider: 'gcp', account: 'proj-1', region: 'us-central1-a', type: 'gce.instance' },
];
const OWNERS = ['platform', 'web', 'data'];
const STATES = ['running', 'stopped', 'pending'];

function randomRecord(key: string, type: ResourceType, rand: () => number): ResourceRecord {
  const tags: Record<string, string> = {};
  if (rand() < 0.8) tags['Owner'] = OWNERS[Math.floor(rand() * OWNERS.length)] as string;
  if (rand() < 0.5) tags['env'] = rand() < 0.5 ? 'prod' : 'dev';
  return record(type, key, STATES[Math.floor(rand() * STATES.length)] as string, tags, { n: Math.floor(rand() * 1000) });
}

/** COMMITS commits of appearances, changes and disappearances; returns the data directory. */
async function writeHistory(seed: number): Promise<string> {
  const rand = prng(seed);
  const dir = tempDir('elava-page-at-');
  const store = await Store.open(dir, { create: true, segmentSizeBytes: 64 * 1024 });
  const live = new Map<string, ResourceRecord>();
  const all = KINDS.flatMap((k) => Array.from({ length: KEYS_PER_KIND }, (_, i) => ({ key: resourceKey(k.provider, k.account, k.region, k.type, `r-${String(i).padStart(3, '0')}`), type: k.type })));
  for (let c = 0; c < COMMITS; c++) {
    const events: ElavaEvent[] = [];
    for (const { key, type } of all) {
      const before = live.get(key);
      const roll = rand();
      if (before === undefined) {
        if (roll < (c === 0 ? 0.7 : 0.1)) {
          const r = randomRecord(key, type, rand);
          live.set(key, r);
          events.push({ type: 'appeared', key, record: r });
        }
      } else if (roll < 0.08) {
        live.delete(key);
        events.push({ type: 'disappeared', key, record: before });
      } else if (roll < 0.35) {
        const r = randomRecord(key, type, rand);
        live.set(key, r);
        events.push({ type: 'changed', key, record: r, diff: [{ path: 'attrs.n', before: before.attrs['n'] ?? null, after: r.attrs['n'] ?? null }] });
      }
    }
    await store.commit(events, T0 + c * HOUR_MS); // keys walk in ascending order: events sorted by key
  }
  await store.close();
  return dir;
}

const FILTERS: ListFilter[] = [
  {},
  { type: 'ec2.volume' },
  { provider: 'gcp' },
  { owner: 'web' },
  { owner: null },
  { state: 'stopped', account: '123456789012' },
  { tag: { key: 'env', value: 'prod' } },
  { untagged: true },
  { owner: 'nobody' },
];

/** The pages as the whole-fleet list slices them (the reference). */
function slicedPages(state: QueryState, filter: ListFilter, limit: number, at: number): ResourcePage[] {
  const records = listResources(state, filter, at);
  const pages: ResourcePage[] = [];
  for (let from = 0; from === 0 || from < records.length; from += limit) {
    const resources = records.slice(from, from + limit);
    pages.push({ resources, next: from + limit < records.length ? (resources[resources.length - 1] as ResourceRecord).key : null });
  }
  return pages;
}

function walkPages(state: QueryState, filter: ListFilter, limit: number, at: number): ResourcePage[] {
  const pages: ResourcePage[] = [];
  let cursor: string | undefined;
  do {
    const page = pageResources(state, filter, cursor === undefined ? { limit } : { limit, after: cursor }, at);
    pages.push(page);
    cursor = page.next ?? undefined;
  } while (cursor !== undefined && pages.length <= KINDS.length * KEYS_PER_KIND);
  return pages;
}

/** `state` with its log reads counted. */
function counting(state: QueryState): { state: QueryState; reads: () => number } {
  let reads = 0;
  const events = state.events;
  const counted: QueryState['events'] = {
    read: (location, expect) => {
      reads++;
      return events.read(location, expect);
    },
    close: () => events.close(),
    ...(events.batch === undefined ? {} : { batch: <T>(fn: () => T): T => (events.batch as (f: () => T) => T)(fn) }),
  };
  return { state: { ...state, events: counted }, reads: () => reads };
}

/** Before the block's tests: a history (writeHistory) and a read-only state over it, closed after. */
function openedHistory(seed: number, opened: (dir: string, state: QueryState) => void): void {
  let state: QueryState | null = null;
  before(async () => {
    const dir = await writeHistory(seed);
    state = await openQueryState(dir);
    opened(dir, state);
  });
  after(() => {
    if (state !== null) closeQueryState(state);
  });
}

describe('pages and summaries at an older revision', () => {
  let state: QueryState;
  openedHistory(12, (_, s) => (state = s));

  it('every page equals the slice of the whole-fleet list, at every revision, for every filter and page size', () => {
    let pagesCompared = 0;
    let fromLog = 0;
    for (let at = 1; at <= state.lastMain; at++) {
      const partly = listResources(state, {}, at).length;
      if (at < state.lastMain) fromLog += partly;
      for (const filter of FILTERS) {
        for (const limit of [1, 7, 50, 1000]) {
          const expected = slicedPages(state, filter, limit, at);
          assert.deepEqual(walkPages(state, filter, limit, at), expected, `at ${at}, filter ${JSON.stringify(filter)}, limit ${limit}`);
          pagesCompared += expected.length;
        }
      }
      // A page may start at any key, not only at a previous page's last one.
      const keys = listResources(state, {}, at).map((r) => r.key);
      for (const cursor of [keys[0], keys[Math.floor(keys.length / 2)], `${keys[3] ?? ''}~`, 'a', 'zzz']) {
        if (cursor === undefined) continue;
        const wanted = listResources(state, {}, at).filter((r) => r.key > cursor);
        const page = pageResources(state, {}, { limit: 5, after: cursor }, at);
        assert.deepEqual(page.resources, wanted.slice(0, 5), `after ${cursor} at ${at}`);
        assert.equal(page.next, wanted.length > 5 ? (wanted[4] as ResourceRecord).key : null);
      }
    }
    assert.ok(pagesCompared > 1000, `${pagesCompared} pages compared`);
    assert.ok(fromLog > 500, 'older revisions answered from the log, not only from memory');
  });

  it('the fleet of an older revision as the /v1/at answer makes it equals the whole-fleet list, for every filter', () => {
    let compared = 0;
    const origins = { log: 0, memory: 0 };
    for (let at = 1; at < state.lastMain; at++) {
      for (const filter of FILTERS) {
        // as the answer does: records read from the log as their JSON text, the current state's as they are
        const items = runSteps(pastResourcesSteps(state, filter, at, (r, fromLog) => {
          assert.equal(state.current.get(r.key) === r, !fromLog, `${r.key} at ${at}: fromLog tells where it came from`);
          origins[fromLog ? 'log' : 'memory']++;
          return fromLog ? JSON.stringify(r) : r;
        }));
        const texts = items.map((item) => (typeof item === 'string' ? item : JSON.stringify(item)));
        assert.deepEqual(texts, listResources(state, filter, at).map((r) => JSON.stringify(r)), `at ${at} ${JSON.stringify(filter)}`);
        compared += texts.length;
      }
    }
    assert.ok(compared > 1000, `${compared} records compared`);
    assert.ok(origins.log > 100 && origins.memory > 100, `records from both the log and memory: ${JSON.stringify(origins)}`);
  });

  it('every summary equals the counts of the whole-fleet list', () => {
    for (let at = 1; at <= state.lastMain; at++) {
      for (const filter of FILTERS) {
        const s = summarizeResources(state, filter, at);
        const records = listResources(state, filter, at);
        assert.equal(s.total, records.length, `at ${at} ${JSON.stringify(filter)}`);
        const byType = new Map<string, number>();
        const byOwner = new Map<string | null, number>();
        for (const r of records) {
          byType.set(r.type, (byType.get(r.type) ?? 0) + 1);
          byOwner.set(r.owner, (byOwner.get(r.owner) ?? 0) + 1);
        }
        assert.deepEqual(new Map(s.byType.map((t) => [t.type, t.count])), byType);
        assert.deepEqual(new Map(s.byOwner.map((o) => [o.owner, o.count])), byOwner);
        assert.equal(s.otherOwners, 0);
      }
    }
  });

  it('an unfiltered page at an older revision reads about its own size from the log, not the fleet', () => {
    const at = Math.floor(state.lastMain / 2);
    const fleet = listResources(state, {}, at).length;
    const { state: counted, reads } = counting(state);
    const page = pageResources(counted, {}, { limit: 5 }, at);
    assert.equal(page.resources.length, 5);
    assert.ok(reads() <= 5 + 2, `${reads()} records read for a page of 5 (the fleet there: ${fleet})`);
    const second = pageResources(counted, {}, { limit: 5, after: page.next as string }, at);
    assert.deepEqual(second.resources, listResources(state, {}, at).slice(5, 10));
    assert.ok(reads() <= 2 * (5 + 2), `${reads()} records read for two pages of 5`);
    assert.ok(fleet > 40, 'the fleet is much larger than a page');
  });

  it('the daemon\'s summary cache answers as summarizeResources does, reading the log once per revision and filter', async () => {
    const cache = new SummaryCache();
    const drive = (steps: Steps<FleetSummary>): Promise<FleetSummary> => runStepsYielding(steps, () => undefined);
    const at = Math.floor(state.lastMain / 2);
    const filters: ListFilter[] = [{}, { owner: null }, { owner: 'web' }, { tag: { key: 'env' } }, { tag: { key: 'env', value: 'prod' } }];
    for (const filter of filters) {
      const first = counting(state);
      assert.deepEqual(await cache.get(first.state, filter, at, drive), summarizeResources(state, filter, at), JSON.stringify(filter));
      assert.ok(first.reads() > 0, 'an older revision is read from the log');
    }
    for (const filter of filters) {
      const again = counting(state);
      assert.deepEqual(await cache.get(again.state, filter, at, drive), summarizeResources(state, filter, at), `${JSON.stringify(filter)} again`);
      assert.equal(again.reads(), 0, `${JSON.stringify(filter)} again: from the cache`);
    }
    // Another revision is another entry; the newest revision is never cached (it changes each cycle).
    assert.deepEqual(await cache.get(state, {}, at - 1, drive), summarizeResources(state, {}, at - 1));
    assert.deepEqual(await cache.get(state, {}, state.lastMain, drive), summarizeResources(state, {}, state.lastMain));
    // A moved compaction or retention mark empties it: the log is read again.
    for (const moved of [{ compactedMain: state.compactedMain + 1 }, { downsampledBeforeMain: state.downsampledBeforeMain + 1 }]) {
      const after = counting({ ...state, ...moved });
      assert.deepEqual(await cache.get(after.state, {}, at, drive), summarizeResources(state, {}, at));
      assert.ok(after.reads() > 0, `read again after ${JSON.stringify(moved)}`);
    }
    await assert.rejects(cache.get(state, { type: 'no.such' as ResourceType }, at, drive), { code: 'bad-filter' });
  });

  it('the daemon\'s diff window cache walks a window once, and again once compaction or retention moved', async () => {
    const cache = new DiffCache();
    let walks = 0;
    const drive = (steps: Steps<DiffWindow>): Promise<DiffWindow> => {
      walks++;
      return runStepsYielding(steps, () => undefined);
    };
    const from = Math.floor(state.lastMain / 3);
    const to = state.lastMain - 1;
    const first = await cache.get(state, from, to, drive);
    assert.deepEqual(first, diffWindow(state, from, to));
    assert.equal(await cache.get(state, from, to, drive), first, 'the same window from the cache');
    assert.equal(walks, 1);
    // A window's `certain` flags trust only history above the retention mark: a moved mark
    // (or compaction point) walks it again.
    for (const moved of [{ compactedMain: state.compactedMain + 1 }, { downsampledBeforeMain: state.downsampledBeforeMain + 1 }]) {
      await cache.get(state, from, to, drive); // held under the marks as they are
      const walkedBefore: number = walks;
      await cache.get({ ...state, ...moved }, from, to, drive);
      assert.equal(walks, walkedBefore + 1, `walked again after ${JSON.stringify(moved)}`);
    }
  });

  it('a revision that cannot be read is refused as before', () => {
    assert.throws(() => pageResources(state, {}, { limit: 5 }, state.lastMain + 1), { code: 'future' });
    assert.throws(() => summarizeResources(state, {}, state.lastMain + 1), { code: 'future' });
  });
});

describe('reading the past in steps the daemon pauses between', () => {
  let dir: string;
  let state: QueryState;
  openedHistory(31, (d, s) => {
    dir = d;
    state = s;
  });

  it('visits every record visible at a revision, at its position in key order, whatever the step size', () => {
    for (let at = 1; at < state.lastMain; at++) {
      const fleet = fleetAt(state, at);
      for (const perStep of [1, 7, 1000]) {
        const seen: ResourceRecord[] = [];
        const steps = visitPastRecords(state, at, (r, position) => {
          assert.equal(seen[position], undefined, `position ${position} visited twice`);
          seen[position] = r;
        }, perStep);
        let pauses = 0;
        let r = steps.next();
        for (; !r.done; r = steps.next()) pauses++;
        assert.equal(r.value, fleet.length, `at ${at}, ${perStep} a step: entries visible`);
        assert.deepEqual(seen, fleet, `at ${at}, ${perStep} a step`);
        if (perStep === 1) assert.ok(pauses >= fleet.length, `a pause after every key's step (${pauses})`);
      }
    }
  });

  it('answers what the answers run through do, pausing between steps', async () => {
    for (const at of [1, Math.floor(state.lastMain / 2), state.lastMain - 1, state.lastMain]) {
      const guard = historyUnchanged(state);
      for (const filter of FILTERS) {
        const where = `at ${at} ${JSON.stringify(filter)}`;
        assert.deepEqual(await runStepsYielding(listResourcesSteps(state, filter, at), guard), listResources(state, filter, at), where);
        assert.deepEqual(await runStepsYielding(summarySteps(state, filter, at), guard), summarizeResources(state, filter, at), where);
        for (const limit of [1, 7]) {
          assert.deepEqual(await runStepsYielding(pageSteps(state, filter, { limit }, at), guard), pageResources(state, filter, { limit }, at), `${where} limit ${limit}`);
        }
      }
    }
    // Disappearances in a window, the walk one key a step: as the walk in one piece.
    const mid = Math.floor(state.lastMain / 2);
    for (const [since, until] of [[1, mid], [mid, state.lastMain], [0, state.lastMain]] as const) {
      const walk = disappearedSteps(state, since, until, 1);
      let r = walk.next();
      let walkPauses = 0;
      for (; !r.done; r = walk.next()) walkPauses++;
      const whole = disappearedBetween(state, since, until);
      assert.ok(whole.length > 0 && walkPauses >= 100, `${since}..${until}: ${whole.length} disappearances, ${walkPauses} pauses`);
      assert.deepEqual(r.value, whole, `${since}..${until}`);
    }
    // A page whose filter matches nothing walks the fleet in reads of 3, 6, 12, ...: a step each.
    const steps = pageSteps(state, { owner: 'nobody' }, { limit: 1 }, Math.floor(state.lastMain / 2));
    let pauses = 0;
    while (!steps.next().done) pauses++;
    assert.ok(pauses >= 3, `${pauses} pauses`);
  });

  it('answers as of its revision when the daemon commits between two steps', async () => {
    const store = await Store.open(dir);
    const live = queryStateFrom(dir, store.projections, () => store.structures);
    try {
      // The revision before the newest: most keys' record there is still their newest, read
      // from the current state in the step that walked them.
      const at = live.lastMain - 1;
      const expected = listResources(live, {}, at);
      const seen: ResourceRecord[] = [];
      const steps = visitPastRecords(live, at, (r, position) => (seen[position] = r), 50);
      assert.equal(steps.next().done, false, 'paused after the first step');
      // Every key live now changes (so the current state no longer holds its record at `at`
      // for any of them), one disappears and one appears.
      const now = listResources(live, {});
      const events: ChangeEvent[] = now.map((r) => ({ type: 'changed', key: r.key, record: { ...r, state: 'changed-later' }, diff: [{ path: 'state', before: r.state, after: 'changed-later' }] }));
      const gone = now[0] as ResourceRecord;
      events[0] = { type: 'disappeared', key: gone.key, record: gone };
      const fresh = record('ec2.instance', resourceKey('aws', '123456789012', 'us-east-1', 'ec2.instance', 'r-new'), 'running', {}, {});
      events.push({ type: 'appeared', key: fresh.key, record: fresh });
      events.sort((a, b) => (a.key < b.key ? -1 : 1));
      await store.commit(events, T0 + 100 * HOUR_MS);
      let r = steps.next();
      while (!r.done) r = steps.next();
      assert.deepEqual(seen, expected);
      assert.equal(summarizeResources(live, {}, at).total, expected.length);

      // A diff up to the newest revision read in steps of one record, the daemon committing
      // after every step: the answer is the one computed before (records "after" that were a
      // key's newest when the window was walked are no longer taken from the current state).
      for (const filter of [{}, { owner: 'web' }, { state: 'stopped' }] as ListFilter[]) {
        const to = live.lastMain;
        const window = diffWindow(live, 1, to);
        const before = filterDiff(live, window, filter);
        const diffSteps = filterDiffSteps(live, window, filter, undefined, 1);
        let pauses = 0;
        let d = diffSteps.next();
        for (; !d.done; d = diffSteps.next()) {
          pauses++;
          const r = listResources(live, {})[pauses % 20] as ResourceRecord;
          await store.commit([{ type: 'changed', key: r.key, record: { ...r, name: `renamed-${pauses}` }, diff: [{ path: 'name', before: r.name, after: `renamed-${pauses}` }] }], T0 + (200 + pauses) * HOUR_MS);
        }
        assert.ok(pauses > 10, `${JSON.stringify(filter)}: ${pauses} pauses`);
        assert.deepEqual(d.value, before, JSON.stringify(filter));
      }
      // The same with the window itself walked one key a step, a commit after every step.
      let commits = 0;
      const commitOne = async (): Promise<void> => {
        commits++;
        const r = listResources(live, {})[commits % 20] as ResourceRecord;
        await store.commit([{ type: 'changed', key: r.key, record: { ...r, name: `again-${commits}` }, diff: [{ path: 'name', before: r.name, after: `again-${commits}` }] }], T0 + (400 + commits) * HOUR_MS);
      };
      for (const filter of [{}, { owner: 'web' }] as ListFilter[]) {
        const to = live.lastMain;
        const before = filterDiff(live, diffWindow(live, 1, to), filter);
        const walk = diffWindowSteps(live, 1, to, 1);
        let w = walk.next();
        for (; !w.done; w = walk.next()) await commitOne();
        // The same keys and entries as a walk in one piece now (afterNewest aside: keys changed since).
        const keysOf = (x: DiffWindow): unknown => [x.appeared, x.changed, x.disappeared].map((ks) => ks.map(({ afterNewest: _, ...k }) => k));
        assert.deepEqual(keysOf(w.value), keysOf(diffWindow(live, 1, to)));
        assert.equal(w.value.walkedAtMain, to, 'the newest revision when the walk began');
        assert.deepEqual(filterDiff(live, w.value, filter), before, `${JSON.stringify(filter)}, window walked in steps`);
      }
      assert.ok(commits > 100, `${commits} commits during the walks`);

      // Disappearances up to the newest revision, walked one key a step while keys disappear.
      const until = live.lastMain;
      const goneUntil = disappearedBetween(live, 0, until);
      const walk = disappearedSteps(live, 0, until, 1);
      let g = walk.next();
      for (let n = 0; !g.done; g = walk.next(), n++) {
        if (n % 10 !== 0) continue;
        const r = listResources(live, {})[0];
        if (r !== undefined) await store.commit([{ type: 'disappeared', key: r.key, record: r }], T0 + (600 + n) * HOUR_MS);
      }
      assert.deepEqual(g.value, goneUntil, 'what disappeared up to the revision asked, not after it');
      assert.ok(disappearedBetween(live, 0, live.lastMain).length > goneUntil.length, 'keys did disappear meanwhile');

      // Compaction between two steps: the driver's check refuses to go on (410 over HTTP).
      const guard = historyUnchanged(live);
      guard();
      await store.compact(at + 1);
      assert.throws(guard, { code: 'compacted' });
      await assert.rejects(runStepsYielding(visitPastRecords(live, live.lastMain - 1, () => undefined, 1), () => { throw new QueryError('compacted', 'moved'); }), { code: 'compacted' });
      assert.equal(runSteps(summarySteps(live, {}, live.lastMain)).total, listResources(live, {}).length);
    } finally {
      closeQueryState(live);
      await store.close();
    }
  });
});
