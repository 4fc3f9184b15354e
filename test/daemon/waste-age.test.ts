/**
 * Waste ages that do not restart: a volume (EBS) or disk (GCE) that is already unattached
 * when Elava first sees it takes its age from the cloud's creation time, marked "at least",
 * through the real SDK clients against the SIMULATED cloud.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { queryStateFrom } from '../../src/query/query-state.js';
import { wasteReport } from '../../src/query/waste.js';
import { tempDir } from '../helpers/tmp.js';
import { simKey } from '../scan/truth.js';
import { openTestDaemon, type DaemonUnderTest } from './daemon-harness.js';

describe('waste report ages of unattached volumes', () => {
  let t: DaemonUnderTest;
  const dir = tempDir('elava-waste-age-');

  before(async () => {
    t = await openTestDaemon(dir, {
      fleet: { ec2Instances: 5, ec2Volumes: 20, rdsInstances: 0, gceInstances: 5, gceDisks: 20 },
    });
    await t.daemon.runCycle();
  });

  after(async () => {
    await t?.daemon.close();
  });

  it('counts a volume first seen unattached from its creation time, as at least', () => {
    // given the simulator's creation time of every volume and disk
    const created = new Map<string, number>();
    for (const r of t.sim.cloud.truth()) {
      const at = r.kind === 'ec2.volume' ? r.attrs['createTime'] : r.attrs['creationTimestamp'];
      if (typeof at === 'string') created.set(simKey(r), Date.parse(at));
    }
    // when the waste report is asked right after the first cycle
    const q = queryStateFrom(dir, t.daemon.state, () => t.daemon.structures());
    const w = wasteReport(q, { stoppedDays: 0, nowMs: Date.now() });
    // then each unattached volume's age runs from its creation, long before Elava saw it
    assert.ok(w.unattachedVolumes.length > 5, `unattached: ${w.unattachedVolumes.length}`);
    for (const v of w.unattachedVolumes) {
      assert.equal(v.unattachedSinceMs, created.get(v.key), v.key);
      assert.equal(v.ageAtLeast, true, v.key);
      const before = (v.firstSeenMs ?? 0) > (v.unattachedSinceMs ?? Infinity);
      assert.ok(before, `${v.key} existed before it was first seen`);
    }
  });
});
