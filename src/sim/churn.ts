/**
 * What one tick of churn does to a single SIMULATED resource: change its tags (including
 * removing the owner tag), its state, or its size; and keep links between resources
 * (EBS attachments, GCE disk users) consistent when one end appears or disappears.
 */

import type { Prng } from './prng.js';
import { OWNERS } from './resource-factory.js';
import type { SimResource, SimWorldView } from './sim-resource.js';
import { changeLeftoverState, linkKey, linkLeftoverOnCreate, unlinkLeftover } from './links-leftovers.js';

const EC2_TYPES = ['t3.micro', 't3.large', 'm6i.large', 'm6i.xlarge', 'c6g.2xlarge', 'r6i.large'];
const GCE_TYPES = ['e2-small', 'e2-standard-4', 'n2-standard-8', 'c3-highcpu-4'];
const DEVICES = 'fghijklmnop';
const LINK_PROBABILITY = 0.6;

/** Mutates `r` in place so that at least one attribute or tag differs; returns what changed. */
export function changeResource(r: SimResource, prng: Prng): 'tags' | 'state' | 'size' {
  const mode = prng.int(3);
  if (mode === 0) {
    changeTags(r, prng);
    return 'tags';
  }
  if (mode === 1 && changeState(r)) return 'state';
  if (changeSize(r, prng)) return 'size';
  changeTags(r, prng); // leftovers have no size that changes
  return 'tags';
}

function changeTags(r: SimResource, prng: Prng): void {
  const ownerKey = ['Owner', 'owner', 'team'].find((k) => k in r.tags);
  if (ownerKey !== undefined && prng.chance(0.5)) {
    delete r.tags[ownerKey];
    return;
  }
  const key = ownerKey ?? (r.service === 'gcp' ? 'owner' : 'Owner');
  const current = r.tags[key];
  r.tags[key] = prng.pick(OWNERS.filter((o) => o !== current));
}

/** Flips a running/stopped kind of state; false for kinds whose state does not flip alone. */
function changeState(r: SimResource): boolean {
  const a = r.attrs;
  switch (r.kind) {
    case 'ec2.instance':
      if (a['state'] === 'running') Object.assign(a, { state: 'stopped', stateCode: 80, publicIpAddress: null });
      else Object.assign(a, { state: 'running', stateCode: 16 });
      return true;
    case 'rds.instance':
      a['status'] = a['status'] === 'available' ? 'stopped' : 'available';
      return true;
    case 'gce.instance':
      if (a['status'] === 'RUNNING') Object.assign(a, { status: 'TERMINATED', natIP: null });
      else a['status'] = 'RUNNING';
      return true;
    case 'ec2.volume':
    case 'gce.disk':
      return false;
    default:
      return changeLeftoverState(r);
  }
}

function changeSize(r: SimResource, prng: Prng): boolean {
  const a = r.attrs;
  switch (r.kind) {
    case 'ec2.instance':
      a['instanceType'] = prng.pick(EC2_TYPES.filter((t) => t !== a['instanceType']));
      return true;
    case 'ec2.volume':
      a['size'] = (a['size'] as number) + prng.pick([10, 50, 100]);
      return true;
    case 'rds.instance':
      a['allocatedStorage'] = (a['allocatedStorage'] as number) + prng.pick([10, 50, 100]);
      return true;
    case 'gce.instance': {
      const url = a['machineType'] as string;
      const base = url.slice(0, url.lastIndexOf('/') + 1);
      a['machineType'] = base + prng.pick(GCE_TYPES.filter((t) => base + t !== url));
      return true;
    }
    case 'gce.disk':
      a['sizeGb'] = (a['sizeGb'] as number) + prng.pick([10, 50, 100]);
      return true;
    default:
      return false;
  }
}

interface GceDiskRef { source: string; deviceName: string; boot: boolean }
interface Attachment { instanceId: string; device: string; state: string }

function selfLink(r: SimResource): string {
  return `${r.attrs['zone'] as string}/${r.kind === 'gce.instance' ? 'instances' : 'disks'}/${r.id}`;
}

/**
 * A new volume or disk may attach to an existing instance of its scope. Returns the other
 * resources whose attributes changed because of the link.
 */
export function linkOnCreate(world: SimWorldView, r: SimResource, prng: Prng): SimResource[] {
  if (r.kind !== 'ec2.volume' && r.kind !== 'gce.disk') return linkLeftoverOnCreate(world, r, prng);
  const hostKind = r.kind === 'ec2.volume' ? 'ec2.instance' : 'gce.instance';
  const hosts = world.alive(hostKind, r.account, r.region);
  if (hosts.length === 0 || !prng.chance(LINK_PROBABILITY)) return [];
  const host = prng.pick(hosts);
  if (r.kind === 'ec2.volume') {
    const device = `/dev/sd${DEVICES[prng.int(DEVICES.length)] ?? 'f'}`;
    r.attrs['availabilityZone'] = host.attrs['availabilityZone'];
    r.attrs['attachments'] = [{ instanceId: host.id, device, state: 'attached' }];
    r.attrs['state'] = 'in-use';
    world.links.add(linkKey(host), r);
    return [];
  }
  const disks = host.attrs['disks'] as GceDiskRef[];
  disks.push({ source: selfLink(r), deviceName: r.id, boot: disks.length === 0 });
  r.attrs['users'] = [selfLink(host)];
  world.links.add(linkKey(host), r);
  world.links.add(linkKey(r), host);
  return [host];
}


/**
 * Breaks links that point at `gone`; returns the resources that changed because of it.
 * The link index may hold stale holders (themselves gone, or replaced by a recreated
 * resource of the same id); those are skipped by checking identity against the live set.
 */
export function unlinkOnDisappear(world: SimWorldView, gone: SimResource): SimResource[] {
  const changed: SimResource[] = [];
  const url = gone.service === 'gcp' ? selfLink(gone) : '';
  for (const holder of world.links.take(linkKey(gone))) {
    if (world.scope(holder.kind, holder.account, holder.region)?.alive.get(holder.id) !== holder) continue;
    const a = holder.attrs;
    if (holder.kind === 'ec2.volume') {
      const atts = a['attachments'] as Attachment[];
      if (!atts.some((x) => x.instanceId === gone.id)) continue;
      a['attachments'] = atts.filter((x) => x.instanceId !== gone.id);
      a['state'] = 'available';
    } else if (holder.kind === 'gce.disk') {
      const users = a['users'] as string[];
      if (!users.includes(url)) continue;
      a['users'] = users.filter((u) => u !== url);
    } else if (holder.kind === 'gce.instance') {
      const disks = a['disks'] as GceDiskRef[];
      if (!disks.some((d) => d.source === url)) continue;
      a['disks'] = disks.filter((d) => d.source !== url);
    } else if (!unlinkLeftover(holder, gone)) {
      continue;
    }
    changed.push(holder);
  }
  return changed;
}
