/**
 * Complete listings through the real SDK clients against the SIMULATED cloud.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { detectChanges } from '../../src/changes/detect.js';
import { scopeString } from '../../src/model/scope.js';
import { MemoryState } from '../changes/memory-state.js';
import { startHarness } from './sim-harness.js';
import { simKey } from './truth.js';

describe('scanning the simulated cloud', () => {
  it('lists thousands of resources over many pages completely', async () => {
    // given a fleet of thousands, served in small pages
    const h = await startHarness({
      aws: { accounts: ['111111111111'], regions: ['us-east-1'] },
      gcp: { projects: ['sim-project-a'], zones: ['us-central1-a', 'europe-west1-b'] },
      fleet: { ec2Instances: 2500, ec2Volumes: 1200, rdsInstances: 230, gceInstances: 900, gceDisks: 400 },
      pageSize: { ec2: 100, rds: 20, gcp: 100 },
    });
    try {
      // when one cycle runs
      const results = await h.scan();
      // then every scope is complete and the listed keys are exactly the truth
      assert.deepEqual(results.filter((r) => r.status !== 'complete').map((r) => scopeString(r.scope)), []);
      const listed = results.flatMap((r) => (r.status === 'complete' ? r.records.map((x) => x.key) : [])).sort();
      const truth = h.cloud.truth().map(simKey).sort();
      assert.equal(listed.length, truth.length);
      assert.deepEqual(listed, truth);
      // and the listing really was paginated
      const pages = (action: string) => Math.max(...h.cloud.requestLog().filter((e) => e.action === action).map((e) => e.page));
      assert.equal(pages('DescribeInstances'), 25);
      assert.equal(pages('DescribeDBInstances'), 12);
    } finally {
      await h.close();
    }
  });

  it('fails a configured GCP zone that the listing never mentions, instead of calling it empty', async () => {
    // given a config that names a zone the (simulated) project does not return at all
    const h = await startHarness({ gcp: { projects: ['sim-project-a'], zones: ['us-central1-a'] } });
    try {
      const config = { ...h.config, gcp: { ...h.config.gcp!, zones: ['us-central1-a', 'asia-east1-a'] } };
      const { runScan } = await import('../../src/scan/run-scan.js');
      // when one cycle runs
      const results = await runScan(config, h.clients);
      // then the unmentioned zone's scopes are failed (they prove nothing), the listed one complete
      const status = (zone: string) => results.filter((r) => r.scope.region === zone).map((r) => `${r.scope.type} ${r.status}`);
      assert.deepEqual(status('asia-east1-a'), ['gce.disk failed', 'gce.instance failed']);
      assert.deepEqual(status('us-central1-a'), ['gce.disk complete', 'gce.instance complete']);
    } finally {
      await h.close();
    }
  });

  it('gives zero change events for an untouched fleet scanned twice', async () => {
    const h = await startHarness({});
    try {
      const state = new MemoryState();
      const first = detectChanges(await h.scan(), state);
      assert.equal(first.filter((e) => e.type === 'appeared').length, h.cloud.truth().length);
      state.apply(first);
      const second = detectChanges(await h.scan(), state);
      assert.deepEqual(second.filter((e) => e.type !== 'scope-scanned'), []);
      assert.equal(second.length, 10, 'one scope-scanned event per scope');
    } finally {
      await h.close();
    }
  });

  it('scans scopes concurrently up to the configured limit', async () => {
    const h = await startHarness({ faults: [{ kind: 'slow', service: 'ec2', delayMs: 150 }, { kind: 'slow', service: 'rds', delayMs: 150 }, { kind: 'slow', service: 'gcp', delayMs: 150 }] });
    try {
      // 10 scopes in 8 listings (6 AWS, 2 GCP), each ≥ 150 ms: one at a time ≥ 1.2 s, all at once ~150 ms
      const serialStart = performance.now();
      await h.scan();
      const parallelMs = performance.now() - serialStart;
      h.config.concurrency = 1;
      const oneStart = performance.now();
      await h.scan();
      const serialMs = performance.now() - oneStart;
      assert.ok(serialMs >= 8 * 150, `one at a time takes at least 8 × 150 ms (${serialMs.toFixed(0)} ms)`);
      assert.ok(parallelMs < serialMs / 2, `concurrent (${parallelMs.toFixed(0)} ms) beats serial (${serialMs.toFixed(0)} ms)`);
    } finally {
      await h.close();
    }
  });
});
