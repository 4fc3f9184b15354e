/**
 * EC2 listings of one (account, region): instances (DescribeInstances, Reservations →
 * Instances) and EBS volumes (DescribeVolumes), one request per page (NextToken /
 * MaxResults), each carrying the scan's AbortSignal; pages are checked in list-scope.ts.
 */
import {
  DescribeInstancesCommand,
  DescribeVolumesCommand,
  type EC2Client,
  type Reservation,
  type Volume,
} from '@aws-sdk/client-ec2';
import { normalizeEbsVolume, normalizeEc2Instance } from '../normalize-ec2.js';
import type { ScanResult } from '../../model/scope.js';
import { awsScope, listAwsScope, type AwsListing, type AwsScopeScan } from './list-scope.js';

export type { AwsScopeScan } from './list-scope.js';

/** The paging part of an EC2 Describe request. */
function ec2Page(
  scan: AwsScopeScan,
  token: string | null,
): { MaxResults?: number; NextToken?: string } {
  return {
    ...(scan.pageSize !== null ? { MaxResults: scan.pageSize } : {}),
    ...(token !== null ? { NextToken: token } : {}),
  };
}

export function scanEc2Instances(client: EC2Client, scan: AwsScopeScan): Promise<ScanResult> {
  const listing: AwsListing<Reservation> = {
    action: 'DescribeInstances',
    listMember: 'Reservations',
    async fetchPage(token, signal) {
      const out = await client.send(new DescribeInstancesCommand(ec2Page(scan, token)), {
        abortSignal: signal,
      });
      return { items: out.Reservations, nextToken: out.NextToken };
    },
    toRecords(reservations, out) {
      for (const reservation of reservations) {
        for (const instance of reservation.Instances ?? []) {
          out.push(normalizeEc2Instance(scan.account, scan.region, instance, scan.normalize));
        }
      }
    },
  };
  return listAwsScope(awsScope(scan, 'ec2.instance'), listing, scan.signal);
}

export function scanEbsVolumes(client: EC2Client, scan: AwsScopeScan): Promise<ScanResult> {
  const listing: AwsListing<Volume> = {
    action: 'DescribeVolumes',
    listMember: 'Volumes',
    async fetchPage(token, signal) {
      const out = await client.send(new DescribeVolumesCommand(ec2Page(scan, token)), {
        abortSignal: signal,
      });
      return { items: out.Volumes, nextToken: out.NextToken };
    },
    toRecords(volumes, out) {
      for (const volume of volumes)
        out.push(normalizeEbsVolume(scan.account, scan.region, volume, scan.normalize));
    },
  };
  return listAwsScope(awsScope(scan, 'ec2.volume'), listing, scan.signal);
}
