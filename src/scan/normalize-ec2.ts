/**
 * EC2 instances and EBS volumes, from the SDK's DescribeInstances / DescribeVolumes output
 * to resource records. The record's `state` is the instance/volume state; it is not
 * repeated in `attrs`, so one state change is one field change.
 *
 * Left out as volatile or noisy: StateTransitionReason, attachment times and attachment
 * state (transitional), network interface ids, product codes, monitoring state.
 */
import type { Instance, Tag, Volume } from '@aws-sdk/client-ec2';
import { resourceKey, type ResourceRecord } from '../model/resource.js';
import {
  booleanOrNull,
  deriveOwner,
  isoOrNull,
  numberOrNull,
  sortedAttrs,
  sortedTags,
  stringOrNull,
  type NormalizeOptions,
} from './normalize-common.js';
import { ScanError } from './scan-error.js';

export function awsTags(tags: readonly Tag[] | undefined): Record<string, string> {
  return sortedTags((tags ?? []).map((t) => ({ key: t.Key, value: t.Value })));
}

export function normalizeEc2Instance(
  account: string,
  region: string,
  instance: Instance,
  options: NormalizeOptions,
): ResourceRecord {
  const id = requireId(instance.InstanceId, 'InstanceId');
  const tags = awsTags(instance.Tags);
  const attrs = sortedAttrs({
    availabilityZone: stringOrNull(instance.Placement?.AvailabilityZone),
    imageId: stringOrNull(instance.ImageId),
    instanceType: stringOrNull(instance.InstanceType),
    launchTime: isoOrNull(instance.LaunchTime),
    privateIp: stringOrNull(instance.PrivateIpAddress),
    publicIp: stringOrNull(instance.PublicIpAddress),
    spot: instance.InstanceLifecycle === 'spot',
    subnetId: stringOrNull(instance.SubnetId),
    vpcId: stringOrNull(instance.VpcId),
  });
  return {
    key: resourceKey('aws', account, region, 'ec2.instance', id),
    provider: 'aws',
    account,
    region,
    type: 'ec2.instance',
    id,
    name: tags['Name'] ?? null,
    state: stringOrNull(instance.State?.Name),
    owner: deriveOwner(tags, options.ownerTagKeys),
    tags,
    attrs,
  };
}

export function normalizeEbsVolume(
  account: string,
  region: string,
  volume: Volume,
  options: NormalizeOptions,
): ResourceRecord {
  const id = requireId(volume.VolumeId, 'VolumeId');
  const tags = awsTags(volume.Tags);
  const attachments = (volume.Attachments ?? [])
    .map((a) => ({ device: stringOrNull(a.Device), instanceId: stringOrNull(a.InstanceId) }))
    .sort(compareAttachments);
  const attrs = sortedAttrs({
    attachments,
    availabilityZone: stringOrNull(volume.AvailabilityZone),
    // Fixed for the volume's life, so not volatile: the waste report's age of a volume
    // that was already unattached when first seen.
    createTime: isoOrNull(volume.CreateTime),
    encrypted: booleanOrNull(volume.Encrypted),
    iops: numberOrNull(volume.Iops),
    sizeGiB: numberOrNull(volume.Size),
    snapshotId: stringOrNull(volume.SnapshotId),
    throughputMiBps: numberOrNull(volume.Throughput),
    volumeType: stringOrNull(volume.VolumeType),
  });
  return {
    key: resourceKey('aws', account, region, 'ec2.volume', id),
    provider: 'aws',
    account,
    region,
    type: 'ec2.volume',
    id,
    name: tags['Name'] ?? null,
    state: stringOrNull(volume.State),
    owner: deriveOwner(tags, options.ownerTagKeys),
    tags,
    attrs,
  };
}

/** A listed resource without an id cannot be keyed: the response is malformed. */
export function requireId(id: string | undefined, field: string): string {
  if (id === undefined || id === '' || id.includes('/')) {
    throw new ScanError('malformed-response', `listed resource has no usable ${field}: ${String(id)}`);
  }
  return id;
}

function compareAttachments(
  a: { device: string | null; instanceId: string | null },
  b: { device: string | null; instanceId: string | null },
): number {
  const ka = `${a.instanceId ?? ''}\u0000${a.device ?? ''}`;
  const kb = `${b.instanceId ?? ''}\u0000${b.device ?? ''}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}
