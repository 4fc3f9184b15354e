/**
 * RDS DB instances of one (account, region), one request per page (Marker / MaxRecords),
 * each carrying the scan's AbortSignal; pages are checked in list-scope.ts.
 */
import { DescribeDBInstancesCommand, type DBInstance, type RDSClient } from '@aws-sdk/client-rds';
import { normalizeRdsInstance } from '../normalize-rds.js';
import type { ScanResult } from '../../model/scope.js';
import { awsScope, listAwsScope, type AwsListing, type AwsScopeScan } from './list-scope.js';

export function scanRdsInstances(client: RDSClient, scan: AwsScopeScan): Promise<ScanResult> {
  const listing: AwsListing<DBInstance> = {
    action: 'DescribeDBInstances',
    listMember: 'DBInstances',
    async fetchPage(token, signal) {
      const input = {
        ...(scan.pageSize !== null ? { MaxRecords: scan.pageSize } : {}),
        ...(token !== null ? { Marker: token } : {}),
      };
      const out = await client.send(new DescribeDBInstancesCommand(input), { abortSignal: signal });
      return { items: out.DBInstances, nextToken: out.Marker };
    },
    toRecords(dbs, out) {
      for (const db of dbs)
        out.push(normalizeRdsInstance(scan.account, scan.region, db, scan.normalize));
    },
  };
  return listAwsScope(awsScope(scan, 'rds.instance'), listing, scan.signal);
}
