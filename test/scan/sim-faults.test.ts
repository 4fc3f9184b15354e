/**
 * Scanners and change detection through the real SDK clients against the SIMULATED cloud,
 * with faults, in the pattern of faulty-cycle.ts: failed scopes must yield no
 * `disappeared`, and complete scopes must match the truth.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { scopeString } from '../../src/model/scope.js';
import { cleanThenFaulty, failedScopes } from './faulty-cycle.js';
import { startHarness } from './sim-harness.js';

describe('scanning the simulated cloud under faults', () => {
  it('retries throttling and still completes the cycle', async () => {
    // given every listing throttled on its first two requests, and three attempts allowed
    const h = await startHarness({
      faults: [
        { kind: 'throttle', service: 'ec2', times: 2 },
        { kind: 'throttle', service: 'rds', times: 2 },
        { kind: 'throttle', service: 'gcp', times: 2 },
      ],
    });
    try {
      // when the cycle runs
      const results = await h.scan();
      // then every scope is complete, and the simulator saw third attempts
      assert.deepEqual(results.filter((r) => r.status !== 'complete').map((r) => scopeString(r.scope)), []);
      const log = h.cloud.requestLog();
      assert.ok(log.some((e) => e.attempt?.startsWith('attempt=3') === true), 'AWS SDK retried to a third attempt');
      assert.ok(log.filter((e) => e.service === 'gcp' && e.status === 429).length >= 4, 'GCP was throttled and retried');
      assert.equal(results.reduce((n, r) => n + (r.status === 'complete' ? r.records.length : 0), 0), h.cloud.truth().length);
    } finally {
      await h.close();
    }
  });

  it('fails a scope throttled past its retries without reporting its resources gone', async () => {
    const cycle = await cleanThenFaulty([{ kind: 'throttle', service: 'ec2', region: 'us-east-1', times: 3, ticks: [1] }]);
    assert.deepEqual(failedScopes(cycle), [
      'aws/111111111111/us-east-1/ec2.instance throttled',
      'aws/111111111111/us-east-1/ec2.volume throttled',
    ]);
  });

  it('fails only the region whose access is denied; other regions are recorded normally', async () => {
    const cycle = await cleanThenFaulty([
      { kind: 'access-denied', service: 'ec2', region: 'us-east-1', ticks: [1] },
      { kind: 'access-denied', service: 'rds', region: 'us-east-1', ticks: [1] },
    ]);
    assert.deepEqual(failedScopes(cycle), [
      'aws/111111111111/us-east-1/ec2.instance access-denied',
      'aws/111111111111/us-east-1/ec2.volume access-denied',
      'aws/111111111111/us-east-1/rds.instance access-denied',
    ]);
    assert.ok(cycle.sparedCount > 0, 'the tick really removed resources in the failed region');
    const euComplete = cycle.results.filter((r) => r.scope.region === 'eu-west-1' && r.status === 'complete');
    assert.equal(euComplete.length, 3);
  });

  it('fails a scope whose page 3 of 5 errors, with no false disappearance', async () => {
    // 50 instances and 60 volumes per scope, 12 per page: 5 pages each
    const cycle = await cleanThenFaulty(
      [{ kind: 'error-on-page', service: 'ec2', region: 'us-east-1', page: 3, ticks: [1] }],
      { pageSize: { ec2: 12, rds: 100, gcp: 500 }, fleet: { ec2Instances: 50, ec2Volumes: 55, rdsInstances: 10, gceInstances: 10, gceDisks: 10 } },
    );
    assert.deepEqual(failedScopes(cycle), [
      'aws/111111111111/us-east-1/ec2.instance server-error',
      'aws/111111111111/us-east-1/ec2.volume server-error',
    ]);
    for (const r of cycle.failed) assert.equal(r.status === 'failed' ? r.partialRecords.length : -1, 24, 'two whole pages seen');
    assert.ok(cycle.sparedCount > 0, 'the tick really removed resources in the failed scopes');
  });

  it('fails a scope whose body does not parse, with a malformed-response error', async () => {
    const cycle = await cleanThenFaulty([
      { kind: 'malformed', service: 'rds', region: 'eu-west-1', ticks: [1] },
      { kind: 'malformed', service: 'gcp', ticks: [1] },
    ]);
    const codes = cycle.failed.map((r) => (r.status === 'failed' ? r.error.code : ''));
    assert.ok(cycle.failed.length === 5, `rds eu-west-1 plus 2 zones × 2 GCE types failed: ${failedScopes(cycle).join(', ')}`);
    assert.ok(codes.every((c) => c === 'malformed-response'));
    for (const r of cycle.failed) assert.ok(r.status === 'failed' && r.error.message.length > 10);
  });

  it('spares only the unreachable GCP zone', async () => {
    const cycle = await cleanThenFaulty([{ kind: 'unreachable-zone', zone: 'us-central1-a', ticks: [1] }]);
    assert.deepEqual(failedScopes(cycle), [
      'gcp/sim-project-a/us-central1-a/gce.disk unreachable',
      'gcp/sim-project-a/us-central1-a/gce.instance unreachable',
    ]);
    assert.ok(cycle.sparedCount > 0, 'the tick really removed resources in the unreachable zone');
    const other = cycle.results.filter((r) => r.scope.region === 'europe-west1-b');
    assert.deepEqual(other.map((r) => r.status), ['complete', 'complete']);
  });

  it('stops at once when aborted, failing every unfinished scope as aborted', async () => {
    const h = await startHarness({ faults: [{ kind: 'slow', service: 'ec2', delayMs: 1_500 }, { kind: 'slow', service: 'rds', delayMs: 1_500 }, { kind: 'slow', service: 'gcp', delayMs: 1_500 }] });
    try {
      const controller = new AbortController();
      const started = performance.now();
      setTimeout(() => controller.abort(), 200);
      const results = await h.scan(controller.signal);
      assert.ok(performance.now() - started < 1_200, 'returned well before the slow responses');
      assert.ok(results.length >= 6);
      assert.deepEqual([...new Set(results.map((r) => (r.status === 'failed' ? r.error.code : 'complete')))], ['aborted']);
    } finally {
      await h.close();
    }
  });
});
