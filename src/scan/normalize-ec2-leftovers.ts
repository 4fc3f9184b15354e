/**
 * The EC2 resources that outlive what they served and keep costing: Elastic IPs
 * (DescribeAddresses), EBS snapshots (DescribeSnapshots, OwnerIds=self) and AMIs
 * (DescribeImages, Owners=self), from the SDK's output to resource records.
 *
 * Relationships are kept as attributes, so that the waste report can follow them:
 * address → `instanceId` / `networkInterfaceId`, snapshot → `volumeId`, image →
 * `snapshotIds` (its EBS block devices).
 *
 * An Elastic IP has no state in the API; its record's `state` is `associated` or
 * `unassociated`, so losing an association is one field change. Left out as volatile:
 * snapshot `Progress` (moves while pending), image `LastLaunchedTime` (changes on every
 * launch; Elava answers "last used" from its own history of instances instead).
 */
import type { Address, Image, Snapshot } from '@aws-sdk/client-ec2';
import { resourceKey, type ResourceRecord } from '../model/resource.js';
import {
  booleanOrNull,
  deriveOwner,
  isoOrNull,
  numberOrNull,
  sortedAttrs,
  sortedStrings,
  stringOrNull,
  type NormalizeOptions,
} from './normalize-common.js';
import { awsTags, requireId } from './normalize-ec2.js';

export function normalizeElasticIp(
  account: string,
  region: string,
  address: Address,
  options: NormalizeOptions,
): ResourceRecord {
  const id = requireId(address.AllocationId, 'AllocationId');
  const tags = awsTags(address.Tags);
  const associationId = stringOrNull(address.AssociationId);
  const attrs = sortedAttrs({
    associationId,
    domain: stringOrNull(address.Domain),
    instanceId: stringOrNull(address.InstanceId),
    networkBorderGroup: stringOrNull(address.NetworkBorderGroup),
    networkInterfaceId: stringOrNull(address.NetworkInterfaceId),
    privateIp: stringOrNull(address.PrivateIpAddress),
    publicIp: stringOrNull(address.PublicIp),
  });
  return {
    key: resourceKey('aws', account, region, 'ec2.address', id),
    provider: 'aws',
    account,
    region,
    type: 'ec2.address',
    id,
    name: tags['Name'] ?? null,
    state: associationId === null ? 'unassociated' : 'associated',
    owner: deriveOwner(tags, options.ownerTagKeys),
    tags,
    attrs,
  };
}

export function normalizeEbsSnapshot(
  account: string,
  region: string,
  snapshot: Snapshot,
  options: NormalizeOptions,
): ResourceRecord {
  const id = requireId(snapshot.SnapshotId, 'SnapshotId');
  const tags = awsTags(snapshot.Tags);
  const attrs = sortedAttrs({
    description: stringOrNull(snapshot.Description),
    encrypted: booleanOrNull(snapshot.Encrypted),
    sizeGiB: numberOrNull(snapshot.VolumeSize),
    startTime: isoOrNull(snapshot.StartTime),
    storageTier: stringOrNull(snapshot.StorageTier),
    volumeId: stringOrNull(snapshot.VolumeId),
  });
  return {
    key: resourceKey('aws', account, region, 'ec2.snapshot', id),
    provider: 'aws',
    account,
    region,
    type: 'ec2.snapshot',
    id,
    name: tags['Name'] ?? null,
    state: stringOrNull(snapshot.State),
    owner: deriveOwner(tags, options.ownerTagKeys),
    tags,
    attrs,
  };
}

export function normalizeAmi(
  account: string,
  region: string,
  image: Image,
  options: NormalizeOptions,
): ResourceRecord {
  const id = requireId(image.ImageId, 'ImageId');
  const tags = awsTags(image.Tags);
  const mappings = image.BlockDeviceMappings ?? [];
  const attrs = sortedAttrs({
    architecture: stringOrNull(image.Architecture),
    creationDate: isoOrNull(image.CreationDate),
    imageName: stringOrNull(image.Name),
    rootDeviceType: stringOrNull(image.RootDeviceType),
    snapshotIds: sortedStrings(mappings.map((m) => m.Ebs?.SnapshotId)),
    snapshotSizeGiB: mappings.reduce((n, m) => n + (numberOrNull(m.Ebs?.VolumeSize) ?? 0), 0),
  });
  return {
    key: resourceKey('aws', account, region, 'ec2.image', id),
    provider: 'aws',
    account,
    region,
    type: 'ec2.image',
    id,
    name: tags['Name'] ?? stringOrNull(image.Name),
    state: stringOrNull(image.State),
    owner: deriveOwner(tags, options.ownerTagKeys),
    tags,
    attrs,
  };
}
