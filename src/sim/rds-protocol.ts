/**
 * The SIMULATED RDS Query endpoint: `DescribeDBInstances` (and the leftovers' actions, see
 * rds-leftovers-render.ts) rendered as RDS answers it
 * (namespace 2014-10-31, `<DescribeDBInstancesResult>` with `<DBInstance>` members and
 * `<Marker>`), and RDS's error envelope `<ErrorResponse><Error><Type>…`.
 */

import type { AwsErrorSpec, AwsNotListing, AwsQueryService } from './aws-query.js';
import { escapeXml, leaf, node, XML_DECLARATION } from './xml.js';
import type { SimResource } from './world.js';
import { dbCluster, dbClusterSnapshot, dbSnapshot, isClusterSnapshot, rdsListResponse } from './rds-leftovers-render.js';

const RDS_NS = 'http://rds.amazonaws.com/doc/2014-10-31/';

function tagList(tags: Record<string, string>): string {
  let items = '';
  for (const [k, v] of Object.entries(tags)) items += node('Tag', leaf('Key', k) + leaf('Value', v));
  return node('TagList', items);
}

function dbInstance(r: SimResource): string {
  const a = r.attrs;
  return node('DBInstance',
    leaf('DBInstanceIdentifier', r.id) +
    leaf('DBInstanceArn', a['dbInstanceArn'] as string) +
    leaf('DBInstanceClass', a['dbInstanceClass'] as string) +
    leaf('Engine', a['engine'] as string) +
    leaf('EngineVersion', a['engineVersion'] as string) +
    leaf('DBInstanceStatus', a['status'] as string) +
    leaf('MultiAZ', a['multiAZ'] as boolean) +
    leaf('AllocatedStorage', a['allocatedStorage'] as number) +
    leaf('StorageType', a['storageType'] as string) +
    leaf('StorageEncrypted', a['storageEncrypted'] as boolean) +
    leaf('PubliclyAccessible', a['publiclyAccessible'] as boolean) +
    leaf('BackupRetentionPeriod', a['backupRetentionPeriod'] as number) +
    leaf('AvailabilityZone', a['availabilityZone'] as string) +
    leaf('InstanceCreateTime', a['instanceCreateTime'] as string) +
    tagList(r.tags));
}

function renderList(items: readonly SimResource[], marker: string | null, requestId: string): string {
  return `${XML_DECLARATION}<DescribeDBInstancesResponse xmlns="${RDS_NS}">` +
    node('DescribeDBInstancesResult', node('DBInstances', items.map(dbInstance).join('')) + leaf('Marker', marker)) +
    node('ResponseMetadata', leaf('RequestId', requestId)) +
    '</DescribeDBInstancesResponse>';
}

function renderError(error: AwsErrorSpec, message: string, requestId: string): string {
  const type = error.status >= 500 ? 'Receiver' : 'Sender';
  return `${XML_DECLARATION}<ErrorResponse xmlns="${RDS_NS}"><Error><Type>${type}</Type>` +
    `<Code>${escapeXml(error.code)}</Code><Message>${escapeXml(message)}</Message></Error>` +
    `<RequestId>${escapeXml(requestId)}</RequestId></ErrorResponse>`;
}

/** Bodies that are not the listing `action` asked for: the SDK must not take them for one. */
function renderNotListing(body: AwsNotListing, action: string, requestId: string): string {
  const metadata = node('ResponseMetadata', leaf('RequestId', requestId));
  switch (body) {
    case 'json':
      return JSON.stringify({
        [`${action}Response`]: { [`${action}Result`]: { DBInstances: [] } },
      });
    case 'other-action': {
      // Another action's well-formed, empty answer (never the one asked for).
      const other = action === 'DescribeDBClusters' ? 'DescribeDBInstances' : 'DescribeDBClusters';
      const list = other === 'DescribeDBClusters' ? 'DBClusters' : 'DBInstances';
      return `${XML_DECLARATION}<${other}Response xmlns="${RDS_NS}">` +
        node(`${other}Result`, node(list, '')) + metadata + `</${other}Response>`;
    }
    case 'no-list-member':
      return `${XML_DECLARATION}<${action}Response xmlns="${RDS_NS}">` +
        node(`${action}Result`, '') + metadata + `</${action}Response>`;
  }
}

export const RDS_QUERY_SERVICE: AwsQueryService = {
  service: 'rds',
  maxParam: 'MaxRecords',
  tokenParam: 'Marker',
  defaultPageSize: (s) => s.pageSize.rds,
  actions: {
    DescribeDBInstances: { kind: 'rds.instance', pageMin: 20, pageMax: 100, render: renderList },
    DescribeDBClusters: {
      kind: 'rds.cluster', pageMin: 20, pageMax: 100,
      render: (items, m, id) => rdsListResponse('DescribeDBClusters', 'DBClusters', items.map(dbCluster).join(''), m, id),
    },
    DescribeDBSnapshots: {
      kind: 'rds.snapshot', pageMin: 20, pageMax: 100, filter: (r) => !isClusterSnapshot(r),
      render: (items, m, id) => rdsListResponse('DescribeDBSnapshots', 'DBSnapshots', items.map(dbSnapshot).join(''), m, id),
    },
    DescribeDBClusterSnapshots: {
      kind: 'rds.snapshot', pageMin: 20, pageMax: 100, filter: isClusterSnapshot,
      render: (items, m, id) => rdsListResponse('DescribeDBClusterSnapshots', 'DBClusterSnapshots', items.map(dbClusterSnapshot).join(''), m, id),
    },
  },
  errors: {
    'throttle': { status: 400, code: 'Throttling', message: 'Rate exceeded (simulated)' },
    'access-denied': { status: 403, code: 'AccessDenied', message: 'User is not authorized to perform: rds:DescribeDBInstances (simulated)' },
    'error-on-page': { status: 500, code: 'InternalFailure', message: 'An internal error has occurred. (simulated)' },
    'auth': { status: 403, code: 'InvalidClientTokenId', message: 'The security token included in the request is invalid. (simulated: use access key id SIM-<account>)' },
    'invalid': { status: 400, code: 'InvalidParameterValue', message: '' },
  },
  renderError,
  renderNotListing,
};
