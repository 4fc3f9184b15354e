/**
 * What the SIMULATED cloud looks like: which accounts, regions and projects exist, how big
 * the fleet is, how it churns per tick, and which faults fire on which ticks.
 *
 * Counts are per scope: `fleet.ec2Instances: 50` with 2 accounts × 3 regions means 300
 * instances. Churn counts are per resource type per scope per tick.
 *
 * Fault matching (see fault-plan.ts): `ticks` absent = every tick. `region` names an AWS
 * region; for `service: 'gcp'` it names the project (an aggregated list spans all zones of
 * a project, so the project is the unit that can fail). `account` optionally narrows an
 * AWS fault to one account (GCP: one project).
 *
 * Answers that are not listings (for "a response that is not a listing is a failed scope"):
 * `bad-body` answers a request with `body` instead of the page — on every page, or only on
 * `page` — and `repeated-token` answers page `page` (≥ 2) with its items but hands back the
 * very page token it was asked with, as a proxy that replays requests does.
 *
 * Not faults but what clouds do: `linger` keeps gone EC2 instances listed as `terminated`
 * (and volumes as `deleted`) for some ticks; `massDeletions` really deletes `count`
 * resources of a kind at a tick (a bulk clean-up); `dropouts` hides `count` live resources
 * from one tick's listings without deleting them (a broken answer that still parses).
 */

import type { SimKind } from './sim-resource.js';

export type SimService = 'ec2' | 'rds' | 'gcp';

export interface SimScenario {
  seed: number;
  aws: { accounts: string[]; regions: string[] };
  gcp: { projects: string[]; zones: string[] };
  fleet: SimFleet;
  churn: { appearPerTick: number; changePerTick: number; disappearPerTick: number; recreatePerTick: number };
  faults: SimFault[];
  pageSize: { ec2: number; rds: number; gcp: number };
  linger: { ec2InstanceTicks: number; ec2VolumeTicks: number };
  massDeletions: SimMassEvent[];
  dropouts: SimMassEvent[];
}

/**
 * Initial resources per scope. The leftover kinds (addresses, snapshots, images, clusters)
 * are optional (validation makes a missing one 0) and, at 0, get no scope at all, so a scenario written before they existed
 * draws the same world from its seed.
 */
export interface SimFleet {
  ec2Instances: number;
  ec2Volumes: number;
  rdsInstances: number;
  gceInstances: number;
  gceDisks: number;
  ec2Addresses?: number;
  ec2Snapshots?: number;
  ec2Images?: number;
  rdsClusters?: number;
  rdsSnapshots?: number;
  /** Per GCP region of the scenario's zones, and as many global addresses per project. */
  gceAddresses?: number;
  /** Per project (snapshots and images are global). */
  gceSnapshots?: number;
  gceImages?: number;
}

/** `count` resources of `kind` at `tick`, in every matching scope (account/region narrow it). */
export interface SimMassEvent {
  tick: number;
  kind: SimKind;
  count: number;
  account?: string;
  region?: string;
}

interface FaultWhere { ticks?: number[]; account?: string }

/**
 * What a `bad-body` fault answers instead of the page:
 *   `html`           200 with a captive portal's HTML page (AWS and GCP);
 *   `empty`          200 with an empty body (AWS and GCP);
 *   `empty-500`      500 with an empty body (AWS and GCP);
 *   `json`           200 with JSON where the Query protocol's XML is due (AWS);
 *   `other-action`   200 with a well-formed answer to another action (AWS);
 *   `no-list-member` 200 with the action's envelope but no list element at all (AWS);
 *   `not-json`       200 with XML where JSON is due (GCP);
 *   `no-kind`        200 with a JSON object that has no `kind` (GCP);
 *   `wrong-kind`     200 with the other type's aggregated list, empty (GCP).
 */
export type SimBadBody =
  | 'html' | 'empty' | 'empty-500' | 'json' | 'other-action' | 'no-list-member'
  | 'not-json' | 'no-kind' | 'wrong-kind';

export const SIM_BAD_BODIES: Readonly<Record<'aws' | 'gcp', readonly SimBadBody[]>> = {
  aws: ['html', 'empty', 'empty-500', 'json', 'other-action', 'no-list-member'],
  gcp: ['html', 'empty', 'empty-500', 'not-json', 'no-kind', 'wrong-kind'],
};

export type SimFault =
  | ({ kind: 'throttle'; service: SimService; region?: string; times: number } & FaultWhere)
  | ({ kind: 'access-denied'; service: SimService; region: string } & FaultWhere)
  | ({ kind: 'error-on-page'; service: SimService; region?: string; page: number } & FaultWhere)
  | ({ kind: 'malformed'; service: SimService; region?: string } & FaultWhere)
  | ({ kind: 'slow'; service: SimService; delayMs: number; region?: string } & FaultWhere)
  | ({ kind: 'bad-body'; service: SimService; body: SimBadBody; region?: string; page?: number }
      & FaultWhere)
  | ({ kind: 'repeated-token'; service: SimService; page: number; region?: string } & FaultWhere)
  | ({ kind: 'unreachable-zone'; zone: string } & FaultWhere);

export type SimFaultKind = SimFault['kind'];

export const SIM_FAULT_KINDS: readonly SimFaultKind[] = [
  'throttle', 'access-denied', 'error-on-page', 'malformed', 'slow', 'unreachable-zone',
  'bad-body', 'repeated-token',
];
