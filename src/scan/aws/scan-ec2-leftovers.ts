/**
 * EC2 listings of what the account OWNS and pays for after its user is gone, per
 * (account, region):
 *  - Elastic IPs: DescribeAddresses. Not paginated (the API documents one call returning
 *    every address of the region, and takes no MaxResults/NextToken), so one request is
 *    the whole listing; its `addressesSet` must still be present (list-scope.ts).
 *  - EBS snapshots: DescribeSnapshots with OwnerIds=self (never the public or shared
 *    snapshots others own), NextToken/MaxResults.
 *  - AMIs: DescribeImages with Owners=self, NextToken/MaxResults.
 */
import {
  DescribeAddressesCommand,
  DescribeImagesCommand,
  DescribeSnapshotsCommand,
  type Address,
  type EC2Client,
  type Image,
  type Snapshot,
} from '@aws-sdk/client-ec2';
import { normalizeAmi, normalizeEbsSnapshot, normalizeElasticIp } from '../normalize-ec2-leftovers.js';
import type { ScanResult } from '../../model/scope.js';
import { awsScope, listAwsScope, type AwsListing, type AwsScopeScan } from './list-scope.js';

/** The paging part of a paginated EC2 Describe request. */
function page(scan: AwsScopeScan, token: string | null): { MaxResults?: number; NextToken?: string } {
  return {
    ...(scan.pageSize !== null ? { MaxResults: scan.pageSize } : {}),
    ...(token !== null ? { NextToken: token } : {}),
  };
}

export function scanElasticIps(client: EC2Client, scan: AwsScopeScan): Promise<ScanResult> {
  const listing: AwsListing<Address> = {
    action: 'DescribeAddresses',
    listMember: 'Addresses',
    async fetchPage(_token, signal) {
      const out = await client.send(new DescribeAddressesCommand({}), { abortSignal: signal });
      return { items: out.Addresses, nextToken: undefined };
    },
    toRecords(addresses, out) {
      for (const a of addresses) {
        // EC2-Classic addresses (no allocation id) were retired in 2023: nothing to key.
        if (a.AllocationId === undefined && a.Domain === 'standard') continue;
        out.push(normalizeElasticIp(scan.account, scan.region, a, scan.normalize));
      }
    },
  };
  return listAwsScope(awsScope(scan, 'ec2.address'), listing, scan.signal);
}

export function scanEbsSnapshots(client: EC2Client, scan: AwsScopeScan): Promise<ScanResult> {
  const listing: AwsListing<Snapshot> = {
    action: 'DescribeSnapshots',
    listMember: 'Snapshots',
    async fetchPage(token, signal) {
      const input = { OwnerIds: ['self'], ...page(scan, token) };
      const out = await client.send(new DescribeSnapshotsCommand(input), { abortSignal: signal });
      return { items: out.Snapshots, nextToken: out.NextToken };
    },
    toRecords(snapshots, out) {
      for (const s of snapshots) out.push(normalizeEbsSnapshot(scan.account, scan.region, s, scan.normalize));
    },
  };
  return listAwsScope(awsScope(scan, 'ec2.snapshot'), listing, scan.signal);
}

export function scanAmis(client: EC2Client, scan: AwsScopeScan): Promise<ScanResult> {
  const listing: AwsListing<Image> = {
    action: 'DescribeImages',
    listMember: 'Images',
    async fetchPage(token, signal) {
      const input = { Owners: ['self'], ...page(scan, token) };
      const out = await client.send(new DescribeImagesCommand(input), { abortSignal: signal });
      return { items: out.Images, nextToken: out.NextToken };
    },
    toRecords(images, out) {
      for (const i of images) out.push(normalizeAmi(scan.account, scan.region, i, scan.normalize));
    },
  };
  return listAwsScope(awsScope(scan, 'ec2.image'), listing, scan.signal);
}
