/**
 * The simulated cloud's vocabulary: what a simulated resource is, the scopes that hold
 * them, and the narrow view of the world that churn and links need (so those modules
 * depend on this file, not on the world that uses them: no import circle).
 */

export type SimKind =
  | 'ec2.instance' | 'ec2.volume' | 'ec2.address' | 'ec2.snapshot' | 'ec2.image'
  | 'rds.instance' | 'rds.cluster' | 'rds.snapshot'
  | 'gce.instance' | 'gce.disk' | 'gce.address' | 'gce.snapshot' | 'gce.image';

export interface SimResource {
  service: 'ec2' | 'rds' | 'gcp';
  kind: SimKind;
  /** AWS account id, or GCP project id. */
  account: string;
  /** AWS region; GCP zone (instances, disks), region (addresses) or `global`. */
  region: string;
  /**
   * EC2: instance/volume/allocation/snapshot/image id. RDS: the identifier (a cluster
   * snapshot's prefixed `cluster:`, as Elava keys it). GCE: the resource name.
   */
  id: string;
  attrs: Record<string, unknown>;
  tags: Record<string, string>;
}

export interface SimChurnEvent {
  tick: number;
  action: 'appeared' | 'changed' | 'disappeared' | 'recreated';
  kind: SimKind;
  account: string;
  region: string;
  id: string;
  /** For `changed`: what changed (`tags`, `state`, `size`, `unlinked`). */
  reason?: string;
}

export interface SimScope {
  kind: SimKind;
  account: string;
  region: string;
  alive: Map<string, SimResource>;
  /** Ids that disappeared and are not alive now: candidates for `recreated`. */
  graveyard: Set<string>;
  /** Gone resources still listed (terminated, deleted), with the tick they leave the listing. */
  lingering: Map<string, { resource: SimResource; untilTick: number }>;
  /** Live ids this tick's listings leave out (a dropout). */
  hidden: Set<string>;
}

/** What churn and the link rules read and change of the world. */
export interface SimWorldView {
  alive(kind: SimKind, account: string, region: string): SimResource[];
  scope(kind: SimKind, account: string, region: string): SimScope | undefined;
  readonly links: {
    add(targetKey: string, holder: SimResource): void;
    take(targetKey: string): SimResource[];
  };
  readonly scenario: { readonly gcp: { readonly zones: readonly string[] } };
}
