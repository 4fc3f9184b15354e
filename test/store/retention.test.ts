/**
 * The retention policy: every revision in the recent window, one revision per resource
 * lifetime per day before it, nothing beyond the horizon. Given a 40-day synthetic history
 * (4 commits a day; resources appear, change, disappear and come back), when the policy
 * runs, then the state at every day's end is what it was, the window is untouched, each
 * lifetime keeps its start and end, and a replay of the log reproduces the thinned state.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findProjection } from '../../src/projection/builtins.js';
import { CommitTimes } from '../../src/projection/commit-times.js';
import { KeyIndexProjection } from '../../src/projection/key-index-projection.js';
import { revisionStateHash } from '../../src/projection/revision-hash.js';
import { runQueryCommand } from '../../src/query/commands.js';
import { EventSource } from '../../src/store/event-source.js';
import { rebuild } from '../../src/store/rebuild.js';
import { applyRetention, DAY_MS, planRetention } from '../../src/store/retention-policy.js';
import type { Store } from '../../src/store/store.js';
import { tempDir } from '../helpers/tmp.js';
import { captureIo } from '../query/query-fixture.js';
import { historyCommits, openStore } from './store-harness.js';

const T0_MS = Date.UTC(2026, 0, 1);
const COMMITS_PER_DAY = 4;
const DAYS = 40;
const timeOf = (main: number): number => T0_MS + Math.floor((main - 1) / COMMITS_PER_DAY) * DAY_MS + ((main - 1) % COMMITS_PER_DAY) * 3 * 3_600_000;
const NOW_MS = T0_MS + DAYS * DAY_MS;
const POLICY = { keepAllMs: 10 * DAY_MS, horizonMs: null };

async function givenHistory(): Promise<{ dir: string; store: Store }> {
  const dir = tempDir('elava-retention-');
  const store = await openStore(dir);
  for (const events of historyCommits(DAYS * COMMITS_PER_DAY, 7)) await store.commit(events, timeOf(store.lastMain + 1));
  return { dir, store };
}

function keyIndexOf(store: Store): KeyIndexProjection {
  const ki = findProjection(store.projections, KeyIndexProjection);
  assert.ok(ki !== undefined);
  return ki;
}

function hashAt(store: Store, atMain: number): string {
  const source = new EventSource(store.dir, store.structures, []);
  try {
    return revisionStateHash(keyIndexOf(store).index, atMain, (k, r) => source.readRevision(k, r));
  } finally {
    source.close();
  }
}

/** The last commit of each day: the daily snapshots. */
const dayEnds = Array.from({ length: DAYS }, (_, d) => (d + 1) * COMMITS_PER_DAY);

describe('retention policy', () => {
  const run = (async () => {
    const { dir, store } = await givenHistory();
    const before = new Map(dayEnds.map((m) => [m, hashAt(store, m)]));
    const revisionsBefore = keyIndexOf(store).index.revisionCount;
    const histories = new Map([...keyIndexOf(store).index.keyIndexes()].map((ki) => [ki.key, ki.history()]));
    const outcome = await applyRetention(store, POLICY, NOW_MS);
    return { dir, store, before, revisionsBefore, histories, outcome };
  })();

  it('thins history older than the window and keeps the state at every day end', async () => {
    const { store, before, revisionsBefore, outcome } = await run;
    const d = outcome.downsampled;
    assert.ok(d !== null, 'a downsampling marker was committed');
    assert.equal(d.beforeMain, (DAYS - 10) * COMMITS_PER_DAY + 1, 'the window starts at the midnight 10 days back');
    assert.ok(outcome.revisionsDropped > 0 && keyIndexOf(store).index.revisionCount === revisionsBefore - outcome.revisionsDropped);
    for (const [main, hash] of before) assert.equal(hashAt(store, main), hash, `state at the end of the day of revision ${main}`);
  });

  it('keeps every revision in the window, and each lifetime its first revision and its end', async () => {
    const { store, histories, outcome } = await run;
    const beforeMain = outcome.downsampled!.beforeMain;
    for (const [key, old] of histories) {
      const kept = keyIndexOf(store).index.keyIndex(key)?.history() ?? [];
      const keptMains = new Set(kept.map((r) => r.main));
      for (let i = 0; i < old.length; i++) {
        const r = old[i]!;
        const startsLifetime = i === 0 || old[i - 1]!.tombstone;
        if (r.main >= beforeMain || startsLifetime || r.tombstone) assert.ok(keptMains.has(r.main), `${key} keeps ${r.main}`);
      }
      // at most one revision per lifetime per day before the window, beyond start and end
      const perDay = new Map<string, number>();
      let lifetime = 0;
      for (const r of kept) {
        if (r.main < beforeMain && !r.tombstone) {
          const day = `${lifetime}:${Math.floor((timeOf(r.main) - T0_MS) / DAY_MS)}`;
          perDay.set(day, (perDay.get(day) ?? 0) + 1);
        }
        if (r.tombstone) lifetime++;
      }
      for (const [day, n] of perDay) assert.ok(n <= 2, `${key} day ${day} keeps ${n} revisions`);
    }
  });

  it('is reproduced by a replay of the log and survives a restart', async () => {
    const { dir, store } = await run;
    const live = store.hash();
    await store.close();
    const rebuilt = await rebuild(dir, { progress: false, readOnly: true });
    assert.equal(rebuilt.hash, live, 'the marker thins the replayed index the same way');
    const reopened = await openStore(dir);
    try {
      assert.equal(reopened.hash(), live);
      const again = await applyRetention(reopened, POLICY, NOW_MS);
      assert.equal(again.downsampled, null, 'the window only moves forward: nothing more to thin today');
    } finally {
      await reopened.close();
    }
  });

  it('says so when a query reads the thinned history', async () => {
    const { dir, store } = await run;
    const key = [...keyIndexOf(store).index.keyIndexes()].find((ki) => ki.history()[0]!.main < 10)!.key;
    const io = captureIo();
    const code = await runQueryCommand('history', [key, '--data-dir', dir], { stdout: io.stdout, stderr: io.stderr });
    assert.equal(code, 0, io.err());
    assert.match(io.err(), /kept at day granularity/);
    const recent = captureIo();
    await runQueryCommand('at', [String(store.lastMain), '--data-dir', dir], { stdout: recent.stdout, stderr: recent.stderr });
    assert.doesNotMatch(recent.err(), /day granularity/, 'answers inside the window carry no note');
  });

  it('drops history beyond the horizon by compaction', async () => {
    const { dir, store } = await givenHistory();
    const horizonMain = findProjection(store.projections, CommitTimes)!.mainAtOrBefore(NOW_MS - 30 * DAY_MS);
    assert.equal(horizonMain, 10 * COMMITS_PER_DAY + 1, 'the newest commit at or before the horizon (one at its very midnight)');
    const outcome = await applyRetention(store, { keepAllMs: 10 * DAY_MS, horizonMs: 30 * DAY_MS }, NOW_MS);
    assert.ok(outcome.compaction?.finished, 'compacted');
    assert.equal(outcome.compaction.atMain, horizonMain);
    assert.equal(keyIndexOf(store).index.compactedMain, outcome.compaction.atMain);
    await store.close();
    assert.equal((await rebuild(dir, { progress: false, readOnly: true })).hash, store.hash());
  });
});

describe('retention planning', () => {
  const inputs = (over: Partial<Parameters<typeof planRetention>[1]>): Parameters<typeof planRetention>[1] => ({
    mainAtOrAfter: () => 50, mainAtOrBefore: () => 20, dayStarts: () => [1, 10, 20, 30, 40],
    downsampledBeforeMain: 0, compactedMain: 0, lastMain: 100, ...over,
  });
  const vectors: Array<[string, Partial<Parameters<typeof planRetention>[1]>, number | null]> = [
    ['thins everything before the window', {}, 50],
    ['nothing when the window starts at or before what was thinned', { downsampledBeforeMain: 50 }, null],
    ['nothing when the log is younger than the window', { mainAtOrAfter: () => 1 }, null],
    ['the whole log when every commit is older than the window', { mainAtOrAfter: () => null }, 101],
  ];
  for (const [name, over, beforeMain] of vectors) {
    it(name, () => {
      const plan = planRetention(POLICY, inputs(over), NOW_MS);
      assert.equal(plan.downsample?.beforeMain ?? null, beforeMain);
      assert.equal(plan.compactAtMain, null, 'no horizon, no compaction');
    });
  }
  it('compacts beyond the horizon only above what is compacted', () => {
    const policy = { keepAllMs: 10 * DAY_MS, horizonMs: 30 * DAY_MS };
    assert.equal(planRetention(policy, inputs({}), NOW_MS).compactAtMain, 20);
    assert.equal(planRetention(policy, inputs({ compactedMain: 20 }), NOW_MS).compactAtMain, null);
  });
});
