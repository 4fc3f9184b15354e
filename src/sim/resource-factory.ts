/**
 * Makes one new SIMULATED resource of each kind, with plausible attributes drawn from the
 * world's PRNG. The attribute names below are what `SimWorld.resources()` reports as ground
 * truth and what the protocol renderers put on the wire:
 *
 * - ec2.instance: imageId, state, stateCode, instanceType, availabilityZone, subnetId, vpcId,
 *   privateIpAddress, publicIpAddress (string|null), launchTime (ISO), spot (boolean)
 * - ec2.volume: size (GiB), volumeType, iops (number|null), throughput (number|null),
 *   encrypted, state ('available'|'in-use'), availabilityZone, createTime (ISO),
 *   attachments [{ instanceId, device, state: 'attached' }]
 * - rds.instance: dbInstanceArn, dbInstanceClass, engine, engineVersion, status, multiAZ,
 *   allocatedStorage (GiB), storageType, storageEncrypted, publiclyAccessible,
 *   backupRetentionPeriod, availabilityZone, instanceCreateTime (ISO)
 * - gce.instance (id = name): numericId, machineType (URL), status, zone (URL), networkIP,
 *   natIP (string|null), disks [{ source (URL), deviceName, boot }], preemptible,
 *   creationTimestamp
 * - gce.disk (id = name): numericId, sizeGb (number), type (URL), status, zone (URL),
 *   users (instance URLs), creationTimestamp
 *
 * The leftover kinds (addresses, snapshots, images, clusters): resource-factory-leftovers.ts.
 *
 * Tags (EC2/RDS) and labels (GCE) are in `tags`. Roughly a third of resources carry `Owner`,
 * some `owner` or `team` instead, and about a quarter carry no owner key at all.
 */

import type { Prng } from './prng.js';
import type { SimKind, SimResource } from './sim-resource.js';
import { GCE_BASE, isoAt, numericId, OWNERS, randomTags, SIM_EPOCH_MS, SIM_TICK_MS, type NewResourceContext } from './resource-common.js';

export { GCE_BASE, isoAt, numericId, OWNERS, randomTags, SIM_EPOCH_MS, SIM_TICK_MS, type NewResourceContext };
import { newLeftover, newLeftoverId } from './resource-factory-leftovers.js';

const WORDS = ['api', 'web', 'worker', 'batch', 'cache', 'queue', 'etl', 'auth', 'billing', 'report'];
const EC2_TYPES = ['t3.micro', 't3.large', 'm6i.large', 'm6i.xlarge', 'c6g.2xlarge', 'r6i.large'];
const RDS_CLASSES = ['db.t3.medium', 'db.m6g.large', 'db.r6g.xlarge'];
const RDS_ENGINES: readonly (readonly [string, string])[] = [['postgres', '15.4'], ['mysql', '8.0.35'], ['aurora-postgresql', '15.4']];
const GCE_TYPES = ['e2-small', 'e2-standard-4', 'n2-standard-8', 'c3-highcpu-4'];
const GCE_DISK_TYPES = ['pd-standard', 'pd-balanced', 'pd-ssd'];


/** Creation time: at tick 0 up to a year in the past, later within the tick's five minutes. */
function createdAt(ctx: NewResourceContext): string {
  const back = ctx.tick === 0 ? ctx.prng.int(365 * 24 * 3600) : ctx.prng.int(300);
  return isoAt(SIM_EPOCH_MS + ctx.tick * SIM_TICK_MS - back * 1000);
}


function zoneUrl(project: string, zone: string): string {
  return `${GCE_BASE}/projects/${project}/zones/${zone}`;
}


export function newResource(kind: SimKind, ctx: NewResourceContext): SimResource {
  switch (kind) {
    case 'ec2.instance': return newEc2Instance(ctx);
    case 'ec2.volume': return newEc2Volume(ctx);
    case 'rds.instance': return newRdsInstance(ctx);
    case 'gce.instance': return newGceInstance(ctx);
    case 'gce.disk': return newGceDisk(ctx);
    default: return newLeftover(kind, ctx);
  }
}

function newEc2Instance(ctx: NewResourceContext): SimResource {
  const { prng } = ctx;
  const running = prng.chance(0.8);
  const attrs = {
    imageId: `ami-${prng.hex(17)}`,
    state: running ? 'running' : 'stopped',
    stateCode: running ? 16 : 80,
    instanceType: prng.pick(EC2_TYPES),
    availabilityZone: `${ctx.region}${prng.pick(['a', 'b', 'c'])}`,
    subnetId: `subnet-${prng.hex(17)}`,
    vpcId: `vpc-${prng.hex(8)}`,
    privateIpAddress: `10.${prng.int(256)}.${prng.int(256)}.${prng.range(1, 254)}`,
    publicIpAddress: running && prng.chance(0.4) ? `54.${prng.int(256)}.${prng.int(256)}.${prng.range(1, 254)}` : null,
    launchTime: createdAt(ctx),
    spot: prng.chance(0.15),
  };
  const tags = randomTags(prng, prng.chance(0.8) ? `${prng.pick(WORDS)}-${prng.int(100)}` : null);
  return { service: 'ec2', kind: 'ec2.instance', account: ctx.account, region: ctx.region, id: ctx.id, attrs, tags };
}

function newEc2Volume(ctx: NewResourceContext): SimResource {
  const { prng } = ctx;
  const volumeType = prng.pick(['gp3', 'gp2', 'io2', 'st1']);
  const attrs = {
    size: prng.pick([8, 20, 50, 100, 500]),
    volumeType,
    iops: volumeType === 'st1' ? null : prng.pick([3000, 6000, 16000]),
    throughput: volumeType === 'gp3' ? prng.pick([125, 250, 500]) : null,
    encrypted: prng.chance(0.7),
    state: 'available',
    availabilityZone: `${ctx.region}${prng.pick(['a', 'b', 'c'])}`,
    createTime: createdAt(ctx),
    attachments: [] as { instanceId: string; device: string; state: string }[],
  };
  const tags = randomTags(prng, prng.chance(0.5) ? `${prng.pick(WORDS)}-data` : null);
  return { service: 'ec2', kind: 'ec2.volume', account: ctx.account, region: ctx.region, id: ctx.id, attrs, tags };
}

function newRdsInstance(ctx: NewResourceContext): SimResource {
  const { prng } = ctx;
  const [engine, engineVersion] = prng.pick(RDS_ENGINES);
  const attrs = {
    dbInstanceArn: `arn:aws:rds:${ctx.region}:${ctx.account}:db:${ctx.id}`,
    dbInstanceClass: prng.pick(RDS_CLASSES),
    engine,
    engineVersion,
    status: prng.chance(0.9) ? 'available' : 'stopped',
    multiAZ: prng.chance(0.4),
    allocatedStorage: prng.pick([20, 100, 200, 1000]),
    storageType: prng.pick(['gp3', 'gp2', 'io1']),
    storageEncrypted: prng.chance(0.8),
    publiclyAccessible: prng.chance(0.1),
    backupRetentionPeriod: prng.pick([0, 1, 7, 14, 35]),
    availabilityZone: `${ctx.region}${prng.pick(['a', 'b', 'c'])}`,
    instanceCreateTime: createdAt(ctx),
  };
  return { service: 'rds', kind: 'rds.instance', account: ctx.account, region: ctx.region, id: ctx.id, attrs, tags: randomTags(prng, null) };
}

function newGceInstance(ctx: NewResourceContext): SimResource {
  const { prng } = ctx;
  const zone = zoneUrl(ctx.account, ctx.region);
  const running = prng.chance(0.85);
  const attrs = {
    numericId: numericId(prng),
    machineType: `${zone}/machineTypes/${prng.pick(GCE_TYPES)}`,
    status: running ? 'RUNNING' : 'TERMINATED',
    zone,
    networkIP: `10.128.${prng.int(256)}.${prng.range(2, 254)}`,
    natIP: running && prng.chance(0.3) ? `34.${prng.int(256)}.${prng.int(256)}.${prng.range(1, 254)}` : null,
    disks: [] as { source: string; deviceName: string; boot: boolean }[],
    preemptible: prng.chance(0.2),
    creationTimestamp: createdAt(ctx),
  };
  return { service: 'gcp', kind: 'gce.instance', account: ctx.account, region: ctx.region, id: ctx.id, attrs, tags: lowerLabels(randomTags(prng, null)) };
}

function newGceDisk(ctx: NewResourceContext): SimResource {
  const { prng } = ctx;
  const zone = zoneUrl(ctx.account, ctx.region);
  const attrs = {
    numericId: numericId(prng),
    sizeGb: prng.pick([10, 50, 100, 200, 500]),
    type: `${zone}/diskTypes/${prng.pick(GCE_DISK_TYPES)}`,
    status: 'READY',
    zone,
    users: [] as string[],
    creationTimestamp: createdAt(ctx),
  };
  return { service: 'gcp', kind: 'gce.disk', account: ctx.account, region: ctx.region, id: ctx.id, attrs, tags: lowerLabels(randomTags(prng, null)) };
}

/** GCE label keys must be lowercase; `Owner` becomes `owner` there. */
function lowerLabels(tags: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(tags)) out[k.toLowerCase()] = v;
  return out;
}

/** A fresh id (EC2) or name (RDS, GCE) for a kind; uniqueness is the caller's check. */
export function newId(kind: SimKind, prng: Prng): string {
  switch (kind) {
    case 'ec2.instance': return `i-${prng.hex(17)}`;
    case 'ec2.volume': return `vol-${prng.hex(17)}`;
    case 'rds.instance': return `${prng.pick(WORDS)}-db-${prng.hex(6)}`;
    case 'gce.instance': return `${prng.pick(WORDS)}-${prng.hex(6)}`;
    case 'gce.disk': return `${prng.pick(WORDS)}-disk-${prng.hex(6)}`;
    default: return newLeftoverId(kind, prng);
  }
}
