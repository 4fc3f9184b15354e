/**
 * RDS DB instances of one (account, region), through the SDK paginator (Marker /
 * MaxRecords), each request carrying the scan's AbortSignal.
 */
import { paginateDescribeDBInstances, type RDSClient } from '@aws-sdk/client-rds';
import type { ResourceRecord } from '../../model/resource.js';
import { normalizeRdsInstance } from '../normalize-rds.js';
import type { ScanResult } from '../scope.js';
import { awsScope, listAwsScope, pagination, type AwsScopeScan } from './list-scope.js';

export function scanRdsInstances(client: RDSClient, scan: AwsScopeScan): Promise<ScanResult> {
  const pages = paginateDescribeDBInstances(pagination(client, scan), {}, { abortSignal: scan.signal });
  return listAwsScope(
    awsScope(scan, 'rds.instance'),
    pages,
    (page, out: ResourceRecord[]) => {
      for (const db of page.DBInstances ?? []) {
        out.push(normalizeRdsInstance(scan.account, scan.region, db, scan.normalize));
      }
    },
    scan.signal,
  );
}
