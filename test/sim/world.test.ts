import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultScenario } from '../../src/sim/scenario-load.js';
import { SimWorld, type SimResource } from '../../src/sim/world.js';

const CHURNY = defaultScenario({
  seed: 7,
  churn: { appearPerTick: 2, changePerTick: 3, disappearPerTick: 2, recreatePerTick: 1 },
});

function keyOf(r: SimResource): string {
  return `${r.kind}/${r.account}/${r.region}/${r.id}`;
}

function snapshot(world: SimWorld): Map<string, string> {
  return new Map(world.resources().map((r) => [keyOf(r), JSON.stringify([r.attrs, r.tags])]));
}

describe('SimWorld', () => {
  it('the same seed gives the same world at every tick up to 20', () => {
    const a = new SimWorld(CHURNY);
    const b = new SimWorld(CHURNY);
    for (let tick = 0; tick <= 20; tick++) {
      assert.equal(JSON.stringify(a.resources()), JSON.stringify(b.resources()), `tick ${tick}`);
      a.advance();
      b.advance();
    }
  });

  it('a different seed gives a different world', () => {
    const a = new SimWorld(CHURNY);
    const b = new SimWorld({ ...CHURNY, seed: 8 });
    assert.notEqual(JSON.stringify(a.resources()), JSON.stringify(b.resources()));
  });

  it('the initial fleet has the scenario counts per scope', () => {
    const world = new SimWorld(CHURNY);
    const count = (kind: string, region: string): number => world.resources().filter((r) => r.kind === kind && r.region === region).length;
    assert.equal(count('ec2.instance', 'eu-west-1'), CHURNY.fleet.ec2Instances);
    assert.equal(count('rds.instance', 'us-east-1'), CHURNY.fleet.rdsInstances);
    assert.equal(count('gce.disk', 'us-central1-a'), CHURNY.fleet.gceDisks);
  });

  it('over 20 ticks churn appears, changes, disappears and recreates, and removes Owner tags', () => {
    const world = new SimWorld(CHURNY);
    const everSeen = new Set(snapshot(world).keys());
    const seen = { appeared: 0, changed: 0, disappeared: 0, recreated: 0, ownerRemoved: 0 };
    let before = snapshot(world);
    const tagsBefore = new Map(world.resources().map((r) => [keyOf(r), { ...r.tags }]));
    for (let tick = 1; tick <= 20; tick++) {
      world.advance();
      const after = snapshot(world);
      for (const [key, value] of after) {
        const old = before.get(key);
        if (old === undefined) seen[everSeen.has(key) ? 'recreated' : 'appeared'] += 1;
        else if (old !== value) seen.changed += 1;
        everSeen.add(key);
      }
      for (const key of before.keys()) if (!after.has(key)) seen.disappeared += 1;
      for (const r of world.resources()) {
        const old = tagsBefore.get(keyOf(r));
        if (old?.['Owner'] !== undefined && r.tags['Owner'] === undefined) seen.ownerRemoved += 1;
        tagsBefore.set(keyOf(r), { ...r.tags });
      }
      before = after;
    }
    for (const [what, n] of Object.entries(seen)) assert.ok(n > 0, `${what} must happen at least once, saw ${n}`);
  });

  it('lastChurn agrees with the difference between consecutive ticks', () => {
    const world = new SimWorld(CHURNY);
    for (let tick = 1; tick <= 10; tick++) {
      const before = snapshot(world);
      world.advance();
      const after = snapshot(world);
      const gone = new Set(world.lastChurn().filter((e) => e.action === 'disappeared').map((e) => `${e.kind}/${e.account}/${e.region}/${e.id}`));
      for (const e of world.lastChurn()) {
        const key = `${e.kind}/${e.account}/${e.region}/${e.id}`;
        assert.equal(e.tick, tick);
        if (e.action === 'appeared' || e.action === 'recreated') assert.ok(after.has(key) && !before.has(key), `${e.action} ${key}`);
        if (e.action === 'disappeared') assert.ok(before.has(key) && !after.has(key), `disappeared ${key}`);
        if (e.action === 'changed' && !gone.has(key) && before.has(key)) assert.notEqual(after.get(key), before.get(key), `changed ${key}`);
      }
    }
  });

  it('links stay consistent: attachments, disk users and instance disks point at live resources', () => {
    const world = new SimWorld(CHURNY);
    for (let tick = 0; tick < 20; tick++) world.advance();
    const live = new Set(world.resources().map((r) => r.id));
    const urls = new Set(world.resources().filter((r) => r.service === 'gcp').map((r) => `${r.attrs['zone'] as string}/${r.kind === 'gce.instance' ? 'instances' : 'disks'}/${r.id}`));
    let links = 0;
    for (const r of world.resources()) {
      if (r.kind === 'ec2.volume') for (const a of r.attrs['attachments'] as { instanceId: string }[]) { links++; assert.ok(live.has(a.instanceId)); }
      if (r.kind === 'gce.disk') for (const u of r.attrs['users'] as string[]) { links++; assert.ok(urls.has(u), u); }
      if (r.kind === 'gce.instance') for (const d of r.attrs['disks'] as { source: string }[]) { links++; assert.ok(urls.has(d.source), d.source); }
    }
    assert.ok(links > 0, 'the fleet should have some links to check');
  });
});
