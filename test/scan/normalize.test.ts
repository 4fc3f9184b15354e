import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Instance, Volume } from '@aws-sdk/client-ec2';
import type { DBInstance } from '@aws-sdk/client-rds';
import { normalizeEbsVolume, normalizeEc2Instance } from '../../src/scan/normalize-ec2.js';
import { normalizeRdsInstance } from '../../src/scan/normalize-rds.js';
import { normalizeGceDisk, normalizeGceInstance, type GceInstance } from '../../src/scan/normalize-gce.js';
import { DEFAULT_NORMALIZE_OPTIONS, deriveOwner } from '../../src/scan/normalize-common.js';
import { ScanError } from '../../src/scan/scan-error.js';

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';

function ec2Instance(tags: { Key: string; Value: string }[]): Instance {
  return {
    InstanceId: 'i-0abc',
    InstanceType: 'm6i.large',
    State: { Name: 'running', Code: 16 },
    Placement: { AvailabilityZone: 'us-east-1a' },
    VpcId: 'vpc-1',
    SubnetId: 'subnet-1',
    PrivateIpAddress: '10.0.0.1',
    ImageId: 'ami-1',
    LaunchTime: new Date('2024-01-01T00:00:00Z'),
    InstanceLifecycle: 'spot',
    StateTransitionReason: 'volatile text that must not reach the record',
    Tags: tags,
  };
}

describe('normalization', () => {
  it('gives byte-identical records for an untouched EC2 instance, whatever the tag order', () => {
    // given the same instance listed twice, tags in a different order the second time
    const first = normalizeEc2Instance(ACCOUNT, REGION, ec2Instance([{ Key: 'b', Value: '2' }, { Key: 'Owner', Value: 'platform' }, { Key: 'a', Value: '1' }]), DEFAULT_NORMALIZE_OPTIONS);
    const second = normalizeEc2Instance(ACCOUNT, REGION, ec2Instance([{ Key: 'a', Value: '1' }, { Key: 'b', Value: '2' }, { Key: 'Owner', Value: 'platform' }]), DEFAULT_NORMALIZE_OPTIONS);
    // then the records are equal and encode to the same JSON
    assert.deepEqual(first, second);
    assert.equal(JSON.stringify(first), JSON.stringify(second));
    assert.deepEqual(Object.keys(first.tags), ['Owner', 'a', 'b']);
  });

  it('keys an EC2 instance by provider/account/region/type/id and keeps attributes sorted', () => {
    const record = normalizeEc2Instance(ACCOUNT, REGION, ec2Instance([{ Key: 'Name', Value: 'web-1' }]), DEFAULT_NORMALIZE_OPTIONS);
    assert.equal(record.key, 'aws/123456789012/us-east-1/ec2.instance/i-0abc');
    assert.equal(record.name, 'web-1');
    assert.equal(record.state, 'running');
    assert.deepEqual(record.attrs, {
      availabilityZone: 'us-east-1a',
      imageId: 'ami-1',
      instanceType: 'm6i.large',
      launchTime: '2024-01-01T00:00:00.000Z',
      privateIp: '10.0.0.1',
      publicIp: null,
      spot: true,
      subnetId: 'subnet-1',
      vpcId: 'vpc-1',
    });
    assert.deepEqual(Object.keys(record.attrs), [...Object.keys(record.attrs)].sort());
  });

  it('sorts EBS attachments so their listing order does not matter', () => {
    const volume = (order: number[]): Volume => ({
      VolumeId: 'vol-1',
      Size: 100,
      VolumeType: 'gp3',
      Iops: 3000,
      Throughput: 125,
      Encrypted: true,
      State: 'in-use',
      Attachments: order.map((n) => ({ InstanceId: `i-${n}`, Device: `/dev/sd${n}`, AttachTime: new Date() })),
    });
    const a = normalizeEbsVolume(ACCOUNT, REGION, volume([2, 1]), DEFAULT_NORMALIZE_OPTIONS);
    const b = normalizeEbsVolume(ACCOUNT, REGION, volume([1, 2]), DEFAULT_NORMALIZE_OPTIONS);
    assert.equal(JSON.stringify(a), JSON.stringify(b));
    assert.deepEqual(a.attrs['attachments'], [
      { device: '/dev/sd1', instanceId: 'i-1' },
      { device: '/dev/sd2', instanceId: 'i-2' },
    ]);
    assert.equal(a.attrs['sizeGiB'], 100);
    assert.equal(a.attrs['throughputMiBps'], 125);
  });

  it('maps RDS fields to the attributes operators ask about', () => {
    const db: DBInstance = {
      DBInstanceIdentifier: 'orders-db',
      DBInstanceClass: 'db.r6g.large',
      Engine: 'postgres',
      EngineVersion: '15.4',
      DBInstanceStatus: 'available',
      MultiAZ: true,
      AllocatedStorage: 200,
      StorageType: 'gp3',
      StorageEncrypted: true,
      PubliclyAccessible: false,
      BackupRetentionPeriod: 7,
      TagList: [{ Key: 'team', Value: 'payments' }],
    };
    const record = normalizeRdsInstance(ACCOUNT, REGION, db, DEFAULT_NORMALIZE_OPTIONS);
    assert.equal(record.key, 'aws/123456789012/us-east-1/rds.instance/orders-db');
    assert.equal(record.owner, 'payments');
    assert.equal(record.attrs['class'], 'db.r6g.large');
    assert.equal(record.attrs['multiAz'], true);
    assert.equal(record.attrs['backupRetentionDays'], 7);
    assert.equal(record.attrs['availabilityZone'], null);
  });

  it('keys GCE resources by name and zone, with short machine and disk type names', () => {
    const zoneUrl = 'https://www.googleapis.com/compute/v1/projects/p1/zones/us-central1-a';
    const instance: GceInstance = {
      id: '123',
      name: 'web-1',
      status: 'RUNNING',
      machineType: `${zoneUrl}/machineTypes/e2-small`,
      labels: { owner: 'data', env: 'prod' },
      networkInterfaces: [{ networkIP: '10.0.0.2', accessConfigs: [{ natIP: '34.1.1.1' }] }],
      disks: [{ source: `${zoneUrl}/disks/b` }, { source: `${zoneUrl}/disks/a` }],
      scheduling: { preemptible: false, provisioningModel: 'SPOT' },
    };
    const record = normalizeGceInstance('p1', 'us-central1-a', instance, DEFAULT_NORMALIZE_OPTIONS);
    assert.equal(record.key, 'gcp/p1/us-central1-a/gce.instance/web-1');
    assert.equal(record.owner, 'data');
    assert.deepEqual(record.attrs['disks'], ['a', 'b']);
    assert.deepEqual(record.attrs['ips'], { external: ['34.1.1.1'], internal: ['10.0.0.2'] });
    assert.equal(record.attrs['machineType'], 'e2-small');
    assert.equal(record.attrs['preemptible'], true);
    const disk = normalizeGceDisk('p1', 'us-central1-a', { name: 'a', sizeGb: '50', type: `${zoneUrl}/diskTypes/pd-ssd`, status: 'READY', users: [`${zoneUrl}/instances/web-1`] }, DEFAULT_NORMALIZE_OPTIONS);
    assert.equal(disk.attrs['sizeGb'], 50);
    assert.equal(disk.attrs['type'], 'pd-ssd');
    assert.deepEqual(disk.attrs['users'], ['web-1']);
  });

  it('rejects a listed resource without an id as a malformed response', () => {
    assert.throws(
      () => normalizeEc2Instance(ACCOUNT, REGION, { InstanceType: 't3.micro' }, DEFAULT_NORMALIZE_OPTIONS),
      (err: unknown) => err instanceof ScanError && err.code === 'malformed-response',
    );
  });
});

describe('owner derivation', () => {
  const cases: { name: string; tags: Record<string, string>; keys: string[]; owner: string | null }[] = [
    { name: 'first configured key present wins', tags: { owner: 'b', Owner: 'a' }, keys: ['Owner', 'owner', 'team'], owner: 'a' },
    { name: 'falls through to later keys', tags: { team: 'c' }, keys: ['Owner', 'owner', 'team'], owner: 'c' },
    { name: 'untagged has no owner', tags: { env: 'prod' }, keys: ['Owner', 'owner', 'team'], owner: null },
    { name: 'configured keys replace the defaults', tags: { Owner: 'a', costCenter: 'x' }, keys: ['costCenter'], owner: 'x' },
    { name: 'an empty value is still an owner tag', tags: { Owner: '' }, keys: ['Owner', 'team'], owner: '' },
  ];
  for (const c of cases) {
    it(c.name, () => assert.equal(deriveOwner(c.tags, c.keys), c.owner));
  }
});
