/**
 * The daemon with one account's credentials belonging to another (SIMULATED cloud): that
 * account's scopes fail wrong-account, nothing is recorded under its id, the mismatch gauge
 * says so, and the other account is scanned as usual.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pino from 'pino';
import { Daemon } from '../../src/daemon/daemon.js';
import { startSimulation } from '../../src/cli/simulate.js';
import { findProjection } from '../../src/projection/builtins.js';
import { CurrentState } from '../../src/projection/current-state.js';
import { defaultScenario } from '../../src/sim/scenario-load.js';
import { tempDir } from '../helpers/tmp.js';
import { testConfig } from './daemon-harness.js';

const A = '111111111111';
const B = '222222222222';

describe('a daemon whose credentials for one account belong to another', () => {
  it('records nothing under the configured id, fails it wrong-account, sets a gauge', async () => {
    // given accounts A and B, with A handed B's simulated credentials
    const aws = { accounts: [A, B], regions: ['us-east-1', 'eu-west-1'] };
    const scenario = defaultScenario({ aws });
    const config = testConfig(scenario, tempDir(), { 'http-listen': 'off' });
    const sim = await startSimulation(scenario, config, { credentialsOf: () => B });
    const logger = pino({ level: 'silent' });
    const open = { config, scan: sim, logger, create: true, processMetrics: false };
    const daemon = await Daemon.open(open);
    try {
      // when a cycle runs
      const report = await daemon.runCycle();
      // then A's 16 scopes (8 types × 2 regions, and only they) failed wrong-account,
      // the message naming both ids
      assert.equal(report.failedScopes.length, 16);
      for (const f of report.failedScopes) {
        assert.ok(f.scope.startsWith(`aws/${A}/`), f.scope);
        assert.equal(f.reason, 'wrong-account');
        assert.match(f.message, new RegExp(`account ${A} belong to account ${B}`));
      }
      // and nothing is held under A, while B's resources are
      const held = findProjection(daemon.state, CurrentState)?.values() ?? [];
      const keys = [...held].map((r) => r.key);
      assert.equal(keys.filter((k) => k.startsWith(`aws/${A}/`)).length, 0);
      const truthB = sim.cloud.truth().filter((r) => r.service !== 'gcp' && r.account === B).length;
      assert.equal(keys.filter((k) => k.startsWith(`aws/${B}/`)).length, truthB);
      // and the gauge tells A from B
      const metrics = (await daemon.metrics.render()).body;
      const gauge = (account: string): RegExp => new RegExp(
        `elava_account_identity_mismatch\\{provider="aws",account="${account}"\\} (\\d)`);
      assert.equal(gauge(A).exec(metrics)?.[1], '1');
      assert.equal(gauge(B).exec(metrics)?.[1], '0');
      const failures = new RegExp('elava_scope_failures_total'
        + '\\{provider="aws",type="ec2.instance",reason="wrong-account"\\} (\\d+)');
      assert.equal(failures.exec(metrics)?.[1], '2');
    } finally {
      await daemon.close();
    }
  });
});
