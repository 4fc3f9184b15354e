/**
 * SIMULATED EC2 answers for the leftovers: `DescribeAddresses` (addressesSet, one page),
 * `DescribeSnapshots` (snapshotSet) and `DescribeImages` (imagesSet), as EC2 renders them
 * (namespace 2016-11-15, `<item>` lists).
 */

import { leaf, node } from './xml.js';
import type { SimResource } from './world.js';

interface BlockDevice { deviceName: string; snapshotId: string; size: number }

export function tagSet(tags: Record<string, string>): string {
  const keys = Object.keys(tags);
  if (keys.length === 0) return '';
  let items = '';
  for (const k of keys) items += node('item', leaf('key', k) + leaf('value', tags[k]));
  return node('tagSet', items);
}

export function addressItem(r: SimResource): string {
  const a = r.attrs;
  return node('item',
    leaf('publicIp', a['publicIp'] as string) +
    leaf('allocationId', r.id) +
    leaf('domain', a['domain'] as string) +
    leaf('instanceId', a['instanceId'] as string | null) +
    leaf('associationId', a['associationId'] as string | null) +
    leaf('networkInterfaceId', a['networkInterfaceId'] as string | null) +
    leaf('networkInterfaceOwnerId', a['networkInterfaceId'] === null ? null : r.account) +
    leaf('privateIpAddress', a['privateIp'] as string | null) +
    leaf('publicIpv4Pool', 'amazon') +
    leaf('networkBorderGroup', a['networkBorderGroup'] as string) +
    tagSet(r.tags));
}

export function snapshotItem(r: SimResource): string {
  const a = r.attrs;
  return node('item',
    leaf('snapshotId', r.id) +
    leaf('volumeId', a['volumeId'] as string) +
    leaf('status', a['state'] as string) +
    leaf('startTime', a['startTime'] as string) +
    leaf('progress', '100%') +
    leaf('ownerId', r.account) +
    leaf('volumeSize', a['size'] as number) +
    leaf('description', a['description'] as string) +
    leaf('encrypted', a['encrypted'] as boolean) +
    leaf('storageTier', a['storageTier'] as string) +
    tagSet(r.tags));
}

export function imageItem(r: SimResource): string {
  const a = r.attrs;
  let devices = '';
  for (const d of a['blockDevices'] as BlockDevice[]) {
    devices += node('item', leaf('deviceName', d.deviceName) + node('ebs',
      leaf('snapshotId', d.snapshotId) + leaf('volumeSize', d.size) +
      leaf('deleteOnTermination', true) + leaf('volumeType', 'gp3') + leaf('encrypted', false)));
  }
  return node('item',
    leaf('imageId', r.id) +
    leaf('imageLocation', `${r.account}/${a['name'] as string}`) +
    leaf('imageState', a['state'] as string) +
    leaf('imageOwnerId', r.account) +
    leaf('creationDate', a['creationDate'] as string) +
    leaf('isPublic', false) +
    leaf('architecture', a['architecture'] as string) +
    leaf('imageType', 'machine') +
    leaf('name', a['name'] as string) +
    leaf('rootDeviceType', 'ebs') +
    leaf('rootDeviceName', '/dev/sda') +
    node('blockDeviceMapping', devices) +
    leaf('virtualizationType', 'hvm') +
    tagSet(r.tags));
}
