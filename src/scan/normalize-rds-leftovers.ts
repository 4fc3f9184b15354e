/**
 * Aurora clusters (DescribeDBClusters) and RDS snapshots (DescribeDBSnapshots and
 * DescribeDBClusterSnapshots, manual and automated) to resource records.
 *
 * Keys: a cluster's id is its DBClusterIdentifier. DB snapshots and cluster snapshots
 * share one type, `rds.snapshot`, but not one namespace, so a cluster snapshot's id is
 * `cluster:<identifier>` (a manual identifier holds only letters, digits and hyphens, and
 * an automated one starts `rds:`, so neither can collide with it). Relationships as
 * attributes: cluster → `members` (DB instance identifiers), snapshot → `source` (the DB
 * instance or cluster identifier) with `sourceKind` `db` | `cluster`.
 *
 * Left out as volatile: PercentProgress, LatestRestorableTime, EarliestRestorableTime.
 */
import type { DBCluster, DBClusterSnapshot, DBSnapshot, Tag } from '@aws-sdk/client-rds';
import { resourceKey, type AttrValue, type ResourceRecord } from '../model/resource.js';
import {
  booleanOrNull,
  deriveOwner,
  isoOrNull,
  numberOrNull,
  sortedAttrs,
  sortedStrings,
  sortedTags,
  stringOrNull,
  type NormalizeOptions,
} from './normalize-common.js';
import { requireId } from './normalize-ec2.js';

/** The id prefix of a cluster snapshot within `rds.snapshot`. */
export const CLUSTER_SNAPSHOT_ID_PREFIX = 'cluster:';

function rdsTags(tags: readonly Tag[] | undefined): Record<string, string> {
  return sortedTags((tags ?? []).map((t) => ({ key: t.Key, value: t.Value })));
}

export function normalizeRdsCluster(
  account: string,
  region: string,
  cluster: DBCluster,
  options: NormalizeOptions,
): ResourceRecord {
  const id = requireId(cluster.DBClusterIdentifier, 'DBClusterIdentifier');
  const tags = rdsTags(cluster.TagList);
  const attrs = sortedAttrs({
    createTime: isoOrNull(cluster.ClusterCreateTime),
    encrypted: booleanOrNull(cluster.StorageEncrypted),
    engine: stringOrNull(cluster.Engine),
    engineVersion: stringOrNull(cluster.EngineVersion),
    members: sortedStrings((cluster.DBClusterMembers ?? []).map((m) => m.DBInstanceIdentifier)),
    multiAz: booleanOrNull(cluster.MultiAZ),
    storageGiB: numberOrNull(cluster.AllocatedStorage),
  });
  return record(account, region, 'rds.cluster', id, stringOrNull(cluster.Status), tags, attrs, options);
}

export function normalizeRdsDbSnapshot(
  account: string,
  region: string,
  snapshot: DBSnapshot,
  options: NormalizeOptions,
): ResourceRecord {
  const id = requireId(snapshot.DBSnapshotIdentifier, 'DBSnapshotIdentifier');
  const attrs = sortedAttrs({
    createTime: isoOrNull(snapshot.SnapshotCreateTime),
    encrypted: booleanOrNull(snapshot.Encrypted),
    engine: stringOrNull(snapshot.Engine),
    sizeGiB: numberOrNull(snapshot.AllocatedStorage),
    snapshotType: stringOrNull(snapshot.SnapshotType),
    source: stringOrNull(snapshot.DBInstanceIdentifier),
    sourceKind: 'db',
  });
  const status = stringOrNull(snapshot.Status);
  return record(account, region, 'rds.snapshot', id, status, rdsTags(snapshot.TagList), attrs, options);
}

export function normalizeRdsClusterSnapshot(
  account: string,
  region: string,
  snapshot: DBClusterSnapshot,
  options: NormalizeOptions,
): ResourceRecord {
  const name = requireId(snapshot.DBClusterSnapshotIdentifier, 'DBClusterSnapshotIdentifier');
  const attrs = sortedAttrs({
    createTime: isoOrNull(snapshot.SnapshotCreateTime),
    encrypted: booleanOrNull(snapshot.StorageEncrypted),
    engine: stringOrNull(snapshot.Engine),
    sizeGiB: numberOrNull(snapshot.AllocatedStorage),
    snapshotType: stringOrNull(snapshot.SnapshotType),
    source: stringOrNull(snapshot.DBClusterIdentifier),
    sourceKind: 'cluster',
  });
  const id = `${CLUSTER_SNAPSHOT_ID_PREFIX}${name}`;
  const status = stringOrNull(snapshot.Status);
  return record(account, region, 'rds.snapshot', id, status, rdsTags(snapshot.TagList), attrs, options);
}

function record(
  account: string,
  region: string,
  type: 'rds.cluster' | 'rds.snapshot',
  id: string,
  state: string | null,
  tags: Record<string, string>,
  attrs: Record<string, AttrValue>,
  options: NormalizeOptions,
): ResourceRecord {
  return {
    key: resourceKey('aws', account, region, type, id),
    provider: 'aws',
    account,
    region,
    type,
    id,
    name: id,
    state,
    owner: deriveOwner(tags, options.ownerTagKeys),
    tags,
    attrs,
  };
}
