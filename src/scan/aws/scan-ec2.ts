/**
 * EC2 listings of one (account, region): instances (DescribeInstances, Reservations →
 * Instances) and EBS volumes (DescribeVolumes), through the SDK paginators, each request
 * carrying the scan's AbortSignal.
 */
import { paginateDescribeInstances, paginateDescribeVolumes, type EC2Client } from '@aws-sdk/client-ec2';
import type { ResourceRecord } from '../../model/resource.js';
import { normalizeEbsVolume, normalizeEc2Instance } from '../normalize-ec2.js';
import type { NormalizeOptions } from '../normalize-common.js';
import type { ScanResult, Scope } from '../scope.js';
import { listAwsScope } from './list-scope.js';

export interface AwsScopeScan {
  account: string;
  region: string;
  normalize: NormalizeOptions;
  /** MaxResults per request; null leaves it to the service's default. */
  pageSize: number | null;
  signal?: AbortSignal;
}

export function scanEc2Instances(client: EC2Client, scan: AwsScopeScan): Promise<ScanResult> {
  const scope: Scope = { provider: 'aws', account: scan.account, region: scan.region, type: 'ec2.instance' };
  const pages = paginateDescribeInstances(
    { client, stopOnSameToken: true, ...(scan.pageSize !== null ? { pageSize: scan.pageSize } : {}) },
    {},
    { abortSignal: scan.signal },
  );
  return listAwsScope(
    scope,
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
  const scope: Scope = { provider: 'aws', account: scan.account, region: scan.region, type: 'ec2.volume' };
  const pages = paginateDescribeVolumes(
    { client, stopOnSameToken: true, ...(scan.pageSize !== null ? { pageSize: scan.pageSize } : {}) },
    {},
    { abortSignal: scan.signal },
  );
  return listAwsScope(
    scope,
    pages,
    (page, out: ResourceRecord[]) => {
      for (const volume of page.Volumes ?? []) {
        out.push(normalizeEbsVolume(scan.account, scan.region, volume, scan.normalize));
      }
    },
    scan.signal,
  );
}
