/**
 * The waste report in steps the daemon pauses between (waste.ts, waste-cache.ts): the same
 * report as in one piece; a commit during a pause begins it again at the new revision, and
 * the last attempt runs through; the cache keeps it under the revision it was read at, and
 * two asks while it is computed share one computation.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ElavaEvent } from '../../src/model/events.js';
import { WASTE_REPORT_ATTEMPTS_MAX } from '../../src/limits.js';
import { DEFAULT_PRICES } from '../../src/cost/prices.js';
import { queryStateFrom, type QueryState } from '../../src/query/query-state.js';
import { NewestMoved, runSteps, type Drive, type Steps } from '../../src/query/steps.js';
import { WasteCache, wasteReportPaused } from '../../src/query/waste-cache.js';
import { wasteReport, wasteReportSteps, type WasteOptions } from '../../src/query/waste.js';
import { Store } from '../../src/store/store.js';
import { DAY_MS, NOW, W, writeWasteFixture } from './waste-fixture.js';

const OPTIONS: WasteOptions = { stoppedDays: 30, idleDays: 30, nowMs: NOW };
const RULES = { stoppedDays: 30, idleDays: 30, prices: DEFAULT_PRICES };

describe('the waste report in steps', () => {
  let dir: string;
  let store: Store;
  let state: QueryState;
  let commits = 0;
  before(async () => {
    dir = await writeWasteFixture();
    store = await Store.open(dir);
    state = queryStateFrom(dir, store.projections, () => store.structures);
  });
  after(async () => {
    await store.close();
  });

  /** One commit that changes what the report says: eip-2 gets an owner (it leaves "unowned"). */
  const commitOne = async (): Promise<void> => {
    commits++;
    const record = { ...W.eip2, owner: `team-${commits}`, tags: { Owner: `team-${commits}` } };
    const event: ElavaEvent = { type: 'changed', key: record.key, record, diff: [{ path: 'owner', before: null, after: record.owner }] };
    await store.commit([event], NOW - DAY_MS + commits);
  };

  /** Runs steps through, committing once after the pause numbered `at` (0: never). */
  const committingAfter = (at: number): Drive => async <T>(steps: Steps<T>): Promise<T> => {
    let pauses = 0;
    for (let r = steps.next(); ; r = steps.next()) {
      if (r.done === true) return r.value;
      if (++pauses === at) await commitOne();
    }
  };

  it('gives the report of one piece, pausing every few records', () => {
    const whole = wasteReport(state, OPTIONS);
    const steps = wasteReportSteps(state, OPTIONS, 1);
    let pauses = 0;
    let r = steps.next();
    for (; r.done !== true; r = steps.next()) pauses++;
    assert.deepEqual(r.value, whole);
    // one record a step: at least a pause per live record walked (19 appeared, 4 gone)
    assert.ok(pauses >= 15, `${pauses} pauses`);
    assert.ok(whole.unowned.some((u) => u.key === W.eip2.key), 'eip-2 starts unowned');
  });

  it('throws NewestMoved after a pause in which a commit landed', async () => {
    const steps = wasteReportSteps(state, OPTIONS, 1);
    assert.equal(steps.next().done, false);
    const before = state.lastMain;
    await commitOne();
    assert.throws(() => steps.next(), (err: unknown) => err instanceof NewestMoved && err.fromMain === before && err.toMain === state.lastMain);
  });

  it('begins again at the new revision when a commit lands during it', async () => {
    const report = await wasteReportPaused(state, OPTIONS, committingAfter(2));
    // read after the commit: eip-2's new owner is seen, and the answer is the one-piece report now
    assert.deepEqual(report, wasteReport(state, OPTIONS));
    assert.ok(!report.unowned.some((u) => u.key === W.eip2.key), 'eip-2 owned after the commit');
  });

  it('ends in one piece when commits land during every attempt', async () => {
    const atStart = state.lastMain;
    let attempts = 0;
    const alwaysMoving: Drive = async (steps) => {
      attempts++;
      return committingAfter(1)(steps);
    };
    const report = await wasteReportPaused(state, OPTIONS, alwaysMoving);
    assert.equal(attempts, WASTE_REPORT_ATTEMPTS_MAX - 1, 'the last attempt does not go through the driver');
    assert.equal(state.lastMain, atStart + WASTE_REPORT_ATTEMPTS_MAX - 1);
    assert.deepEqual(report, wasteReport(state, OPTIONS));
  });

  it('caches the report under the revision it was read at, and shares one computation', async () => {
    const cache = new WasteCache();
    let computed = 0;
    const counting = (inner: Drive): Drive => async (steps) => {
      computed++;
      return inner(steps);
    };
    // a commit during the first computation: kept under the revision after it
    const first = await cache.get(state, RULES, NOW, counting(committingAfter(2)));
    assert.equal(computed, 2);
    assert.deepEqual(first, wasteReport(state, OPTIONS));
    const again = await cache.get(state, RULES, NOW, counting(async (steps) => runSteps(steps)));
    assert.equal(again, first, 'the same object: no new computation at that revision');
    assert.equal(computed, 2);
    // a new revision: one computation serves two asks made while it runs
    await commitOne();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slow: Drive = async (steps) => {
      await gate;
      return runSteps(steps);
    };
    const a = cache.get(state, RULES, NOW, counting(slow));
    const b = cache.get(state, RULES, NOW, counting(slow));
    release();
    const [ra, rb] = await Promise.all([a, b]);
    assert.equal(ra, rb);
    assert.equal(computed, 3);
    assert.notEqual(ra, first);
  });
});
