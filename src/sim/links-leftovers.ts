/**
 * Links of the SIMULATED leftovers to what they belong to, made when a resource is created
 * and kept consistent as the world churns, the way the clouds behave:
 *
 * - an Elastic IP may be associated with a live instance of its region; when the instance
 *   goes, the address stays allocated and loses its association (a change, `unlinked`);
 * - an EBS snapshot is made from a live volume (its volumeId and size); a deleted volume
 *   leaves its snapshots as they are, pointing at a volume that no longer exists;
 * - an AMI is registered from one or two live snapshots (its block devices); those
 *   snapshots cannot be deleted while it lives (SimWorld.removable);
 * - a new instance may be launched from a live image of its region (imageId);
 * - an Aurora cluster has up to two live DB instances as members; a deleted member leaves
 *   the member list (`unlinked`);
 * - an RDS snapshot has a live DB instance (or, for a cluster snapshot, cluster) as source,
 *   kept after the source is deleted;
 * - a regional GCE address may be used by a live instance of a zone in its region (status
 *   IN_USE); the instance's deletion releases it to RESERVED (`unlinked`);
 * - a GCE snapshot or image is made from a live disk of the project (sourceDisk,
 *   sourceDiskId), kept after the disk is deleted.
 */

import type { Prng } from './prng.js';
import type { SimResource, SimWorldView } from './sim-resource.js';

interface BlockDevice { deviceName: string; snapshotId: string; size: number }

export function linkKey(r: SimResource): string {
  return `${r.kind}|${r.account}|${r.region}|${r.id}`;
}

function selfLink(r: SimResource): string {
  return `${r.attrs['zone'] as string}/${r.kind === 'gce.instance' ? 'instances' : 'disks'}/${r.id}`;
}

/** Links made when `r` is created; returns other resources changed by it (none here). */
export function linkLeftoverOnCreate(world: SimWorldView, r: SimResource, prng: Prng): SimResource[] {
  const a = r.attrs;
  switch (r.kind) {
    case 'ec2.instance': {
      const images = world.alive('ec2.image', r.account, r.region);
      if (images.length > 0 && prng.chance(0.5)) a['imageId'] = prng.pick(images).id;
      return [];
    }
    case 'ec2.address': {
      const hosts = world.alive('ec2.instance', r.account, r.region);
      if (hosts.length === 0 || !prng.chance(0.6)) return [];
      const host = prng.pick(hosts);
      Object.assign(a, {
        associationId: `eipassoc-${prng.hex(17)}`, instanceId: host.id,
        networkInterfaceId: `eni-${prng.hex(17)}`, privateIp: host.attrs['privateIpAddress'],
      });
      world.links.add(linkKey(host), r);
      return [];
    }
    case 'ec2.snapshot': {
      const volumes = world.alive('ec2.volume', r.account, r.region);
      if (volumes.length === 0 || !prng.chance(0.8)) return [];
      const volume = prng.pick(volumes);
      Object.assign(a, { volumeId: volume.id, size: volume.attrs['size'] });
      return [];
    }
    case 'ec2.image': {
      const snapshots = world.alive('ec2.snapshot', r.account, r.region);
      if (snapshots.length === 0) return [];
      const count = Math.min(snapshots.length, 1 + prng.int(2));
      const devices: BlockDevice[] = [];
      for (let i = 0; i < count; i++) {
        const s = prng.pick(snapshots);
        if (devices.some((d) => d.snapshotId === s.id)) continue;
        devices.push({ deviceName: `/dev/sd${'abcd'[i] ?? 'a'}`, snapshotId: s.id, size: s.attrs['size'] as number });
      }
      a['blockDevices'] = devices;
      return [];
    }
    case 'rds.cluster': {
      const dbs = world.alive('rds.instance', r.account, r.region);
      const members: string[] = [];
      for (let i = 0; i < 2 && dbs.length > 0; i++) {
        const db = prng.pick(dbs);
        if (members.includes(db.id)) continue;
        members.push(db.id);
        world.links.add(linkKey(db), r);
      }
      a['members'] = members.sort();
      return [];
    }
    case 'rds.snapshot': {
      const kind = a['sourceKind'] === 'cluster' ? 'rds.cluster' : 'rds.instance';
      const sources = world.alive(kind, r.account, r.region);
      a['source'] = sources.length > 0 ? prng.pick(sources).id : `gone-${prng.hex(6)}`;
      return [];
    }
    case 'gce.address':
      return linkGceAddress(world, r, prng);
    case 'gce.snapshot':
    case 'gce.image': {
      const disks = world.scenario.gcp.zones.flatMap((z) => world.alive('gce.disk', r.account, z));
      if (disks.length === 0 || !prng.chance(0.8)) return [];
      const disk = prng.pick(disks);
      Object.assign(a, { sourceDisk: selfLink(disk), sourceDiskId: disk.attrs['numericId'], diskSizeGb: disk.attrs['sizeGb'] });
      return [];
    }
    default:
      return [];
  }
}

function linkGceAddress(world: SimWorldView, r: SimResource, prng: Prng): SimResource[] {
  if (r.region === 'global' || r.attrs['addressType'] !== 'EXTERNAL') return [];
  const zones = world.scenario.gcp.zones.filter((z) => z.startsWith(`${r.region}-`));
  const hosts = zones.flatMap((z) => world.alive('gce.instance', r.account, z));
  if (hosts.length === 0 || !prng.chance(0.5)) return [];
  const host = prng.pick(hosts);
  Object.assign(r.attrs, { users: [selfLink(host)], status: 'IN_USE' });
  world.links.add(linkKey(host), r);
  return [];
}

/** Breaks a leftover `holder`'s link to `gone`; whether the holder changed. */
export function unlinkLeftover(holder: SimResource, gone: SimResource): boolean {
  const a = holder.attrs;
  switch (holder.kind) {
    case 'ec2.address':
      if (a['instanceId'] !== gone.id) return false;
      Object.assign(a, { associationId: null, instanceId: null, networkInterfaceId: null, privateIp: null });
      return true;
    case 'rds.cluster': {
      const members = a['members'] as string[];
      if (!members.includes(gone.id)) return false;
      a['members'] = members.filter((m) => m !== gone.id);
      return true;
    }
    case 'gce.address': {
      const users = a['users'] as string[];
      const url = selfLink(gone);
      if (!users.includes(url)) return false;
      a['users'] = users.filter((u) => u !== url);
      if ((a['users'] as string[]).length === 0) a['status'] = 'RESERVED';
      return true;
    }
    default:
      return false;
  }
}

/** A state change of a leftover, when it has one: disassociate, release, stop/start. */
export function changeLeftoverState(r: SimResource): boolean {
  const a = r.attrs;
  switch (r.kind) {
    case 'ec2.address':
      // Disassociating keeps the link index entry; unlinkLeftover then finds no match.
      if (a['instanceId'] === null) return false;
      Object.assign(a, { associationId: null, instanceId: null, networkInterfaceId: null, privateIp: null });
      return true;
    case 'gce.address':
      if ((a['users'] as string[]).length === 0 || r.region === 'global') return false;
      Object.assign(a, { users: [], status: 'RESERVED' });
      return true;
    case 'rds.cluster':
      a['status'] = a['status'] === 'available' ? 'stopped' : 'available';
      return true;
    default:
      return false;
  }
}
