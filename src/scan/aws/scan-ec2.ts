/**
 * EC2 listings of one (account, region): instances (DescribeInstances, Reservations →
 * Instances) and EBS volumes (DescribeVolumes), through the SDK paginators, each request
 * carrying the scan's AbortSignal.
 */
import { paginateDescribeInstances, paginateDescribeVolumes, type EC2Client } from '@aws-sdk/client-ec2';
import type { ResourceRecord } from '../../model/resource.js';
import { normalizeEbsVolume, normalizeEc2Instance } from '../normalize-ec2.js';
import type { ScanResult } from '../scope.js';
import { awsScope, listAwsScope, pagination, type AwsScopeScan } from './list-scope.js';

export type { AwsScopeScan } from './list-scope.js';

export function scanEc2Instances(client: EC2Client, scan: AwsScopeScan): Promise<ScanResult> {
  const pages = paginateDescribeInstances(pagination(client, scan), {}, { abortSignal: scan.signal });
  return listAwsScope(
    awsScope(scan, 'ec2.instance'),
    pages,
    (page, out: ResourceRecord[]) => {
      for (const reservation of page.Reservations ?? []) {
        for (const instance of reservation.Instances ?? []) {
          out.push(normalizeEc2Instance(scan.account, scan.region, instance, scan.normalize));
        }
      }
    },
    scan.signal,
  );
}

export function scanEbsVolumes(client: EC2Client, scan: AwsScopeScan): Promise<ScanResult> {
  const pages = paginateDescribeVolumes(pagination(client, scan), {}, { abortSignal: scan.signal });
  return listAwsScope(
    awsScope(scan, 'ec2.volume'),
    pages,
    (page, out: ResourceRecord[]) => {
      for (const volume of page.Volumes ?? []) {
        out.push(normalizeEbsVolume(scan.account, scan.region, volume, scan.normalize));
      }
    },
    scan.signal,
  );
}
