import { DescribeDBInstancesCommand } from '@aws-sdk/client-rds';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { simRdsClient } from '../../src/sim/clients.js';
import { startSimCloud, type SimCloud } from '../../src/sim/cloud.js';
import { ACCOUNT, listDbIds, pagesServed, smallScenario, truthIds } from './sim-fixtures.js';

describe('simulated RDS through the real RDSClient', () => {
  let cloud: SimCloud;
  before(async () => {
    cloud = await startSimCloud(smallScenario({
      fleet: { ec2Instances: 0, ec2Volumes: 0, rdsInstances: 450, gceInstances: 0, gceDisks: 0 },
    }));
  });
  after(() => cloud.close());

  it('paginateDescribeDBInstances lists exactly the ground truth with Marker pages', async () => {
    cloud.clearRequestLog();
    const ids = await listDbIds(simRdsClient(cloud, ACCOUNT, 'eu-west-1'), 100);
    assert.equal(ids.length, 450);
    assert.deepEqual([...ids].sort(), truthIds(cloud, 'rds.instance', ACCOUNT, 'eu-west-1'));
    assert.deepEqual(pagesServed(cloud, 'rds', 'DescribeDBInstances'), [1, 2, 3, 4, 5]);
  });

  it('DB instance attributes and tags on the wire match the ground truth', async () => {
    const out = await simRdsClient(cloud, ACCOUNT, 'us-east-1').send(new DescribeDBInstancesCommand({ MaxRecords: 20 }));
    const wire = out.DBInstances?.[0];
    assert.ok(wire?.DBInstanceIdentifier);
    const truth = cloud.truth().find((r) => r.kind === 'rds.instance' && r.region === 'us-east-1' && r.id === wire.DBInstanceIdentifier);
    assert.ok(truth);
    assert.equal(wire.DBInstanceArn, `arn:aws:rds:us-east-1:${ACCOUNT}:db:${wire.DBInstanceIdentifier}`);
    assert.equal(wire.Engine, truth.attrs['engine']);
    assert.equal(wire.DBInstanceStatus, truth.attrs['status']);
    assert.equal(wire.MultiAZ, truth.attrs['multiAZ']);
    assert.equal(wire.AllocatedStorage, truth.attrs['allocatedStorage']);
    assert.equal(wire.BackupRetentionPeriod, truth.attrs['backupRetentionPeriod']);
    assert.deepEqual(Object.fromEntries((wire.TagList ?? []).map((t) => [t.Key, t.Value])), truth.tags);
    assert.ok(out.Marker);
  });

  it('MaxRecords below 20 is the typed InvalidParameterValue error', async () => {
    await assert.rejects(
      simRdsClient(cloud, ACCOUNT, 'us-east-1').send(new DescribeDBInstancesCommand({ MaxRecords: 5 })),
      { name: 'InvalidParameterValue' },
    );
  });
});
