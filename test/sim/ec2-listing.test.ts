import { DescribeInstancesCommand, DescribeVolumesCommand } from '@aws-sdk/client-ec2';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { simEc2Client } from '../../src/sim/clients.js';
import { startSimCloud, type SimCloud } from '../../src/sim/cloud.js';
import { ACCOUNT, listInstanceIds, listVolumeIds, pagesServed, smallScenario, truthIds } from './sim-fixtures.js';

const OTHER_ACCOUNT = '222222222222';

describe('simulated EC2 through the real EC2Client', () => {
  let cloud: SimCloud;
  before(async () => {
    cloud = await startSimCloud(smallScenario({
      aws: { accounts: [ACCOUNT, OTHER_ACCOUNT], regions: ['us-east-1', 'eu-west-1'] },
      fleet: { ec2Instances: 2000, ec2Volumes: 1000, rdsInstances: 0, gceInstances: 0, gceDisks: 0 },
    }));
  });
  after(() => cloud.close());

  it('paginateDescribeInstances lists exactly the ground truth across many pages', async () => {
    cloud.clearRequestLog();
    const ids = await listInstanceIds(simEc2Client(cloud, ACCOUNT, 'us-east-1'), 100);
    assert.equal(ids.length, 2000);
    assert.deepEqual([...ids].sort(), truthIds(cloud, 'ec2.instance', ACCOUNT, 'us-east-1'));
    const pages = pagesServed(cloud, 'ec2', 'DescribeInstances');
    assert.deepEqual(pages, Array.from({ length: 20 }, (_, i) => i + 1));
  });

  it('DescribeVolumes pages list exactly the ground truth', async () => {
    const ids = await listVolumeIds(simEc2Client(cloud, ACCOUNT, 'eu-west-1'), 500);
    assert.deepEqual([...ids].sort(), truthIds(cloud, 'ec2.volume', ACCOUNT, 'eu-west-1'));
    assert.equal(ids.length, 1000);
  });

  it('the access key id picks the account and the SigV4 scope picks the region', async () => {
    const other = await listInstanceIds(simEc2Client(cloud, OTHER_ACCOUNT, 'eu-west-1'), 1000);
    assert.deepEqual([...other].sort(), truthIds(cloud, 'ec2.instance', OTHER_ACCOUNT, 'eu-west-1'));
    const mine = new Set(truthIds(cloud, 'ec2.instance', ACCOUNT, 'eu-west-1'));
    assert.ok(other.every((id) => !mine.has(id)), 'accounts must not share instances');
  });

  it('a region the scenario lacks lists as empty', async () => {
    const ids = await listInstanceIds(simEc2Client(cloud, ACCOUNT, 'ap-south-1'));
    assert.deepEqual(ids, []);
  });

  it('instance attributes and tags on the wire match the ground truth', async () => {
    const client = simEc2Client(cloud, ACCOUNT, 'us-east-1');
    const out = await client.send(new DescribeInstancesCommand({ MaxResults: 5 }));
    const wire = out.Reservations?.[0]?.Instances?.[0];
    assert.ok(wire?.InstanceId);
    const truth = cloud.truth().find((r) => r.kind === 'ec2.instance' && r.account === ACCOUNT && r.region === 'us-east-1' && r.id === wire.InstanceId);
    assert.ok(truth);
    assert.equal(wire.InstanceType, truth.attrs['instanceType']);
    assert.equal(wire.State?.Name, truth.attrs['state']);
    assert.equal(wire.Placement?.AvailabilityZone, truth.attrs['availabilityZone']);
    assert.equal(wire.LaunchTime?.toISOString(), truth.attrs['launchTime']);
    assert.equal(wire.PublicIpAddress ?? null, truth.attrs['publicIpAddress']);
    assert.equal(wire.InstanceLifecycle === 'spot', truth.attrs['spot']);
    const tags = Object.fromEntries((wire.Tags ?? []).map((t) => [t.Key, t.Value]));
    assert.deepEqual(tags, truth.tags);
    assert.ok(out.NextToken, 'five of 2000 must leave a next token');
  });

  it('volume attachments on the wire point at instances that exist', async () => {
    const client = simEc2Client(cloud, ACCOUNT, 'us-east-1');
    const out = await client.send(new DescribeVolumesCommand({ MaxResults: 500 }));
    const instances = new Set(truthIds(cloud, 'ec2.instance', ACCOUNT, 'us-east-1'));
    const attached = (out.Volumes ?? []).flatMap((v) => v.Attachments ?? []);
    assert.ok(attached.length > 0, 'some volumes should be attached');
    for (const a of attached) assert.ok(instances.has(a.InstanceId ?? ''), `${a.InstanceId} must exist`);
  });

  it('tag text with XML specials survives the trip through the SDK unchanged', async () => {
    const target = cloud.world.list('ec2.instance', ACCOUNT, 'us-east-1')[0];
    assert.ok(target);
    const tricky = `a<b>&c"d'e ]]> ü`;
    target.tags['Note'] = tricky;
    const out = await simEc2Client(cloud, ACCOUNT, 'us-east-1').send(new DescribeInstancesCommand({ MaxResults: 5 }));
    const wire = out.Reservations?.[0]?.Instances?.[0];
    assert.equal(wire?.InstanceId, target.id);
    assert.equal(wire?.Tags?.find((t) => t.Key === 'Note')?.Value, tricky);
    delete target.tags['Note'];
  });

  it('MaxResults out of range is the typed InvalidParameterValue error', async () => {
    const client = simEc2Client(cloud, ACCOUNT, 'us-east-1');
    await assert.rejects(client.send(new DescribeInstancesCommand({ MaxResults: 2 })), { name: 'InvalidParameterValue' });
  });

  it('responses are labelled as simulated', async () => {
    const res = await fetch(cloud.ec2Endpoint, { method: 'POST', body: 'Action=DescribeInstances' });
    assert.match(res.headers.get('server') ?? '', /Simulated/);
    assert.equal(res.headers.get('x-elava-simulated'), 'true');
  });
});
