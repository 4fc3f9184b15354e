/**
 * New SIMULATED leftovers: Elastic IPs, EBS snapshots, AMIs, Aurora clusters, RDS
 * snapshots, GCE addresses, snapshots and images, with attributes drawn from the world's
 * PRNG. What they point at (the instance an address is associated with, a snapshot's
 * volume, an image's snapshots, a cluster's members, a snapshot's source) is filled in by
 * links-leftovers.ts when they are created, from what is alive then. Attribute names:
 *
 * - ec2.address: publicIp, domain, networkBorderGroup, associationId, instanceId,
 *   networkInterfaceId, privateIp (the last four null while unassociated)
 * - ec2.snapshot: volumeId (`vol-ffffffff` when made from no volume of the account, as EC2
 *   shows copied snapshots), size (GiB), startTime, encrypted, description, state, storageTier
 * - ec2.image: name, state, creationDate, architecture, blockDevices [{ deviceName,
 *   snapshotId, size }]
 * - rds.cluster: engine, engineVersion, status, members (DB instance ids), storageEncrypted,
 *   clusterCreateTime, allocatedStorage
 * - rds.snapshot: sourceKind (`db` | `cluster`), source, snapshotType, status, createTime,
 *   allocatedStorage, engine, encrypted (a cluster snapshot's id starts `cluster:`)
 * - gce.address: numericId, address, addressType, status, users (URLs), networkTier,
 *   creationTimestamp, region (URL, null for global)
 * - gce.snapshot / gce.image: numericId, sourceDisk (URL), sourceDiskId, diskSizeGb,
 *   storageBytes (snapshot) / archiveSizeBytes + family (image), status, creationTimestamp
 */

import type { Prng } from './prng.js';
import type { SimResource } from './sim-resource.js';
import { GCE_BASE, isoAt, numericId, randomTags, SIM_EPOCH_MS, SIM_TICK_MS, type NewResourceContext } from './resource-common.js';

const WORDS = ['api', 'web', 'worker', 'batch', 'cache', 'queue', 'etl', 'auth', 'billing', 'report'];
const GIB = 1024 ** 3;

export type LeftoverKind =
  | 'ec2.address' | 'ec2.snapshot' | 'ec2.image' | 'rds.cluster' | 'rds.snapshot'
  | 'gce.address' | 'gce.snapshot' | 'gce.image';

function createdAt(ctx: NewResourceContext): string {
  const back = ctx.tick === 0 ? ctx.prng.int(365 * 24 * 3600) : ctx.prng.int(300);
  return isoAt(SIM_EPOCH_MS + ctx.tick * SIM_TICK_MS - back * 1000);
}

function aws(kind: LeftoverKind, ctx: NewResourceContext, attrs: Record<string, unknown>, tags: Record<string, string>): SimResource {
  const service = kind.startsWith('rds.') ? 'rds' : 'ec2';
  return { service, kind, account: ctx.account, region: ctx.region, id: ctx.id, attrs, tags };
}

function gcp(kind: LeftoverKind, ctx: NewResourceContext, attrs: Record<string, unknown>): SimResource {
  const tags: Record<string, string> = {};
  for (const [k, v] of Object.entries(randomTags(ctx.prng, null))) tags[k.toLowerCase()] = v;
  return { service: 'gcp', kind, account: ctx.account, region: ctx.region, id: ctx.id, attrs, tags };
}

export function newLeftover(kind: LeftoverKind, ctx: NewResourceContext): SimResource {
  const { prng } = ctx;
  switch (kind) {
    case 'ec2.address':
      return aws(kind, ctx, {
        publicIp: `3.${prng.int(256)}.${prng.int(256)}.${prng.range(1, 254)}`,
        domain: 'vpc', networkBorderGroup: ctx.region,
        associationId: null, instanceId: null, networkInterfaceId: null, privateIp: null,
      }, randomTags(prng, null));
    case 'ec2.snapshot':
      return aws(kind, ctx, {
        volumeId: 'vol-ffffffff', size: prng.pick([8, 20, 50, 100]), startTime: createdAt(ctx),
        encrypted: prng.chance(0.7), description: prng.chance(0.5) ? 'Created by CreateImage' : '',
        state: 'completed', storageTier: 'standard',
      }, randomTags(prng, prng.chance(0.3) ? `${prng.pick(WORDS)}-backup` : null));
    case 'ec2.image':
      return aws(kind, ctx, {
        name: `${prng.pick(WORDS)}-ami-${prng.hex(6)}`, state: 'available', creationDate: createdAt(ctx),
        architecture: prng.pick(['x86_64', 'arm64']), blockDevices: [],
      }, randomTags(prng, null));
    case 'rds.cluster':
      return aws(kind, ctx, {
        engine: prng.pick(['aurora-postgresql', 'aurora-mysql']), engineVersion: '15.4',
        status: 'available', members: [], storageEncrypted: prng.chance(0.8),
        clusterCreateTime: createdAt(ctx), allocatedStorage: 1,
      }, randomTags(prng, null));
    case 'rds.snapshot':
      return aws(kind, ctx, {
        sourceKind: ctx.id.startsWith('cluster:') ? 'cluster' : 'db', source: null,
        snapshotType: ctx.id.includes('rds:') ? 'automated' : 'manual', status: 'available',
        createTime: createdAt(ctx), allocatedStorage: prng.pick([20, 100, 200]),
        engine: 'postgres', encrypted: prng.chance(0.8),
      }, randomTags(prng, null));
    case 'gce.address':
      return newGceAddress(ctx);
    case 'gce.snapshot':
    case 'gce.image': {
      const size = prng.pick([10, 50, 100]);
      const bytes = Math.round(size * GIB * (0.1 + prng.next() * 0.5));
      return gcp(kind, ctx, {
        numericId: numericId(prng), sourceDisk: null, sourceDiskId: null, diskSizeGb: size,
        ...(kind === 'gce.snapshot' ? { storageBytes: bytes } : { archiveSizeBytes: bytes, family: prng.pick(WORDS) }),
        status: 'READY', creationTimestamp: createdAt(ctx),
      });
    }
  }
}

function newGceAddress(ctx: NewResourceContext): SimResource {
  const { prng } = ctx;
  const global = ctx.region === 'global';
  const external = global || prng.chance(0.8);
  const users = global && prng.chance(0.5)
    ? [`${GCE_BASE}/projects/${ctx.account}/global/forwardingRules/${prng.pick(WORDS)}-lb`]
    : [];
  return gcp('gce.address', ctx, {
    numericId: numericId(prng),
    address: external ? `34.${prng.int(256)}.${prng.int(256)}.${prng.range(1, 254)}` : `10.${prng.int(256)}.0.${prng.range(2, 254)}`,
    addressType: external ? 'EXTERNAL' : 'INTERNAL',
    status: users.length > 0 ? 'IN_USE' : 'RESERVED',
    users,
    networkTier: 'PREMIUM',
    creationTimestamp: createdAt(ctx),
    region: global ? null : `${GCE_BASE}/projects/${ctx.account}/regions/${ctx.region}`,
  });
}

export function newLeftoverId(kind: LeftoverKind, prng: Prng): string {
  switch (kind) {
    case 'ec2.address': return `eipalloc-${prng.hex(17)}`;
    case 'ec2.snapshot': return `snap-${prng.hex(17)}`;
    case 'ec2.image': return `ami-${prng.hex(17)}`;
    case 'rds.cluster': return `${prng.pick(WORDS)}-cluster-${prng.hex(6)}`;
    case 'rds.snapshot': {
      const roll = prng.int(3);
      const name = `${prng.pick(WORDS)}-snap-${prng.hex(6)}`;
      return roll === 0 ? `cluster:${name}` : roll === 1 ? `rds:${name}` : name;
    }
    case 'gce.address': return `${prng.pick(WORDS)}-ip-${prng.hex(6)}`;
    case 'gce.snapshot': return `${prng.pick(WORDS)}-snap-${prng.hex(6)}`;
    case 'gce.image': return `${prng.pick(WORDS)}-image-${prng.hex(6)}`;
  }
}
