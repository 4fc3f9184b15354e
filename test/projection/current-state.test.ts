import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ResourceRecord } from '../../src/model/resource.js';
import { ConditionSince } from '../../src/projection/condition-since.js';
import { Counts } from '../../src/projection/counts.js';
import { CurrentState } from '../../src/projection/current-state.js';
import { isProjectionError } from '../../src/projection/errors.js';
import { KeyIndexProjection } from '../../src/projection/key-index-projection.js';
import type { ResourceFilter } from '../../src/projection/resource-filter.js';
import { scopePrefix } from '../../src/projection/resource-filter.js';
import type { LogEvent } from '../../src/wal/types.js';

function record(key: string, over: Partial<ResourceRecord>): ResourceRecord {
  const [provider, account, region, type, id] = key.split('/') as [string, string, string, string, string];
  return {
    key, provider: provider as ResourceRecord['provider'], account, region, type: type as ResourceRecord['type'], id,
    name: null, state: 'running', owner: null, tags: {}, attrs: {}, ...over,
  };
}

const VOL_A = record('aws/111/us-east-1/ec2.volume/vol-a', { state: 'available', owner: 'team-a', tags: { Owner: 'team-a' } });
const VOL_B = record('aws/111/us-east-1/ec2.volume/vol-b', { state: 'in-use', owner: null, tags: {} });
const VM_1 = record('aws/222/eu-west-1/ec2.instance/i-1', { state: 'stopped', owner: 'team-b', tags: { Owner: 'team-b', env: 'dev' } });
const VM_2 = record('gcp/proj/europe-west1-b/gce.instance/77', { state: 'running', owner: 'team-a', tags: { env: 'prod', Owner: 'team-a' } });

let sub = 0;
function ev(payload: unknown): LogEvent {
  sub++;
  return { kind: 'event', main: 1, sub, timeMs: 0, payload, location: { segment: 's', offsetBytes: sub * 10 } };
}

/** Given four resources appeared, VM_1 changed to running then back, and VOL_B gone then back. */
function given(): [CurrentState, Counts] {
  sub = 0;
  const state = new CurrentState();
  const counts = new Counts();
  const events = [
    ...[VOL_A, VOL_B, VM_1, VM_2].map((r) => ev({ type: 'appeared', key: r.key, record: r })),
    ev({ type: 'changed', key: VM_1.key, record: { ...VM_1, state: 'running' }, diff: [] }),
    ev({ type: 'changed', key: VM_1.key, record: VM_1, diff: [] }),
    ev({ type: 'disappeared', key: VOL_B.key }),
    ev({ type: 'appeared', key: VOL_B.key, record: VOL_B }),
    ev({ type: 'scope-scanned', scope: 'aws/111/us-east-1/ec2.volume', status: 'failed', listed: 1, durationMs: 3, error: { code: 'throttled', message: 'x' } }),
  ];
  for (const e of events) {
    state.apply(e);
    counts.apply(e);
  }
  return [state, counts];
}

describe('current state: filters', () => {
  const vectors: Array<[string, ResourceFilter, ResourceRecord[]]> = [
    ['everything, in key order', {}, [VOL_A, VOL_B, VM_1, VM_2]],
    ['by type', { type: 'ec2.volume' }, [VOL_A, VOL_B]],
    ['by owner', { owner: 'team-a' }, [VOL_A, VM_2]],
    ['unowned (owner null)', { owner: null }, [VOL_B]],
    ['by tag key', { tag: { key: 'env' } }, [VM_1, VM_2]],
    ['by tag key and value', { tag: { key: 'env', value: 'prod' } }, [VM_2]],
    ['untagged', { untagged: true }, [VOL_B]],
    ['by state', { state: 'stopped' }, [VM_1]],
    ['by provider', { keyPrefix: scopePrefix('gcp') }, [VM_2]],
    ['by account', { keyPrefix: scopePrefix('aws', '222') }, [VM_1]],
    ['by region and type together', { keyPrefix: scopePrefix('aws', '111', 'us-east-1'), state: 'available' }, [VOL_A]],
  ];
  for (const [name, filter, want] of vectors) {
    it(`lists live resources ${name}`, () => {
      assert.deepEqual(given()[0].list(filter).map((r) => r.key), want.map((r) => r.key));
    });
  }

  it('keeps the latest record of a changed resource', () => {
    assert.equal(given()[0].get(VM_1.key)?.state, 'stopped');
  });
});

describe('current state: live keys per scope', () => {
  const EAST_VOLUMES = 'aws/111/us-east-1/ec2.volume/';
  it('counts each scope the first time asked, then follows appeared and disappeared', () => {
    const [state] = given();
    assert.equal(state.liveInScope(EAST_VOLUMES), 2);
    assert.equal(state.liveInScope('aws/222/eu-west-1/ec2.instance/'), 1);
    assert.equal(state.liveInScope('aws/111/us-east-1/ec2.instance/'), 0);
    // an id with "/" in it still belongs to its scope (scope parts hold none)
    const slashed = record('gcp/proj/europe-west1-b/gce.instance/77', {});
    slashed.key = 'gcp/proj/europe-west1-b/gce.instance/a/b';
    state.apply(ev({ type: 'appeared', key: slashed.key, record: slashed }));
    assert.equal(state.liveInScope('gcp/proj/europe-west1-b/gce.instance/'), 2);
    state.apply(ev({ type: 'disappeared', key: VOL_A.key }));
    state.apply(ev({ type: 'disappeared', key: VOL_A.key })); // not live: no change
    state.apply(ev({ type: 'changed', key: VOL_B.key, record: { ...VOL_B, state: 'available' }, diff: [] }));
    assert.equal(state.liveInScope(EAST_VOLUMES), 1);
    // and a restore starts the count again from what it holds
    const restored = new CurrentState();
    restored.restore(state.snapshot());
    assert.equal(restored.liveInScope(EAST_VOLUMES), 1);
    for (const prefix of [EAST_VOLUMES, 'gcp/proj/europe-west1-b/gce.instance/', 'aws/222/eu-west-1/ec2.instance/']) {
      const keys = state.list().filter((r) => r.key.startsWith(prefix)).length;
      assert.equal(state.liveInScope(prefix), keys, prefix);
    }
  });
});

describe('current state: ids kept as a part of the key', () => {
  it('keeps each record equal to the one applied or restored, an id its key does not end in too', () => {
    sub = 0;
    const state = new CurrentState();
    const long = record('aws/111/us-east-1/ec2.instance/i-0123456789abcdef0', {}); // an id of 19 characters
    const odd = { ...record('aws/111/us-east-1/ec2.instance/i-odd', {}), id: 'not-the-key-tail-at-all' };
    for (const r of [long, odd]) state.apply(ev({ type: 'appeared', key: r.key, record: structuredClone(r) }));
    state.apply(ev({ type: 'changed', key: long.key, record: { ...structuredClone(long), state: 'stopped' }, diff: [] }));
    assert.deepEqual(state.get(long.key), { ...long, state: 'stopped' });
    assert.deepEqual(state.get(odd.key), odd);
    const restored = new CurrentState();
    restored.restore(structuredClone(state.snapshot()));
    assert.deepEqual(restored.snapshot(), state.snapshot());
  });
});

describe('counts', () => {
  it('counts live resources per type and per owner, unowned under null', () => {
    const counts = given()[1];
    assert.deepEqual([...counts.liveByType()], [['ec2.instance', 1], ['ec2.volume', 2], ['gce.instance', 1]]);
    const byOwner: Array<[string | null, number]> = [[null, 1], ['team-a', 2], ['team-b', 1]];
    assert.deepEqual([...counts.liveByOwner()], byOwner);
    assert.equal(counts.live, 4);
  });

  it('counts changes by kind and scope outcomes', () => {
    assert.deepEqual(given()[1].changesByKind(), { appeared: 5, changed: 2, disappeared: 1, scopesComplete: 0, scopesFailed: 1 });
  });
});

describe('projections: restore refuses malformed snapshots', () => {
  const vectors: Array<[string, () => { restore(d: unknown): void }, unknown]> = [
    ['current state without records', () => new CurrentState(), { nope: 1 }],
    ['current state with a duplicate key', () => new CurrentState(), { records: [VOL_A, VOL_A] }],
    ['counts with a key pointing at no bucket', () => new Counts(), { buckets: [], keys: ['k'], bucketOfKey: [0], changes: { appeared: 0, changed: 0, disappeared: 0, scopesComplete: 0, scopesFailed: 0 } }],
    ['counts with a duplicate key', () => new Counts(), { buckets: [{ type: 'ebs.volume', owner: null }], keys: ['k', 'k'], bucketOfKey: [0, 0], changes: { appeared: 0, changed: 0, disappeared: 0, scopesComplete: 0, scopesFailed: 0 } }],
    ['condition ages with a duplicate key', () => new ConditionSince(), { keys: ['k', 'k'], mains: [3, 4], firstSight: [0, 1] }],
    ['key index of the wrong format', () => new KeyIndexProjection(), { format: 2 }],
  ];
  for (const [name, make, data] of vectors) {
    it(`throws PROJECTION_BAD_SNAPSHOT for ${name}`, () => {
      assert.throws(() => make().restore(data), (err: unknown) => isProjectionError(err, 'PROJECTION_BAD_SNAPSHOT'));
    });
  }
});
