/**
 * The mass-disappearance guard in the daemon, through the real SDK clients against the
 * SIMULATED cloud: a listing that misses most of a scope is reported suspect (scope-scanned
 * status, a warning, metrics) and disappears nothing; across a restart, the next complete
 * listing decides: what it also misses disappears, what came back never went.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import type { ElavaEvent, ScopeScanned } from '../../src/model/events.js';
import { Daemon } from '../../src/daemon/daemon.js';
import { startSimulation } from '../../src/cli/simulate.js';
import type { ScanSetup } from '../../src/daemon/scan-setup.js';
import { findProjection } from '../../src/projection/builtins.js';
import { WithheldDisappearances } from '../../src/projection/withheld.js';
import { defaultScenario } from '../../src/sim/scenario-load.js';
import { tempDir } from '../helpers/tmp.js';
import { captureLogs, commitEvents, testConfig } from './daemon-harness.js';

const VOLUMES = 'aws/111111111111/us-east-1/ec2.volume';
const INSTANCES = 'aws/111111111111/eu-west-1/ec2.instance';

function scopeEvent(events: readonly ElavaEvent[], scope: string): ScopeScanned {
  const e = events.find((x): x is ScopeScanned => x.type === 'scope-scanned' && x.scope === scope);
  assert.ok(e !== undefined, `scope ${scope} scanned`);
  return e;
}

function goneUnder(events: readonly ElavaEvent[], scope: string): number {
  return events.filter((e) => e.type === 'disappeared' && e.key.startsWith(scope + '/')).length;
}

describe('mass-disappearance guard in the daemon', () => {
  it('withholds a mass disappearance across a restart until the next listing agrees', async () => {
    // given a quiet fleet where tick 1 deletes 20 of 30 volumes in us-east-1 and a broken
    // answer hides 20 of 30 instances in eu-west-1 (still alive) from that tick's listings
    const scenario = defaultScenario({
      gcp: { projects: [], zones: [] },
      fleet: { ec2Instances: 30, ec2Volumes: 30, rdsInstances: 0, gceInstances: 0, gceDisks: 0 },
      churn: { appearPerTick: 0, changePerTick: 0, disappearPerTick: 0, recreatePerTick: 0 },
      massDeletions: [{ tick: 1, kind: 'ec2.volume', region: 'us-east-1', count: 20 }],
      dropouts: [{ tick: 1, kind: 'ec2.instance', region: 'eu-west-1', count: 20 }],
    });
    const dir = tempDir('elava-guard-');
    const config = testConfig(scenario, dir);
    const sim = await startSimulation(scenario, config);
    // the simulated cloud outlives the first daemon, so the restart sees the same world
    const kept: ScanSetup = {
      config: sim.config, clients: sim.clients, close: async () => undefined,
    };
    const logs = captureLogs();
    const logger = pino({ level: 'debug' }, logs.stream);
    const open = (): Promise<Daemon> =>
      Daemon.open({ config, scan: kept, logger, create: true, processMetrics: false });
    const withheldNow = (d: Daemon): number | undefined =>
      findProjection(d.state, WithheldDisappearances)?.size;
    const suspectLines = (): number => logs.lines
      .filter((l) => typeof l['msg'] === 'string' && l['msg'].startsWith('scope suspect')).length;
    try {
      let daemon = await open();
      await daemon.runCycle();
      sim.cloud.advance();
      // when the daemon scans the tick of the mass deletion and the dropout
      const suspect = await daemon.runCycle();
      const events = commitEvents(dir, suspect.revision ?? -1);
      const metrics = (await daemon.metrics.render()).body;
      // then both scopes are suspect with 20 withheld each, and nothing disappeared
      for (const scope of [VOLUMES, INSTANCES]) {
        const e = scopeEvent(events, scope);
        assert.deepEqual([e.status, e.withheld?.length], ['suspect', 20], scope);
      }
      assert.equal(suspect.disappeared, 0);
      assert.equal(suspectLines(), 2);
      assert.match(metrics, /^elava_scope_suspect_total\{provider="aws",type="ec2.volume"\} 1$/m);
      assert.match(metrics, /^elava_withheld_disappearances 40$/m);
      // and when the daemon restarts before the next listing
      await daemon.close();
      daemon = await open();
      assert.equal(withheldNow(daemon), 40, 'the withheld ids survive the restart');
      sim.cloud.advance();
      const decided = await daemon.runCycle();
      const after = commitEvents(dir, decided.revision ?? -1);
      await daemon.close();
      // then the deleted volumes disappear now, and the hidden instances never went
      const outcome = (scope: string): [string, number] =>
        [scopeEvent(after, scope).status, goneUnder(after, scope)];
      assert.deepEqual(outcome(VOLUMES), ['complete', 20]);
      assert.deepEqual(outcome(INSTANCES), ['complete', 0]);
      assert.equal(withheldNow(daemon), 0);
    } finally {
      await sim.close();
    }
  });
});
