/**
 * The leftover types (Elastic IPs, EBS snapshots, AMIs, Aurora clusters, RDS snapshots,
 * GCE addresses, snapshots, images) listed through the real SDK clients against the
 * SIMULATED cloud: every page, exactly the ground truth, relationships intact, and the
 * fault cases of the original types.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { detectChanges } from '../../src/changes/detect.js';
import { scopeString, type ScanResult } from '../../src/model/scope.js';
import type { ResourceRecord } from '../../src/model/resource.js';
import type { SimScenario } from '../../src/sim/scenario.js';
import { MemoryState } from '../changes/memory-state.js';
import { cleanThenFaulty, failedScopes } from './faulty-cycle.js';
import { ALL_TYPES, startHarness } from './sim-harness.js';
import { simKey } from './truth.js';

const LEFTOVERS = ['ec2.address', 'ec2.snapshot', 'ec2.image', 'rds.cluster', 'rds.snapshot', 'gce.address', 'gce.snapshot', 'gce.image'];

const BIG: Partial<SimScenario> = {
  aws: { accounts: ['111111111111'], regions: ['us-east-1'] },
  gcp: { projects: ['sim-project-a'], zones: ['us-central1-a', 'us-central1-b', 'europe-west1-b'] },
  fleet: {
    ec2Instances: 200, ec2Volumes: 300, rdsInstances: 40, gceInstances: 60, gceDisks: 80,
    ec2Addresses: 150, ec2Snapshots: 1200, ec2Images: 220, rdsClusters: 45, rdsSnapshots: 260,
    gceAddresses: 140, gceSnapshots: 650, gceImages: 230,
  },
  pageSize: { ec2: 100, rds: 20, gcp: 100 },
};

const SMALL: Partial<SimScenario> = {
  fleet: {
    ec2Instances: 30, ec2Volumes: 30, rdsInstances: 25, gceInstances: 20, gceDisks: 20,
    ec2Addresses: 12, ec2Snapshots: 40, ec2Images: 10, rdsClusters: 25, rdsSnapshots: 45,
    gceAddresses: 10, gceSnapshots: 30, gceImages: 10,
  },
  pageSize: { ec2: 12, rds: 20, gcp: 12 },
};

function completeKeys(results: readonly ScanResult[]): string[] {
  return results.flatMap((r) => (r.status === 'complete' ? r.records.map((x) => x.key) : [])).sort();
}

function byKey(results: readonly ScanResult[]): Map<string, ResourceRecord> {
  const out = new Map<string, ResourceRecord>();
  for (const r of results) if (r.status === 'complete') for (const x of r.records) out.set(x.key, x);
  return out;
}

describe('scanning the leftover types of the simulated cloud', () => {
  it('lists every leftover type over many pages exactly as the ground truth, links intact', async () => {
    const h = await startHarness(BIG, 3, ALL_TYPES);
    try {
      // when one cycle runs
      const results = await h.scan();
      // then every scope is complete and the listed keys are exactly the truth
      assert.deepEqual(results.filter((r) => r.status !== 'complete').map((r) => scopeString(r.scope)), []);
      const truth = h.cloud.truth();
      assert.deepEqual(completeKeys(results), truth.map(simKey).sort());
      for (const kind of LEFTOVERS) assert.ok(truth.some((r) => r.kind === kind), `the fleet has ${kind}`);
      // and the paginated ones really were paginated; DescribeAddresses is one call
      const pages = (action: string): number => Math.max(...h.cloud.requestLog().filter((e) => e.action === action).map((e) => e.page));
      assert.equal(pages('DescribeSnapshots'), 12);
      assert.equal(pages('DescribeImages'), 3);
      assert.equal(pages('DescribeAddresses'), 1);
      assert.ok(pages('DescribeDBSnapshots') >= 2 && pages('DescribeDBClusterSnapshots') >= 2);
      assert.equal(pages('DescribeDBClusters'), 3);
      assert.equal(pages('global/snapshots'), 7);
      assert.equal(pages('global/images'), 3);
      assert.ok(pages('aggregated/addresses') >= 3);
      // relationships, as attributes, equal the truth's
      const listed = byKey(results);
      for (const r of truth) {
        const rec = listed.get(simKey(r));
        assert.ok(rec);
        const a = r.attrs;
        switch (r.kind) {
          case 'ec2.address':
            assert.equal(rec.attrs['instanceId'], a['instanceId']);
            assert.equal(rec.state, a['instanceId'] === null ? 'unassociated' : 'associated');
            break;
          case 'ec2.snapshot':
            assert.equal(rec.attrs['volumeId'], a['volumeId']);
            assert.equal(rec.attrs['sizeGiB'], a['size']);
            break;
          case 'ec2.image':
            assert.deepEqual(rec.attrs['snapshotIds'], (a['blockDevices'] as { snapshotId: string }[]).map((d) => d.snapshotId).sort());
            break;
          case 'rds.cluster':
            assert.deepEqual(rec.attrs['members'], a['members']);
            break;
          case 'rds.snapshot':
            assert.equal(rec.attrs['source'], a['source']);
            assert.equal(rec.attrs['sourceKind'], a['sourceKind']);
            break;
          case 'gce.address':
            assert.deepEqual(rec.attrs['users'], (a['users'] as string[]).map((u) => u.slice(u.indexOf('/projects/') + '/projects/sim-project-a/'.length)));
            break;
          case 'gce.snapshot':
          case 'gce.image':
            assert.equal(rec.attrs['sourceDiskId'], a['sourceDiskId'] ?? null);
            break;
          default:
            break;
        }
      }
    } finally {
      await h.close();
    }
  });

  it('gives zero change events for an untouched fleet of leftovers scanned twice', async () => {
    const h = await startHarness(SMALL, 3, ALL_TYPES);
    try {
      const state = new MemoryState();
      const first = detectChanges(await h.scan(), state);
      assert.equal(first.filter((e) => e.type === 'appeared').length, h.cloud.truth().length);
      state.apply(first);
      const second = detectChanges(await h.scan(), state);
      assert.deepEqual(second.filter((e) => e.type !== 'scope-scanned'), []);
    } finally {
      await h.close();
    }
  });

  it('a churned tick is detected exactly, links kept (addresses released, members dropped)', async () => {
    const cycle = await cleanThenFaulty([], { ...SMALL, churn: { appearPerTick: 2, changePerTick: 3, disappearPerTick: 3, recreatePerTick: 1 } }, ALL_TYPES);
    assert.deepEqual(failedScopes(cycle), []);
    const kinds = new Set(cycle.events.filter((e) => e.type === 'disappeared').map((e) => (e.type === 'disappeared' ? e.key.split('/')[3] : '')));
    for (const kind of LEFTOVERS) assert.ok(kinds.has(kind), `something of ${kind} disappeared`);
  });

  it('fails the AWS leftovers of a throttled region without reporting them gone', async () => {
    const cycle = await cleanThenFaulty([{ kind: 'throttle', service: 'ec2', region: 'us-east-1', times: 3, ticks: [1] }], SMALL, ALL_TYPES);
    assert.deepEqual(failedScopes(cycle), [
      'aws/111111111111/us-east-1/ec2.address throttled',
      'aws/111111111111/us-east-1/ec2.image throttled',
      'aws/111111111111/us-east-1/ec2.instance throttled',
      'aws/111111111111/us-east-1/ec2.snapshot throttled',
      'aws/111111111111/us-east-1/ec2.volume throttled',
    ]);
    assert.ok(cycle.sparedCount > 0);
  });

  it('fails a paginated leftover listing whose page 2 errors, and both RDS snapshot listings on a bad body', async () => {
    const cycle = await cleanThenFaulty([
      { kind: 'error-on-page', service: 'ec2', region: 'eu-west-1', page: 2, ticks: [1] },
      { kind: 'bad-body', service: 'rds', region: 'us-east-1', body: 'html', ticks: [1] },
    ], SMALL, ALL_TYPES);
    // (10 images fit on one page of 12: that listing never asks for page 2)
    assert.deepEqual(failedScopes(cycle), [
      'aws/111111111111/eu-west-1/ec2.instance server-error',
      'aws/111111111111/eu-west-1/ec2.snapshot server-error',
      'aws/111111111111/eu-west-1/ec2.volume server-error',
      'aws/111111111111/us-east-1/rds.cluster malformed-response',
      'aws/111111111111/us-east-1/rds.instance malformed-response',
      'aws/111111111111/us-east-1/rds.snapshot malformed-response',
    ]);
    assert.ok(cycle.sparedCount > 0);
  });

  it('fails every GCP listing on malformed pages, the global ones included', async () => {
    const cycle = await cleanThenFaulty([{ kind: 'malformed', service: 'gcp', ticks: [1] }], SMALL, ALL_TYPES);
    assert.deepEqual(failedScopes(cycle), [
      'gcp/sim-project-a/europe-west1-b/gce.disk malformed-response',
      'gcp/sim-project-a/europe-west1-b/gce.instance malformed-response',
      'gcp/sim-project-a/europe-west1/gce.address malformed-response',
      'gcp/sim-project-a/global/gce.address malformed-response',
      'gcp/sim-project-a/global/gce.image malformed-response',
      'gcp/sim-project-a/global/gce.snapshot malformed-response',
      'gcp/sim-project-a/us-central1-a/gce.disk malformed-response',
      'gcp/sim-project-a/us-central1-a/gce.instance malformed-response',
      'gcp/sim-project-a/us-central1/gce.address malformed-response',
    ]);
  });

  it('spares only the region of an unreachable zone', async () => {
    const cycle = await cleanThenFaulty([{ kind: 'unreachable-zone', zone: 'us-central1-a', ticks: [1] }], SMALL, ALL_TYPES);
    assert.deepEqual(failedScopes(cycle), [
      'gcp/sim-project-a/us-central1-a/gce.disk unreachable',
      'gcp/sim-project-a/us-central1-a/gce.instance unreachable',
      'gcp/sim-project-a/us-central1/gce.address unreachable',
    ]);
  });

  it('fails a global list whose page 2 hands back its own token', async () => {
    const cycle = await cleanThenFaulty([{ kind: 'repeated-token', service: 'gcp', page: 2, ticks: [1] }], SMALL, ALL_TYPES);
    const failed = failedScopes(cycle);
    // 30 snapshots in pages of 12 reach page 2; 10 images and 5 global addresses do not
    assert.ok(failed.includes('gcp/sim-project-a/global/gce.snapshot malformed-response'), failed.join(', '));
    assert.ok(!failed.some((f) => f.includes('/global/gce.image')), failed.join(', '));
  });

  it('reports a project-wide failure of the regional address listing apart from the global scope', async () => {
    const h = await startHarness({ ...SMALL, faults: [{ kind: 'access-denied', service: 'gcp', region: 'sim-project-a' }] }, 3, ALL_TYPES);
    try {
      const config = { ...h.config, gcp: { ...h.config.gcp!, zones: [] } };
      const { runScan } = await import('../../src/scan/run-scan.js');
      const results = await runScan(config, h.clients);
      const address = results.filter((r) => r.scope.type === 'gce.address').map((r) => `${scopeString(r.scope)} ${r.status}`);
      assert.deepEqual(address, [
        'gcp/sim-project-a/all-regions/gce.address failed',
        'gcp/sim-project-a/global/gce.address failed',
      ]);
    } finally {
      await h.close();
    }
  });
});
