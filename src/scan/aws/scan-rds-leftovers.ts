/**
 * RDS listings beyond DB instances, per (account, region), one request per page
 * (Marker / MaxRecords), pages checked in list-scope.ts:
 *  - Aurora (and Multi-AZ) clusters: DescribeDBClusters;
 *  - snapshots: DescribeDBSnapshots then DescribeDBClusterSnapshots, manual and automated
 *    (the default when SnapshotType is not given), into one `rds.snapshot` scope that is
 *    complete only when both listings are.
 */
import {
  DescribeDBClustersCommand,
  DescribeDBClusterSnapshotsCommand,
  DescribeDBSnapshotsCommand,
  type DBCluster,
  type DBClusterSnapshot,
  type DBSnapshot,
  type RDSClient,
} from '@aws-sdk/client-rds';
import {
  normalizeRdsCluster,
  normalizeRdsClusterSnapshot,
  normalizeRdsDbSnapshot,
} from '../normalize-rds-leftovers.js';
import type { ScanResult } from '../../model/scope.js';
import {
  awsScope,
  drainListing,
  listAwsScope,
  listAwsScopeParts,
  type AwsListing,
  type AwsScopeScan,
} from './list-scope.js';

function page(scan: AwsScopeScan, token: string | null): { MaxRecords?: number; Marker?: string } {
  return {
    ...(scan.pageSize !== null ? { MaxRecords: scan.pageSize } : {}),
    ...(token !== null ? { Marker: token } : {}),
  };
}

export function scanRdsClusters(client: RDSClient, scan: AwsScopeScan): Promise<ScanResult> {
  const listing: AwsListing<DBCluster> = {
    action: 'DescribeDBClusters',
    listMember: 'DBClusters',
    async fetchPage(token, signal) {
      const out = await client.send(new DescribeDBClustersCommand(page(scan, token)), {
        abortSignal: signal,
      });
      return { items: out.DBClusters, nextToken: out.Marker };
    },
    toRecords(clusters, out) {
      for (const c of clusters) out.push(normalizeRdsCluster(scan.account, scan.region, c, scan.normalize));
    },
  };
  return listAwsScope(awsScope(scan, 'rds.cluster'), listing, scan.signal);
}

export function scanRdsSnapshots(client: RDSClient, scan: AwsScopeScan): Promise<ScanResult> {
  const dbSnapshots: AwsListing<DBSnapshot> = {
    action: 'DescribeDBSnapshots',
    listMember: 'DBSnapshots',
    async fetchPage(token, signal) {
      const out = await client.send(new DescribeDBSnapshotsCommand(page(scan, token)), {
        abortSignal: signal,
      });
      return { items: out.DBSnapshots, nextToken: out.Marker };
    },
    toRecords(snapshots, out) {
      for (const s of snapshots) out.push(normalizeRdsDbSnapshot(scan.account, scan.region, s, scan.normalize));
    },
  };
  const clusterSnapshots: AwsListing<DBClusterSnapshot> = {
    action: 'DescribeDBClusterSnapshots',
    listMember: 'DBClusterSnapshots',
    async fetchPage(token, signal) {
      const command = new DescribeDBClusterSnapshotsCommand(page(scan, token));
      const out = await client.send(command, { abortSignal: signal });
      return { items: out.DBClusterSnapshots, nextToken: out.Marker };
    },
    toRecords(snapshots, out) {
      for (const s of snapshots) {
        out.push(normalizeRdsClusterSnapshot(scan.account, scan.region, s, scan.normalize));
      }
    },
  };
  return listAwsScopeParts(
    awsScope(scan, 'rds.snapshot'),
    [
      (records, bytes) => drainListing(dbSnapshots, records, bytes, scan.signal),
      (records, bytes) => drainListing(clusterSnapshots, records, bytes, scan.signal),
    ],
    scan.signal,
  );
}
