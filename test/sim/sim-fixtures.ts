/**
 * Shared helpers for the SIMULATED cloud's tests: scenarios, listing through the real SDK
 * clients, and comparing listings with ground truth.
 */

import { EC2Client, paginateDescribeInstances, paginateDescribeVolumes } from '@aws-sdk/client-ec2';
import { paginateDescribeDBInstances, RDSClient } from '@aws-sdk/client-rds';
import { DisksClient, InstancesClient } from '@google-cloud/compute';
import { simGcpClientOptions } from '../../src/sim/clients.js';
import type { SimCloud } from '../../src/sim/cloud.js';
import { defaultScenario, type SimScenario } from '../../src/sim/scenario-load.js';
import type { SimKind } from '../../src/sim/world.js';

export const ACCOUNT = '111111111111';
export const PROJECT = 'sim-project-a';

/** A small fleet, no churn, no faults; callers override what the test is about. */
export function smallScenario(overrides: Partial<SimScenario> = {}): SimScenario {
  return defaultScenario({
    fleet: { ec2Instances: 30, ec2Volumes: 30, rdsInstances: 25, gceInstances: 30, gceDisks: 30 },
    churn: { appearPerTick: 0, changePerTick: 0, disappearPerTick: 0, recreatePerTick: 0 },
    ...overrides,
  });
}

export function truthIds(cloud: SimCloud, kind: SimKind, account: string, region?: string): string[] {
  return cloud.truth()
    .filter((r) => r.kind === kind && r.account === account && (region === undefined || r.region === region))
    .map((r) => r.id)
    .sort();
}

export async function listInstanceIds(client: EC2Client, pageSize?: number): Promise<string[]> {
  const ids: string[] = [];
  const config = pageSize === undefined ? { client } : { client, pageSize };
  for await (const page of paginateDescribeInstances(config, {})) {
    for (const res of page.Reservations ?? []) for (const i of res.Instances ?? []) ids.push(i.InstanceId ?? '?');
  }
  return ids;
}

export async function listVolumeIds(client: EC2Client, pageSize?: number): Promise<string[]> {
  const ids: string[] = [];
  const config = pageSize === undefined ? { client } : { client, pageSize };
  for await (const page of paginateDescribeVolumes(config, {})) for (const v of page.Volumes ?? []) ids.push(v.VolumeId ?? '?');
  return ids;
}

export async function listDbIds(client: RDSClient, pageSize?: number): Promise<string[]> {
  const ids: string[] = [];
  const config = pageSize === undefined ? { client } : { client, pageSize };
  for await (const page of paginateDescribeDBInstances(config, {})) for (const d of page.DBInstances ?? []) ids.push(d.DBInstanceIdentifier ?? '?');
  return ids;
}

/** `[zone, name]` pairs from an aggregated list, in the order the client yielded them. */
export async function listGce(cloud: SimCloud, kind: 'gce.instance' | 'gce.disk', maxResults: number): Promise<[string, string][]> {
  const out: [string, string][] = [];
  const request = { project: PROJECT, maxResults };
  if (kind === 'gce.instance') {
    const client = new InstancesClient(simGcpClientOptions(cloud));
    for await (const [scope, list] of client.aggregatedListAsync(request)) {
      for (const i of list.instances ?? []) out.push([scope.replace('zones/', ''), i.name ?? '?']);
    }
    await client.close();
  } else {
    const client = new DisksClient(simGcpClientOptions(cloud));
    for await (const [scope, list] of client.aggregatedListAsync(request)) {
      for (const d of list.disks ?? []) out.push([scope.replace('zones/', ''), d.name ?? '?']);
    }
    await client.close();
  }
  return out;
}

export function pagesServed(cloud: SimCloud, service: string, action: string): number[] {
  return cloud.requestLog().filter((e) => e.service === service && e.action === action && e.status === 200).map((e) => e.page);
}
