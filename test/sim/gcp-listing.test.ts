import { InstancesClient } from '@google-cloud/compute';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { simGcpClientOptions } from '../../src/sim/clients.js';
import { startSimCloud, type SimCloud } from '../../src/sim/cloud.js';
import { listGce, pagesServed, PROJECT, smallScenario } from './sim-fixtures.js';

function truthPairs(cloud: SimCloud, kind: 'gce.instance' | 'gce.disk'): string[] {
  return cloud.truth().filter((r) => r.kind === kind && r.account === PROJECT).map((r) => `${r.region}/${r.id}`).sort();
}

describe('simulated Compute through the real InstancesClient and DisksClient', () => {
  let cloud: SimCloud;
  before(async () => {
    cloud = await startSimCloud(smallScenario({
      gcp: { projects: [PROJECT, 'sim-project-b'], zones: ['us-central1-a', 'europe-west1-b', 'asia-east1-c'] },
      fleet: { ec2Instances: 0, ec2Volumes: 0, rdsInstances: 0, gceInstances: 700, gceDisks: 400 },
    }));
  });
  after(() => cloud.close());

  it('InstancesClient.aggregatedListAsync lists exactly the ground truth across pages and zones', async () => {
    cloud.clearRequestLog();
    const pairs = await listGce(cloud, 'gce.instance', 500);
    assert.equal(pairs.length, 2100);
    assert.deepEqual(pairs.map(([z, n]) => `${z}/${n}`).sort(), truthPairs(cloud, 'gce.instance'));
    assert.deepEqual(pagesServed(cloud, 'gcp', 'aggregated/instances'), [1, 2, 3, 4, 5]);
  });

  it('DisksClient.aggregatedListAsync lists exactly the ground truth', async () => {
    const pairs = await listGce(cloud, 'gce.disk', 250);
    assert.deepEqual(pairs.map(([z, n]) => `${z}/${n}`).sort(), truthPairs(cloud, 'gce.disk'));
  });

  it('instance fields on the wire match the ground truth, labels and disks included', async () => {
    const client = new InstancesClient(simGcpClientOptions(cloud));
    await client.initialize();
    const [items] = await client.innerApiCalls['aggregatedList']!({ project: PROJECT, maxResults: 50 }, { autoPaginate: false }) as unknown as [Record<string, { instances?: { name?: string; id?: unknown; status?: string; labels?: Record<string, string>; disks?: { source?: string }[] }[] }>];
    await client.close();
    const wire = Object.values(items).flatMap((s) => s.instances ?? []);
    assert.equal(wire.length, 50);
    const byName = new Map(cloud.truth().filter((r) => r.kind === 'gce.instance' && r.account === PROJECT).map((r) => [r.id, r]));
    for (const w of wire) {
      const t = byName.get(w.name ?? '');
      assert.ok(t, `${w.name} must exist`);
      assert.equal(String(w.id), t.attrs['numericId']);
      assert.equal(w.status, t.attrs['status']);
      assert.deepEqual({ ...w.labels }, t.tags);
      assert.deepEqual((w.disks ?? []).map((d) => d.source), (t.attrs['disks'] as { source: string }[]).map((d) => d.source));
    }
  });

  it('zones with nothing on a page carry a NO_RESULTS_ON_PAGE warning', async () => {
    const client = new InstancesClient(simGcpClientOptions(cloud));
    await client.initialize();
    const [items] = await client.innerApiCalls['aggregatedList']!({ project: 'sim-project-b', maxResults: 10 }, { autoPaginate: false }) as unknown as [Record<string, { warning?: { code?: string } }>];
    await client.close();
    assert.deepEqual(Object.keys(items).sort(), ['zones/asia-east1-c', 'zones/europe-west1-b', 'zones/us-central1-a']);
    assert.equal(items['zones/us-central1-a']?.warning?.code, 'NO_RESULTS_ON_PAGE');
  });
});
