/**
 * RDS DB instances of one (account, region), through the SDK paginator (Marker /
 * MaxRecords), each request carrying the scan's AbortSignal.
 */
import { paginateDescribeDBInstances, type RDSClient } from '@aws-sdk/client-rds';
import type { ResourceRecord } from '../../model/resource.js';
import { normalizeRdsInstance } from '../normalize-rds.js';
import type { ScanResult, Scope } from '../scope.js';
import { listAwsScope } from './list-scope.js';
import type { AwsScopeScan } from './scan-ec2.js';

export function scanRdsInstances(client: RDSClient, scan: AwsScopeScan): Promise<ScanResult> {
  const scope: Scope = { provider: 'aws', account: scan.account, region: scan.region, type: 'rds.instance' };
  const pages = paginateDescribeDBInstances(
    { client, stopOnSameToken: true, ...(scan.pageSize !== null ? { pageSize: scan.pageSize } : {}) },
    {},
    { abortSignal: scan.signal },
  );
  return listAwsScope(
    scope,
    pages,
    (page, out: ResourceRecord[]) => {
      for (const db of page.DBInstances ?? []) {
        out.push(normalizeRdsInstance(scan.account, scan.region, db, scan.normalize));
      }
    },
    scan.signal,
  );
}
