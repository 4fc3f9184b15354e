/**
 * The scope-status projection (health page): each scope's last listing outcome, and the
 * revision of its last complete listing, folded from scope-scanned events; its snapshot
 * restores to the same state, and a malformed one is refused.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isProjectionError } from '../../src/projection/errors.js';
import { ScopeStatusProjection } from '../../src/projection/scope-status.js';
import type { LogEvent } from '../../src/wal/types.js';

const A = 'aws/111111111111/us-east-1/ec2.instance';
const B = 'gcp/p/us-central1-a/gce.disk';

let main = 0;
function scanned(scope: string, status: 'complete' | 'failed' | 'suspect', withheld?: string[]): LogEvent {
  main++;
  const error = status === 'failed' ? { code: 'throttled', message: 'Rate exceeded' } : null;
  const event = { type: 'scope-scanned', scope, status, listed: main, durationMs: 10 * main, error, ...(withheld ? { withheld } : {}) };
  return { kind: 'event', main, sub: 0, timeMs: 0, payload: event, location: { segment: 's', offsetBytes: main * 8 } };
}

describe('scope-status projection', () => {
  it('keeps each scope\'s last outcome and its last complete revision', () => {
    // given B listed complete, A complete then failed, B suspect
    const p = new ScopeStatusProjection();
    for (const e of [scanned(B, 'complete'), scanned(A, 'complete'), scanned(A, 'failed'), scanned(B, 'suspect', ['d-1', 'd-2'])]) p.apply(e);
    // then
    const [a, b] = p.list();
    assert.deepEqual(a, { scope: A, status: 'failed', listed: 3, durationMs: 30, error: { code: 'throttled', message: 'Rate exceeded' }, withheld: 0, main: 3, lastCompleteMain: 2 });
    assert.deepEqual(b, { scope: B, status: 'suspect', listed: 4, durationMs: 40, error: null, withheld: 2, main: 4, lastCompleteMain: 1 });
    // and a change event leaves it as it was
    p.apply({ kind: 'event', main: 9, sub: 0, timeMs: 0, payload: { type: 'disappeared', key: `${A}/i-1` }, location: { segment: 's', offsetBytes: 0 } });
    assert.deepEqual(p.list(), [a, b]);
  });

  it('restores its snapshot to an equal state, and refuses malformed ones', () => {
    const p = new ScopeStatusProjection();
    p.apply(scanned(A, 'failed'));
    const q = new ScopeStatusProjection();
    q.restore(structuredClone(p.snapshot()));
    assert.deepEqual(q.list(), p.list());
    const good = p.snapshot().scopes[0]!;
    for (const bad of [{}, { scopes: [{ ...good, status: 'fine' }] }, { scopes: [good, good] }, { scopes: [{ ...good, error: 'x' }] }]) {
      assert.throws(() => new ScopeStatusProjection().restore(bad), (err: unknown) => isProjectionError(err, 'PROJECTION_BAD_SNAPSHOT'));
    }
  });
});
