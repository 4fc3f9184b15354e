import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ResourceRecord } from '../../src/model/resource.js';
import { volumeRecord } from './fixtures.js';
import { diffRecords } from '../../src/changes/diff.js';
import { recordsEqual } from '../../src/changes/record-equal.js';
import type { FieldChange } from '../../src/model/events.js';

describe('diffRecords', () => {
  const vectors: { name: string; after: Partial<ResourceRecord>; diff: FieldChange[] }[] = [
    { name: 'identical records give no changes', after: {}, diff: [] },
    {
      name: 'a tag added',
      after: { tags: { Name: 'data', Owner: 'platform', env: 'prod' } },
      diff: [{ path: 'tags.env', before: null, after: 'prod' }],
    },
    {
      name: 'a tag value changed',
      after: { tags: { Name: 'data-2', Owner: 'platform' } },
      diff: [{ path: 'tags.Name', before: 'data', after: 'data-2' }],
    },
    {
      name: 'Owner tag removed shows as the tag and the derived owner going to null',
      after: { tags: { Name: 'data' }, owner: null },
      diff: [
        { path: 'owner', before: 'platform', after: null },
        { path: 'tags.Owner', before: 'platform', after: null },
      ],
    },
    {
      name: 'size and state changed, in path order',
      after: { state: 'available', attrs: { attachments: [], encrypted: true, sizeGiB: 200 } },
      diff: [
        { path: 'attrs.attachments', before: [{ device: '/dev/sdf', instanceId: 'i-1' }], after: [] },
        { path: 'attrs.sizeGiB', before: 100, after: 200 },
        { path: 'state', before: 'in-use', after: 'available' },
      ],
    },
    {
      name: 'an attribute absent on one side and null on the other is no change',
      after: { attrs: { attachments: [{ device: '/dev/sdf', instanceId: 'i-1' }], encrypted: true, sizeGiB: 100, iops: null } },
      diff: [],
    },
    {
      name: 'an attribute removed reads as going to null',
      after: { attrs: { attachments: [{ device: '/dev/sdf', instanceId: 'i-1' }], sizeGiB: 100 } },
      diff: [{ path: 'attrs.encrypted', before: true, after: null }],
    },
  ];
  for (const v of vectors) {
    it(v.name, () => {
      // given a record and a changed copy, when diffed, then the changes are exactly these
      assert.deepEqual(diffRecords(volumeRecord(), volumeRecord(v.after)), v.diff);
    });
  }

  it('compares maps by content, not key order', () => {
    const reordered = volumeRecord({ tags: { Owner: 'platform', Name: 'data' }, attrs: { sizeGiB: 100, encrypted: true, attachments: [{ instanceId: 'i-1', device: '/dev/sdf' }] } });
    assert.equal(recordsEqual(volumeRecord(), reordered), true);
    assert.deepEqual(diffRecords(volumeRecord(), reordered), []);
  });

  it('treats a tag with an empty value as different from no tag', () => {
    const after = volumeRecord({ tags: { Name: 'data', Owner: 'platform', env: '' } });
    assert.equal(recordsEqual(volumeRecord(), after), false);
    assert.deepEqual(diffRecords(volumeRecord(), after), [{ path: 'tags.env', before: null, after: '' }]);
  });

  it('refuses to diff records of two keys', () => {
    assert.throws(() => diffRecords(volumeRecord(), volumeRecord({ key: 'aws/1/r/ec2.volume/other' })));
  });
});
