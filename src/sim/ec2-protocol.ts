/**
 * The SIMULATED EC2 Query endpoint: `DescribeInstances`, `DescribeVolumes` and the leftovers
 * (`DescribeAddresses`, `DescribeSnapshots`, `DescribeImages`, see ec2-leftovers-render.ts) rendered as
 * EC2 answers them (namespace 2016-11-15, `<item>` lists, `<nextToken>`), and EC2's error
 * envelope `<Response><Errors><Error>…</Errors><RequestID>`. Filters are ignored.
 */

import type { AwsErrorSpec, AwsNotListing, AwsQueryService } from './aws-query.js';
import { escapeXml, leaf, node, XML_DECLARATION } from './xml.js';
import type { SimResource } from './world.js';
import { addressItem, imageItem, snapshotItem, tagSet } from './ec2-leftovers-render.js';

const EC2_NS = 'http://ec2.amazonaws.com/doc/2016-11-15/';

function instanceItem(r: SimResource): string {
  const a = r.attrs;
  const inner =
    leaf('instanceId', r.id) +
    leaf('imageId', a['imageId'] as string) +
    node('instanceState', leaf('code', a['stateCode'] as number) + leaf('name', a['state'] as string)) +
    leaf('instanceType', a['instanceType'] as string) +
    leaf('launchTime', a['launchTime'] as string) +
    node('placement', leaf('availabilityZone', a['availabilityZone'] as string) + leaf('tenancy', 'default')) +
    leaf('subnetId', a['subnetId'] as string) +
    leaf('vpcId', a['vpcId'] as string) +
    leaf('privateIpAddress', a['privateIpAddress'] as string) +
    leaf('ipAddress', a['publicIpAddress'] as string | null) +
    (a['spot'] === true ? leaf('instanceLifecycle', 'spot') : '') +
    tagSet(r.tags);
  return node('item',
    leaf('reservationId', `r-${r.id.slice(2)}`) +
    leaf('ownerId', r.account) +
    node('instancesSet', node('item', inner)));
}

interface Attachment { instanceId: string; device: string; state: string }

function volumeItem(r: SimResource): string {
  const a = r.attrs;
  let attachments = '';
  for (const att of a['attachments'] as Attachment[]) {
    attachments += node('item',
      leaf('volumeId', r.id) + leaf('instanceId', att.instanceId) + leaf('device', att.device) +
      leaf('status', att.state) + leaf('attachTime', a['createTime'] as string) + leaf('deleteOnTermination', false));
  }
  return node('item',
    leaf('volumeId', r.id) +
    leaf('size', a['size'] as number) +
    leaf('snapshotId', '') +
    leaf('availabilityZone', a['availabilityZone'] as string) +
    leaf('status', a['state'] as string) +
    leaf('createTime', a['createTime'] as string) +
    node('attachmentSet', attachments) +
    leaf('volumeType', a['volumeType'] as string) +
    leaf('iops', a['iops'] as number | null) +
    leaf('throughput', a['throughput'] as number | null) +
    leaf('encrypted', a['encrypted'] as boolean) +
    leaf('multiAttachEnabled', false) +
    tagSet(r.tags));
}

function listResponse(name: string, setName: string, items: string, nextToken: string | null, requestId: string): string {
  return `${XML_DECLARATION}<${name} xmlns="${EC2_NS}">` +
    leaf('requestId', requestId) + node(setName, items) + leaf('nextToken', nextToken) + `</${name}>`;
}

function renderError(error: AwsErrorSpec, message: string, requestId: string): string {
  return `${XML_DECLARATION}<Response><Errors><Error><Code>${escapeXml(error.code)}</Code>` +
    `<Message>${escapeXml(message)}</Message></Error></Errors><RequestID>${escapeXml(requestId)}</RequestID></Response>`;
}

/** Bodies that are not the listing `action` asked for: the SDK must not take them for one. */
function renderNotListing(body: AwsNotListing, action: string, requestId: string): string {
  switch (body) {
    case 'json':
      return JSON.stringify({
        [`${action}Response`]: { requestId, reservationSet: [], volumeSet: [] },
      });
    case 'other-action':
      return `${XML_DECLARATION}<DescribeTagsResponse xmlns="${EC2_NS}">` +
        leaf('requestId', requestId) + node('tagSet', '') + '</DescribeTagsResponse>';
    case 'no-list-member':
      return `${XML_DECLARATION}<${action}Response xmlns="${EC2_NS}">` +
        leaf('requestId', requestId) + `</${action}Response>`;
  }
}

export const EC2_QUERY_SERVICE: AwsQueryService = {
  service: 'ec2',
  maxParam: 'MaxResults',
  tokenParam: 'NextToken',
  defaultPageSize: (s) => s.pageSize.ec2,
  actions: {
    DescribeInstances: {
      kind: 'ec2.instance', pageMin: 5, pageMax: 1000,
      render: (items, next, id) => listResponse('DescribeInstancesResponse', 'reservationSet', items.map(instanceItem).join(''), next, id),
    },
    DescribeVolumes: {
      kind: 'ec2.volume', pageMin: 5, pageMax: 500,
      render: (items, next, id) => listResponse('DescribeVolumesResponse', 'volumeSet', items.map(volumeItem).join(''), next, id),
    },
    DescribeAddresses: {
      kind: 'ec2.address', pageMin: 0, pageMax: 0, unpaged: true,
      render: (items, next, id) => listResponse('DescribeAddressesResponse', 'addressesSet', items.map(addressItem).join(''), next, id),
    },
    DescribeSnapshots: {
      kind: 'ec2.snapshot', pageMin: 5, pageMax: 1000, requiredParams: { 'Owner.1': 'self' },
      render: (items, next, id) => listResponse('DescribeSnapshotsResponse', 'snapshotSet', items.map(snapshotItem).join(''), next, id),
    },
    DescribeImages: {
      kind: 'ec2.image', pageMin: 5, pageMax: 1000, requiredParams: { 'Owner.1': 'self' },
      render: (items, next, id) => listResponse('DescribeImagesResponse', 'imagesSet', items.map(imageItem).join(''), next, id),
    },
  },
  errors: {
    'throttle': { status: 503, code: 'RequestLimitExceeded', message: 'Request limit exceeded. (simulated)' },
    'access-denied': { status: 403, code: 'UnauthorizedOperation', message: 'You are not authorized to perform this operation. (simulated)' },
    'error-on-page': { status: 500, code: 'InternalError', message: 'An internal error has occurred. (simulated)' },
    'auth': { status: 401, code: 'AuthFailure', message: 'AWS was not able to validate the provided access credentials. (simulated: use access key id SIM-<account>)' },
    'invalid': { status: 400, code: 'InvalidParameterValue', message: '' },
  },
  renderError,
  renderNotListing,
};
