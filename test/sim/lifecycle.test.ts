/**
 * The SIMULATED cloud lists what the real ones list, not only the ground truth: gone EC2
 * instances linger as `terminated` (volumes as `deleted`) for the scenario's ticks, a mass
 * deletion really deletes, and a dropout hides live resources from one tick's listings.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultScenario, type SimScenario } from '../../src/sim/scenario-load.js';
import { SimScenarioError } from '../../src/sim/scenario-validate.js';
import { SimWorld } from '../../src/sim/world.js';

const ACCOUNT = '111111111111';
const REGION = 'us-east-1';

function world(overrides: Partial<SimScenario>): SimWorld {
  return new SimWorld(defaultScenario({
    seed: 3,
    churn: { appearPerTick: 0, changePerTick: 0, disappearPerTick: 1, recreatePerTick: 0 },
    ...overrides,
  }));
}

function listedState(w: SimWorld, kind: 'ec2.instance' | 'ec2.volume', id: string): string | null {
  const r = w.list(kind, ACCOUNT, REGION).find((x) => x.id === id);
  return r === undefined ? null : (r.attrs['state'] as string);
}

describe('simulated resource lifecycles', () => {
  const vectors: Array<{ kind: 'ec2.instance' | 'ec2.volume'; ticks: number; gone: string }> = [
    { kind: 'ec2.instance', ticks: 3, gone: 'terminated' },
    { kind: 'ec2.volume', ticks: 2, gone: 'deleted' },
  ];
  for (const v of vectors) {
    it(`lists a gone ${v.kind} as ${v.gone} for ${v.ticks} ticks, never as truth`, () => {
      // given a world whose gone instances and volumes linger
      const w = world({ linger: { ec2InstanceTicks: 3, ec2VolumeTicks: 2 } });
      // when one tick deletes a resource
      w.advance();
      const went = w.lastChurn()
        .find((c) => c.action === 'disappeared' && c.kind === v.kind && c.region === REGION);
      assert.ok(went !== undefined, 'a resource of the kind went');
      const states: Array<string | null> = [listedState(w, v.kind, went.id)];
      const inTruth: boolean[] = [w.resources().some((r) => r.id === went.id)];
      for (let i = 0; i < v.ticks; i++) {
        w.advance();
        states.push(listedState(w, v.kind, went.id));
        inTruth.push(w.resources().some((r) => r.id === went.id));
      }
      // then the listing shows it gone for `ticks` ticks, then not at all; truth never has it
      assert.deepEqual(states, [...Array<string>(v.ticks).fill(v.gone), null]);
      assert.deepEqual(inTruth, Array<boolean>(v.ticks + 1).fill(false));
    });
  }

  it('drops a gone resource from the listing at once without linger', () => {
    const w = world({ linger: { ec2InstanceTicks: 0, ec2VolumeTicks: 0 } });
    w.advance();
    const went = w.lastChurn().find((c) => c.action === 'disappeared' && c.kind === 'ec2.instance');
    assert.ok(went !== undefined);
    const listed = w.list('ec2.instance', went.account, went.region);
    assert.equal(listed.some((r) => r.id === went.id), false);
  });

  it('deletes `count` resources of one scope at the tick of a mass deletion', () => {
    const w = world({
      massDeletions: [{ tick: 2, kind: 'ec2.volume', region: REGION, count: 40 }],
    });
    const count = (): number => w.alive('ec2.volume', ACCOUNT, REGION).length;
    const start = count();
    w.advance();
    const afterOne = count();
    w.advance();
    const gone = w.lastChurn()
      .filter((c) => c.action === 'disappeared' && c.kind === 'ec2.volume' && c.region === REGION);
    assert.deepEqual([afterOne, count(), gone.length], [start - 1, start - 42, 41]);
    const elsewhere = w.alive('ec2.volume', ACCOUNT, 'eu-west-1').length;
    assert.equal(elsewhere, start - 2, 'other regions only churn');
  });

  it('hides a dropout from that tick\'s listings only, and keeps it in the truth', () => {
    const w = world({ dropouts: [{ tick: 1, kind: 'ec2.instance', region: REGION, count: 30 }] });
    w.advance();
    const listedLive = (): number => w.list('ec2.instance', ACCOUNT, REGION)
      .filter((r) => r.attrs['state'] !== 'terminated').length;
    const listed1 = listedLive();
    const alive1 = w.alive('ec2.instance', ACCOUNT, REGION).length;
    w.advance();
    const listed2 = listedLive();
    const alive2 = w.alive('ec2.instance', ACCOUNT, REGION).length;
    assert.deepEqual([alive1 - listed1, alive2 - listed2], [30, 0]);
  });

  it('refuses a mass deletion of an unknown kind, naming the key', () => {
    assert.throws(
      () => defaultScenario({
        massDeletions: [{ tick: 1, kind: 'ec2.keypair' as 'ec2.volume', count: 1 }],
      }),
      (err) => err instanceof SimScenarioError && err.key === 'massDeletions[0].kind',
    );
  });
});
