/**
 * The SIMULATED fleet: every resource of every scope, advanced one tick at a time.
 *
 * Invariant: the world is a pure function of (scenario, tick). Every random choice comes
 * from one seeded PRNG consumed in a fixed order (scopes in scenario order, ids sorted), so
 * two worlds built from the same scenario are equal at every tick.
 *
 * A scope is kind × account × region (AWS) or kind × project × zone (GCP). Tick 0 is the
 * initial fleet; `advance()` applies one tick of churn to every scope, in this order:
 * recreate (ids that disappeared on an earlier tick come back with fresh attributes),
 * disappear, change (tags / state / size), appear, then the scenario's mass deletions and
 * listing dropouts of that tick. Links between resources (EBS attachments, GCE disk users)
 * are kept consistent; breaking a link when its other end disappears is itself a change,
 * recorded in `lastChurn()` with reason `unlinked`.
 *
 * What a listing shows (`list`) is not quite the ground truth (`resources`), as in the
 * real clouds: an EC2 instance that disappeared stays listed as `terminated` for
 * `linger.ec2InstanceTicks` ticks (AWS: about an hour), a volume as `deleted` for
 * `linger.ec2VolumeTicks`; a dropout hides live resources from the listings of one tick
 * (what a broken proxy or a truncated answer that still parses does).
 */

import assert from 'node:assert/strict';
import { Prng } from './prng.js';
import type { SimMassEvent, SimScenario } from './scenario.js';
import { newId, newResource } from './resource-factory.js';
import { changeResource, linkOnCreate, unlinkOnDisappear } from './churn.js';
import { LinkIndex } from './link-index.js';
import type { SimChurnEvent, SimKind, SimResource, SimScope, SimWorldView } from './sim-resource.js';

export type { SimChurnEvent, SimKind, SimResource, SimScope } from './sim-resource.js';

const AWS_KINDS: readonly SimKind[] = [
  'ec2.instance', 'ec2.volume', 'rds.instance',
  // created after what they refer to, so that their links find something
  'ec2.address', 'ec2.snapshot', 'ec2.image', 'rds.cluster', 'rds.snapshot',
];
const GCP_ZONAL_KINDS: readonly SimKind[] = ['gce.instance', 'gce.disk'];
/** Tries to draw an id not used before in a scope; collisions are ~never, so this is a bound. */
const ID_ATTEMPTS_MAX = 100;

export function scopeKey(kind: SimKind, account: string, region: string): string {
  return `${kind}|${account}|${region}`;
}

export class SimWorld implements SimWorldView {
  tick = 0;
  private readonly prng: Prng;
  /** Fixed order: the order in which churn visits scopes. */
  private readonly scopes: SimScope[] = [];
  private readonly byKey = new Map<string, SimScope>();
  private readonly sortedCache = new Map<string, SimResource[]>();
  private churn: SimChurnEvent[] = [];
  /** Who links to whom (volume → instance, disk ⇄ instance), so a disappearance finds its links. */
  readonly links = new LinkIndex();

  constructor(readonly scenario: SimScenario) {
    this.prng = new Prng(scenario.seed);
    for (const account of scenario.aws.accounts) {
      for (const region of scenario.aws.regions) for (const kind of AWS_KINDS) this.addScope(kind, account, region);
    }
    for (const project of scenario.gcp.projects) {
      for (const zone of scenario.gcp.zones) for (const kind of GCP_ZONAL_KINDS) this.addScope(kind, project, zone);
      for (const region of simGcpRegions(scenario)) this.addScope('gce.address', project, region);
      this.addScope('gce.address', project, 'global');
      this.addScope('gce.snapshot', project, 'global');
      this.addScope('gce.image', project, 'global');
    }
    for (const scope of this.scopes) {
      const count = initialCount(scenario, scope.kind);
      for (let i = 0; i < count; i++) this.create(scope, this.freshId(scope), 'appeared', false);
    }
    this.churn = [];
  }

  /** Applies one tick of churn to every scope. */
  advance(): void {
    this.tick += 1;
    this.churn = [];
    this.sortedCache.clear();
    const c = this.scenario.churn;
    for (const scope of this.scopes) {
      for (const [id, l] of scope.lingering) {
        if (l.untilTick <= this.tick) scope.lingering.delete(id);
      }
      scope.hidden.clear();
      const graves = [...scope.graveyard].sort();
      const reborn = new Set(pickDistinct(this.prng, graves, c.recreatePerTick));
      for (const id of reborn) this.create(scope, id, 'recreated', true);
      // What came back this tick stays for the tick: a same-tick round trip is invisible.
      const older = sortedIds(scope).filter((id) => !reborn.has(id));
      for (const id of pickDistinct(this.prng, this.removable(scope, older), c.disappearPerTick)) this.remove(scope, id);
      const survivors = older.filter((id) => scope.alive.has(id));
      for (const id of pickDistinct(this.prng, survivors, c.changePerTick)) {
        const r = scope.alive.get(id);
        assert.ok(r, 'picked id must be alive');
        const reason = changeResource(r, this.prng);
        this.record('changed', r, reason);
      }
      for (let i = 0; i < c.appearPerTick; i++) this.create(scope, this.freshId(scope), 'appeared', true);
      this.massChurn(scope);
    }
    this.sortedCache.clear();
  }

  /** The scenario's mass deletions and dropouts of this tick, in one scope. */
  private massChurn(scope: SimScope): void {
    const matches = (m: SimMassEvent): boolean =>
      m.tick === this.tick && m.kind === scope.kind &&
      (m.account === undefined || m.account === scope.account) &&
      (m.region === undefined || m.region === scope.region);
    for (const m of this.scenario.massDeletions) {
      if (!matches(m)) continue;
      for (const id of pickDistinct(this.prng, this.removable(scope, sortedIds(scope)), m.count)) this.remove(scope, id);
    }
    for (const m of this.scenario.dropouts) {
      if (!matches(m)) continue;
      for (const id of pickDistinct(this.prng, sortedIds(scope), m.count)) scope.hidden.add(id);
    }
  }

  /**
   * The ids that may be deleted: all but EBS snapshots an owned image uses (EC2 refuses to
   * delete those until the image is deregistered).
   */
  private removable(scope: SimScope, ids: readonly string[]): readonly string[] {
    if (scope.kind !== 'ec2.snapshot') return ids;
    const used = new Set<string>();
    for (const image of this.alive('ec2.image', scope.account, scope.region)) {
      for (const d of image.attrs['blockDevices'] as { snapshotId: string }[]) used.add(d.snapshotId);
    }
    return used.size === 0 ? ids : ids.filter((id) => !used.has(id));
  }

  /** Every live resource, live objects (treat as read-only; `SimCloud.truth()` copies). */
  resources(): SimResource[] {
    const out: SimResource[] = [];
    for (const scope of this.scopes) {
      out.push(...this.alive(scope.kind, scope.account, scope.region));
    }
    return out;
  }

  /** One scope's live resources sorted by id: the ground truth. [] for an unknown scope. */
  alive(kind: SimKind, account: string, region: string): SimResource[] {
    const scope = this.byKey.get(scopeKey(kind, account, region));
    return scope ? [...scope.alive.values()].sort(byId) : [];
  }

  /**
   * What a listing of the scope returns, sorted by id (the listing order): the live
   * resources but this tick's hidden ones, plus the gone ones still lingering.
   */
  list(kind: SimKind, account: string, region: string): readonly SimResource[] {
    const key = scopeKey(kind, account, region);
    const cached = this.sortedCache.get(key);
    if (cached) return cached;
    const scope = this.byKey.get(key);
    const listed: SimResource[] = [];
    if (scope) {
      for (const r of scope.alive.values()) if (!scope.hidden.has(r.id)) listed.push(r);
      for (const l of scope.lingering.values()) listed.push(l.resource);
    }
    const sorted = listed.sort(byId);
    this.sortedCache.set(key, sorted);
    return sorted;
  }

  /** What the last `advance()` did (the initial fleet is not listed). */
  lastChurn(): readonly SimChurnEvent[] {
    return this.churn;
  }

  scope(kind: SimKind, account: string, region: string): SimScope | undefined {
    return this.byKey.get(scopeKey(kind, account, region));
  }

  private addScope(kind: SimKind, account: string, region: string): void {
    // A leftover kind the scenario has none of gets no scope: older scenarios draw the same world.
    if (isLeftoverKind(kind) && initialCount(this.scenario, kind) === 0) return;
    const scope: SimScope = {
      kind, account, region,
      alive: new Map(), graveyard: new Set(), lingering: new Map(), hidden: new Set(),
    };
    this.scopes.push(scope);
    this.byKey.set(scopeKey(kind, account, region), scope);
  }

  private freshId(scope: SimScope): string {
    for (let i = 0; i < ID_ATTEMPTS_MAX; i++) {
      const id = newId(scope.kind, this.prng);
      if (!scope.alive.has(id) && !scope.graveyard.has(id)) return id;
    }
    assert.fail(`no fresh id for ${scope.kind} after ${ID_ATTEMPTS_MAX} attempts`);
  }

  private create(scope: SimScope, id: string, action: 'appeared' | 'recreated', log: boolean): void {
    const r = newResource(scope.kind, { prng: this.prng, account: scope.account, region: scope.region, id, tick: this.tick });
    scope.graveyard.delete(id);
    scope.lingering.delete(id);
    scope.alive.set(id, r);
    this.sortedCache.delete(scopeKey(scope.kind, scope.account, scope.region));
    const linked = linkOnCreate(this, r, this.prng);
    if (!log) return;
    this.record(action, r);
    for (const other of linked) this.record('changed', other, 'linked');
  }

  private remove(scope: SimScope, id: string): void {
    const r = scope.alive.get(id);
    assert.ok(r, 'removed id must be alive');
    scope.alive.delete(id);
    scope.graveyard.add(id);
    scope.hidden.delete(id);
    this.sortedCache.delete(scopeKey(scope.kind, scope.account, scope.region));
    this.record('disappeared', r);
    for (const other of unlinkOnDisappear(this, r)) this.record('changed', other, 'unlinked');
    const ticks = lingerTicks(this.scenario, scope.kind);
    if (ticks > 0) scope.lingering.set(id, { resource: goneCopy(r), untilTick: this.tick + ticks });
  }

  private record(action: SimChurnEvent['action'], r: SimResource, reason?: string): void {
    const event: SimChurnEvent = { tick: this.tick, action, kind: r.kind, account: r.account, region: r.region, id: r.id };
    if (reason !== undefined) event.reason = reason;
    this.churn.push(event);
  }
}

function initialCount(s: SimScenario, kind: SimKind): number {
  switch (kind) {
    case 'ec2.instance': return s.fleet.ec2Instances;
    case 'ec2.volume': return s.fleet.ec2Volumes;
    case 'rds.instance': return s.fleet.rdsInstances;
    case 'gce.instance': return s.fleet.gceInstances;
    case 'gce.disk': return s.fleet.gceDisks;
    case 'ec2.address': return s.fleet.ec2Addresses ?? 0;
    case 'ec2.snapshot': return s.fleet.ec2Snapshots ?? 0;
    case 'ec2.image': return s.fleet.ec2Images ?? 0;
    case 'rds.cluster': return s.fleet.rdsClusters ?? 0;
    case 'rds.snapshot': return s.fleet.rdsSnapshots ?? 0;
    case 'gce.address': return s.fleet.gceAddresses ?? 0;
    case 'gce.snapshot': return s.fleet.gceSnapshots ?? 0;
    case 'gce.image': return s.fleet.gceImages ?? 0;
  }
}

function isLeftoverKind(kind: SimKind): boolean {
  return !['ec2.instance', 'ec2.volume', 'rds.instance', 'gce.instance', 'gce.disk'].includes(kind);
}

/** The GCP regions of the scenario's zones (`us-central1-a` → `us-central1`), sorted. */
export function simGcpRegions(s: SimScenario): string[] {
  return [...new Set(s.gcp.zones.map((z) => z.slice(0, z.lastIndexOf('-'))))].sort();
}

function lingerTicks(s: SimScenario, kind: SimKind): number {
  if (kind === 'ec2.instance') return s.linger.ec2InstanceTicks;
  if (kind === 'ec2.volume') return s.linger.ec2VolumeTicks;
  return 0; // RDS and GCE drop a deleted resource from the listing
}

/** How a gone resource is listed while it lingers: EC2 `terminated` (48), EBS `deleted`. */
function goneCopy(r: SimResource): SimResource {
  const copy = structuredClone(r);
  if (r.kind === 'ec2.instance') {
    Object.assign(copy.attrs, { state: 'terminated', stateCode: 48, publicIpAddress: null });
  } else {
    Object.assign(copy.attrs, { state: 'deleted', attachments: [] });
  }
  return copy;
}

function byId(a: SimResource, b: SimResource): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

function sortedIds(scope: SimScope): string[] {
  return [...scope.alive.keys()].sort();
}

/** Up to `n` distinct items, chosen by a partial Fisher–Yates shuffle of a copy. */
function pickDistinct(prng: Prng, items: readonly string[], n: number): string[] {
  const pool = items.slice();
  const count = Math.min(n, pool.length);
  for (let i = 0; i < count; i++) {
    const j = i + prng.int(pool.length - i);
    const tmp = pool[i] as string;
    pool[i] = pool[j] as string;
    pool[j] = tmp;
  }
  return pool.slice(0, count);
}
