/**
 * SIMULATED RDS answers for the leftovers: `DescribeDBClusters`, `DescribeDBSnapshots`
 * and `DescribeDBClusterSnapshots`, as RDS renders them (namespace 2014-10-31,
 * `<…Result>` with member elements and `<Marker>`). Both snapshot kinds live in the world
 * as `rds.snapshot`; a cluster snapshot's id carries the `cluster:` prefix Elava keys it
 * with, which is not part of its identifier on the wire.
 */

import { leaf, node, XML_DECLARATION } from './xml.js';
import type { SimResource } from './world.js';

const RDS_NS = 'http://rds.amazonaws.com/doc/2014-10-31/';
export const SIM_CLUSTER_SNAPSHOT_PREFIX = 'cluster:';

function tagList(tags: Record<string, string>): string {
  let items = '';
  for (const [k, v] of Object.entries(tags)) items += node('Tag', leaf('Key', k) + leaf('Value', v));
  return node('TagList', items);
}

export function rdsListResponse(
  action: string,
  listName: string,
  items: string,
  marker: string | null,
  requestId: string,
): string {
  return `${XML_DECLARATION}<${action}Response xmlns="${RDS_NS}">` +
    node(`${action}Result`, node(listName, items) + leaf('Marker', marker)) +
    node('ResponseMetadata', leaf('RequestId', requestId)) +
    `</${action}Response>`;
}

export function dbCluster(r: SimResource): string {
  const a = r.attrs;
  let members = '';
  for (const [i, m] of (a['members'] as string[]).entries()) {
    members += node('DBClusterMember', leaf('DBInstanceIdentifier', m) + leaf('IsClusterWriter', i === 0));
  }
  return node('DBCluster',
    leaf('DBClusterIdentifier', r.id) +
    leaf('DBClusterArn', `arn:aws:rds:${r.region}:${r.account}:cluster:${r.id}`) +
    leaf('Status', a['status'] as string) +
    leaf('Engine', a['engine'] as string) +
    leaf('EngineVersion', a['engineVersion'] as string) +
    leaf('AllocatedStorage', a['allocatedStorage'] as number) +
    leaf('StorageEncrypted', a['storageEncrypted'] as boolean) +
    leaf('ClusterCreateTime', a['clusterCreateTime'] as string) +
    leaf('MultiAZ', (a['members'] as string[]).length > 1) +
    node('DBClusterMembers', members) +
    tagList(r.tags));
}

export function dbSnapshot(r: SimResource): string {
  const a = r.attrs;
  return node('DBSnapshot',
    leaf('DBSnapshotIdentifier', r.id) +
    leaf('DBInstanceIdentifier', a['source'] as string) +
    leaf('SnapshotCreateTime', a['createTime'] as string) +
    leaf('Engine', a['engine'] as string) +
    leaf('AllocatedStorage', a['allocatedStorage'] as number) +
    leaf('Status', a['status'] as string) +
    leaf('SnapshotType', a['snapshotType'] as string) +
    leaf('Encrypted', a['encrypted'] as boolean) +
    tagList(r.tags));
}

export function dbClusterSnapshot(r: SimResource): string {
  const a = r.attrs;
  return node('DBClusterSnapshot',
    leaf('DBClusterSnapshotIdentifier', r.id.slice(SIM_CLUSTER_SNAPSHOT_PREFIX.length)) +
    leaf('DBClusterIdentifier', a['source'] as string) +
    leaf('SnapshotCreateTime', a['createTime'] as string) +
    leaf('Engine', a['engine'] as string) +
    leaf('AllocatedStorage', a['allocatedStorage'] as number) +
    leaf('Status', a['status'] as string) +
    leaf('SnapshotType', a['snapshotType'] as string) +
    leaf('StorageEncrypted', a['encrypted'] as boolean) +
    tagList(r.tags));
}

export function isClusterSnapshot(r: SimResource): boolean {
  return r.attrs['sourceKind'] === 'cluster';
}
