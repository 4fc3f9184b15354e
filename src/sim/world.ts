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
 * disappear, change (tags / state / size), appear. Links between resources (EBS
 * attachments, GCE disk users) are kept consistent; breaking a link when its other end
 * disappears is itself a change, recorded in `lastChurn()` with reason `unlinked`.
 */

import assert from 'node:assert/strict';
import { Prng } from './prng.js';
import type { SimScenario } from './scenario.js';
import { newId, newResource } from './resource-factory.js';
import { changeResource, linkOnCreate, unlinkOnDisappear } from './churn.js';
import { LinkIndex } from './link-index.js';

export type SimKind = 'ec2.instance' | 'ec2.volume' | 'rds.instance' | 'gce.instance' | 'gce.disk';

export interface SimResource {
  service: 'ec2' | 'rds' | 'gcp';
  kind: SimKind;
  /** AWS account id, or GCP project id. */
  account: string;
  /** AWS region, or GCP zone. */
  region: string;
  /** EC2: instance/volume id. RDS: DBInstanceIdentifier. GCE: the resource name. */
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
}

const AWS_KINDS: readonly SimKind[] = ['ec2.instance', 'ec2.volume', 'rds.instance'];
const GCP_KINDS: readonly SimKind[] = ['gce.instance', 'gce.disk'];
/** Tries to draw an id not used before in a scope; collisions are ~never, so this is a bound. */
const ID_ATTEMPTS_MAX = 100;

export function scopeKey(kind: SimKind, account: string, region: string): string {
  return `${kind}|${account}|${region}`;
}

export class SimWorld {
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
      for (const zone of scenario.gcp.zones) for (const kind of GCP_KINDS) this.addScope(kind, project, zone);
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
      const graves = [...scope.graveyard].sort();
      const reborn = new Set(pickDistinct(this.prng, graves, c.recreatePerTick));
      for (const id of reborn) this.create(scope, id, 'recreated', true);
      // What came back this tick stays for the tick: a same-tick round trip is invisible.
      const older = sortedIds(scope).filter((id) => !reborn.has(id));
      for (const id of pickDistinct(this.prng, older, c.disappearPerTick)) this.remove(scope, id);
      const survivors = older.filter((id) => scope.alive.has(id));
      for (const id of pickDistinct(this.prng, survivors, c.changePerTick)) {
        const r = scope.alive.get(id);
        assert.ok(r, 'picked id must be alive');
        const reason = changeResource(r, this.prng);
        this.record('changed', r, reason);
      }
      for (let i = 0; i < c.appearPerTick; i++) this.create(scope, this.freshId(scope), 'appeared', true);
    }
    this.sortedCache.clear();
  }

  /** Every live resource, live objects (treat as read-only; `SimCloud.truth()` copies). */
  resources(): SimResource[] {
    const out: SimResource[] = [];
    for (const scope of this.scopes) out.push(...this.list(scope.kind, scope.account, scope.region));
    return out;
  }

  /** One scope's live resources sorted by id (the listing order); [] for an unknown scope. */
  list(kind: SimKind, account: string, region: string): readonly SimResource[] {
    const key = scopeKey(kind, account, region);
    const cached = this.sortedCache.get(key);
    if (cached) return cached;
    const scope = this.byKey.get(key);
    const sorted = scope ? [...scope.alive.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)) : [];
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
    const scope: SimScope = { kind, account, region, alive: new Map(), graveyard: new Set() };
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
    this.sortedCache.delete(scopeKey(scope.kind, scope.account, scope.region));
    this.record('disappeared', r);
    for (const other of unlinkOnDisappear(this, r)) this.record('changed', other, 'unlinked');
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
  }
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
