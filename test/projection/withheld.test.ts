/**
 * The withheld projection: what the mass-disappearance guard waits on, folded from the
 * log's scope-scanned events, so it survives restarts (checkpoint or replay). And replay of
 * disappeared events with and without the last record (logs written before it was added).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { builtInProjections, findProjection } from '../../src/projection/builtins.js';
import { Counts } from '../../src/projection/counts.js';
import { CurrentState } from '../../src/projection/current-state.js';
import { isProjectionError } from '../../src/projection/errors.js';
import { WithheldDisappearances } from '../../src/projection/withheld.js';
import type { LogEvent } from '../../src/wal/types.js';

const SCOPE = 'aws/111111111111/us-east-1/ec2.instance';

let sub = 0;
function ev(payload: unknown): LogEvent {
  sub++;
  const location = { segment: 's', offsetBytes: sub * 10 };
  return { kind: 'event', main: sub, sub: 0, timeMs: 0, payload, location };
}

function scanned(status: string, withheld?: string[]): LogEvent {
  const error = status === 'failed' ? { code: 'throttled', message: 'x' } : null;
  const event = { type: 'scope-scanned', scope: SCOPE, status, listed: 1, durationMs: 1, error };
  return ev(withheld === undefined ? event : { ...event, withheld });
}

function held(p: WithheldDisappearances): string[] {
  return [...(p.withheldIn(SCOPE) ?? [])].sort();
}

describe('withheld disappearances projection', () => {
  it('keeps withheld ids through failed listings, drops them at the next complete one', () => {
    // given a suspect listing that withheld i-a, i-b, i-c
    const p = new WithheldDisappearances();
    p.apply(scanned('suspect', ['i-a', 'i-b', 'i-c']));
    // when a failed listing follows, then i-b disappears some other way
    p.apply(scanned('failed'));
    const afterFailed = held(p);
    p.apply(ev({ type: 'disappeared', key: `${SCOPE}/i-b` }));
    const afterGone = held(p);
    // and then a complete listing decides
    p.apply(scanned('complete'));
    // then the ids wait across the failure, lose i-b, and are gone after the complete listing
    assert.deepEqual(afterFailed, ['i-a', 'i-b', 'i-c']);
    assert.deepEqual(afterGone, ['i-a', 'i-c']);
    assert.equal(p.withheldIn(SCOPE), undefined);
    assert.equal(p.size, 0);
  });

  it('round-trips through a snapshot, as a checkpoint carries it across a restart', () => {
    const p = new WithheldDisappearances();
    p.apply(scanned('suspect', ['i-b', 'i-a']));
    const restored = new WithheldDisappearances();
    restored.restore(structuredClone(p.snapshot()));
    assert.deepEqual(held(restored), ['i-a', 'i-b']);
  });

  it('refuses a suspect event without withheld ids and a malformed snapshot', () => {
    const p = new WithheldDisappearances();
    const badEvent = (err: unknown): boolean => isProjectionError(err, 'PROJECTION_BAD_EVENT');
    const badSnapshot = (err: unknown): boolean =>
      isProjectionError(err, 'PROJECTION_BAD_SNAPSHOT');
    assert.throws(() => p.apply(scanned('suspect')), badEvent);
    assert.throws(() => p.restore({ scopes: [{ scope: SCOPE, ids: [1] }] }), badSnapshot);
  });
});

describe('replay of disappeared events', () => {
  const key = `${SCOPE}/i-1`;
  const record = {
    key, provider: 'aws', account: '111111111111', region: 'us-east-1', type: 'ec2.instance',
    id: 'i-1', name: null, state: 'running', owner: null, tags: {}, attrs: {},
  };
  const vectors: Array<[string, Record<string, unknown>]> = [
    ['an old event with only the key', { type: 'disappeared', key }],
    ['a new event carrying the last record',
      { type: 'disappeared', key, record: { ...record, state: 'terminated' } }],
  ];
  for (const [name, payload] of vectors) {
    it(`ends the resource's life for ${name}`, () => {
      // given every built-in projection with the resource live
      const projections = builtInProjections();
      for (const e of [ev({ type: 'appeared', key, record }), ev(payload)]) {
        for (const p of projections) p.apply(e);
      }
      // then it is gone from the current state and the counts
      assert.equal(findProjection(projections, CurrentState)?.get(key), undefined);
      assert.equal(findProjection(projections, Counts)?.live, 0);
    });
  }

  it('refuses a disappeared event whose record is of another key', () => {
    const bad = ev({ type: 'disappeared', key, record: { ...record, key: `${SCOPE}/i-2` } });
    assert.throws(
      () => new CurrentState().apply(bad),
      (err) => isProjectionError(err, 'PROJECTION_BAD_EVENT'),
    );
  });
});
