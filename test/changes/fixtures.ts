/** Records for change-detection tests. */
import type { ResourceRecord } from '../../src/model/resource.js';
import { resourceKey } from '../../src/model/resource.js';

export function volumeRecord(patch: Partial<ResourceRecord> = {}): ResourceRecord {
  return {
    key: 'aws/123456789012/us-east-1/ec2.volume/vol-1',
    provider: 'aws',
    account: '123456789012',
    region: 'us-east-1',
    type: 'ec2.volume',
    id: 'vol-1',
    name: 'data',
    state: 'in-use',
    owner: 'platform',
    tags: { Name: 'data', Owner: 'platform' },
    attrs: { attachments: [{ device: '/dev/sdf', instanceId: 'i-1' }], encrypted: true, sizeGiB: 100 },
    ...patch,
  };
}

/** An EC2 instance record in `region` of account 123456789012, with an Owner tag. */
export function instanceRecord(region: string, id: string, owner = 'platform'): ResourceRecord {
  return {
    key: resourceKey('aws', '123456789012', region, 'ec2.instance', id),
    provider: 'aws',
    account: '123456789012',
    region,
    type: 'ec2.instance',
    id,
    name: null,
    state: 'running',
    owner,
    tags: { Owner: owner },
    attrs: { instanceType: 't3.micro' },
  };
}
