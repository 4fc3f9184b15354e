/**
 * Terminated means gone, through the real SDK clients against the SIMULATED cloud: EC2
 * keeps listing a terminated instance (and here a deleted volume) for a few ticks. Each
 * is reported disappeared at the tick it went, carrying the gone record, and nothing more
 * while it lingers in the listing.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { detectChanges } from '../../src/changes/detect.js';
import { isChangeEvent } from '../../src/model/events.js';
import { observedRecords } from '../../src/model/scope.js';
import { MemoryState } from '../changes/memory-state.js';
import { startHarness } from './sim-harness.js';
import { simKey } from './truth.js';

const TICKS = 6;
const LINGER_TICKS = 3;

describe('terminated instances and deleted volumes listed by the simulated EC2', () => {
  it('disappear at the tick they went, then change nothing while still listed', async () => {
    // given a cloud whose gone instances linger 3 ticks and gone volumes 2
    const h = await startHarness({
      aws: { accounts: ['111111111111'], regions: ['us-east-1'] },
      gcp: { projects: [], zones: [] },
      fleet: { ec2Instances: 20, ec2Volumes: 20, rdsInstances: 0, gceInstances: 0, gceDisks: 0 },
      churn: { appearPerTick: 1, changePerTick: 1, disappearPerTick: 2, recreatePerTick: 0 },
      linger: { ec2InstanceTicks: LINGER_TICKS, ec2VolumeTicks: 2 },
      pageSize: { ec2: 7, rds: 20, gcp: 500 },
    });
    try {
      const state = new MemoryState();
      state.apply(detectChanges(await h.scan(), state));
      const goneAt = new Map<string, number>();
      let lingeringListed = 0;
      for (let tick = 1; tick <= TICKS; tick++) {
        h.cloud.advance();
        const truth = new Set(h.cloud.truth().map(simKey));
        for (const c of h.cloud.lastChurn()) {
          const key = `aws/${c.account}/${c.region}/${c.kind}/${c.id}`;
          if (c.action === 'disappeared') goneAt.set(key, tick);
        }
        // when the cycle is scanned and detected
        const results = await h.scan();
        const listed = results.flatMap((r) => observedRecords(r));
        const isGone = (state: string | null): boolean =>
          state === 'terminated' || state === 'deleted';
        lingeringListed += listed.filter((r) => isGone(r.state)).length;
        const events = detectChanges(results, state);
        // then each gone key disappears exactly at the tick it went, with its gone record
        for (const e of events.filter(isChangeEvent)) {
          if (e.type !== 'disappeared') continue;
          assert.equal(goneAt.get(e.key), tick, `tick ${tick}: ${e.key} went this tick`);
          if (!e.key.includes('/ec2.')) continue; // RDS has no gone state: it leaves the listing
          assert.ok(isGone(e.record?.state ?? null), `${e.key} carries the gone record`);
        }
        const disappeared = new Set<string>();
        for (const e of events) if (e.type === 'disappeared') disappeared.add(e.key);
        for (const [key, at] of goneAt) {
          if (at === tick) assert.ok(disappeared.has(key), `tick ${tick}: ${key} reported`);
        }
        state.apply(events);
        // and the state holds exactly the truth: no lingering record came back to life
        assert.deepEqual([...state.records.keys()].sort(), [...truth].sort(), `tick ${tick}`);
      }
      assert.ok(lingeringListed >= 2 * TICKS, `gone resources really listed: ${lingeringListed}`);
    } finally {
      await h.close();
    }
  });
});
