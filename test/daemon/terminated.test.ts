/**
 * Terminated means gone for every face of the daemon: after the SIMULATED EC2 lists an
 * instance as terminated, `get` says not alive, `list`, `/v1/status` and `waste` leave it
 * out, and the Prometheus live gauge does not count it, while the listing still shows it.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { getResource, listResources, wasteReport } from '../../src/query/queries.js';
import { queryStateFrom } from '../../src/query/query-state.js';
import { tempDir } from '../helpers/tmp.js';
import { openTestDaemon, type DaemonUnderTest } from './daemon-harness.js';

const ACCOUNT = '111111111111';

describe('a terminated instance in the daemon\'s answers', () => {
  let t: DaemonUnderTest;
  const dir = tempDir('elava-terminated-');
  const terminated: string[] = [];

  before(async () => {
    // given a fleet of instances, three per region terminated on tick 1
    t = await openTestDaemon(dir, {
      gcp: { projects: [], zones: [] },
      fleet: { ec2Instances: 15, ec2Volumes: 0, rdsInstances: 0, gceInstances: 0, gceDisks: 0 },
      churn: { appearPerTick: 0, changePerTick: 0, disappearPerTick: 3, recreatePerTick: 0 },
      linger: { ec2InstanceTicks: 3, ec2VolumeTicks: 0 },
    });
    await t.daemon.runCycle();
    t.sim.cloud.advance();
    for (const c of t.sim.cloud.lastChurn()) {
      if (c.action !== 'disappeared' || c.kind !== 'ec2.instance') continue;
      terminated.push(`aws/${c.account}/${c.region}/${c.kind}/${c.id}`);
    }
    // when the daemon scans while EC2 still lists them as terminated, twice
    await t.daemon.runCycle();
    t.sim.cloud.advance();
    await t.daemon.runCycle();
  });

  after(async () => {
    await t?.daemon.close();
  });

  it('is still listed by EC2 as terminated (the case under test)', () => {
    const listed = t.sim.cloud.world.list('ec2.instance', ACCOUNT, 'us-east-1')
      .filter((r) => r.attrs['state'] === 'terminated');
    assert.ok(terminated.length >= 6, `terminated: ${terminated.length}`);
    assert.ok(listed.length >= 3, `listed as terminated: ${listed.length}`);
  });

  it('is not alive for get, list, waste, /v1/status and the live gauge', async () => {
    const q = queryStateFrom(dir, t.daemon.state, () => t.daemon.structures());
    const listed = new Set(listResources(q, {}).map((r) => r.key));
    const waste = wasteReport(q, { stoppedDays: 0, nowMs: Date.now() });
    const unowned = new Set(waste.unowned.map((r) => r.key));
    for (const key of terminated) {
      assert.equal(getResource(q, key).alive, false, key);
      assert.equal(listed.has(key), false, key);
      assert.equal(unowned.has(key), false, key);
    }
    const truth = t.sim.cloud.truth().length;
    const status = (await (await fetch(`${t.base}/v1/status`)).json()) as { live: number };
    assert.equal(status.live, truth);
    const metrics = (await t.daemon.metrics.render()).body;
    const gauge = new RegExp(`^elava_live_resources\\{type="ec2.instance"\\} ${truth}$`, 'm');
    assert.match(metrics, gauge);
  });
});
