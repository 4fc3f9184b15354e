import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { detectChanges } from '../../src/changes/detect.js';
import { isChangeEvent, type ElavaEvent, type ScopeScanned } from '../../src/model/events.js';
import type { ResourceRecord } from '../../src/model/resource.js';
import type { ScanResult, Scope } from '../../src/model/scope.js';
import { instanceRecord } from './fixtures.js';
import { MemoryState } from './memory-state.js';

const EAST: Scope = { provider: 'aws', account: '123456789012', region: 'us-east-1', type: 'ec2.instance' };
const WEST: Scope = { provider: 'aws', account: '123456789012', region: 'us-west-2', type: 'ec2.instance' };

function complete(scope: Scope, records: ResourceRecord[]): ScanResult {
  return { scope, status: 'complete', records, durationMs: 1 };
}

function failed(scope: Scope, partialRecords: ResourceRecord[] = []): ScanResult {
  return { scope, status: 'failed', error: { code: 'throttled', message: 'RequestLimitExceeded' }, partialRecords, durationMs: 1 };
}

function stateWith(records: ResourceRecord[]): MemoryState {
  const state = new MemoryState();
  for (const r of records) state.records.set(r.key, r);
  return state;
}

function summary(events: readonly ElavaEvent[]): string[] {
  return events.map((e) => {
    if (e.type === 'scope-scanned') return `scope ${e.scope} ${e.status}`;
    assert.ok(isChangeEvent(e), 'detection emits only scope-scanned and change events');
    return `${e.type} ${e.key}`;
  });
}

describe('detectChanges', () => {
  it('reports a resource missing from a complete scope as disappeared', () => {
    // given a and b known in us-east-1
    const state = stateWith([instanceRecord('us-east-1', 'i-a'), instanceRecord('us-east-1', 'i-b')]);
    // when a complete listing returns only a
    const events = detectChanges([complete(EAST, [instanceRecord('us-east-1', 'i-a')])], state);
    // then b disappeared, nothing else changed
    assert.deepEqual(summary(events), [
      'scope aws/123456789012/us-east-1/ec2.instance complete',
      'disappeared aws/123456789012/us-east-1/ec2.instance/i-b',
    ]);
  });

  it('never reports disappearance from a failed scope, and records the reason', () => {
    // given a and b known in us-east-1
    const state = stateWith([instanceRecord('us-east-1', 'i-a'), instanceRecord('us-east-1', 'i-b')]);
    // when the listing is throttled past its retries after listing nothing
    const events = detectChanges([failed(EAST)], state);
    // then one failed scope-scanned event carries the reason, and no change events follow
    assert.equal(events.length, 1);
    const scanned = events[0] as ScopeScanned;
    assert.equal(scanned.status, 'failed');
    assert.deepEqual(scanned.error, { code: 'throttled', message: 'RequestLimitExceeded' });
    assert.equal(scanned.listed, 0);
  });

  it('still reports appeared and changed for records a failed scope did list', () => {
    const state = stateWith([instanceRecord('us-east-1', 'i-a'), instanceRecord('us-east-1', 'i-b')]);
    const partial = [instanceRecord('us-east-1', 'i-a', 'data'), instanceRecord('us-east-1', 'i-new')];
    const events = detectChanges([failed(EAST, partial)], state);
    assert.deepEqual(summary(events), [
      'scope aws/123456789012/us-east-1/ec2.instance failed',
      'changed aws/123456789012/us-east-1/ec2.instance/i-a',
      'appeared aws/123456789012/us-east-1/ec2.instance/i-new',
    ]);
  });

  it('orders scope events by scope and change events by key, whatever the input order', () => {
    const state = stateWith([instanceRecord('us-west-2', 'i-gone'), instanceRecord('us-east-1', 'i-b')]);
    const results = [
      complete(WEST, [instanceRecord('us-west-2', 'i-z'), instanceRecord('us-west-2', 'i-a')]),
      complete(EAST, [instanceRecord('us-east-1', 'i-c'), instanceRecord('us-east-1', 'i-b', 'sre')]),
    ];
    const forward = detectChanges(results, state);
    const backward = detectChanges([...results].reverse(), state);
    assert.deepEqual(summary(forward), [
      'scope aws/123456789012/us-east-1/ec2.instance complete',
      'scope aws/123456789012/us-west-2/ec2.instance complete',
      'changed aws/123456789012/us-east-1/ec2.instance/i-b',
      'appeared aws/123456789012/us-east-1/ec2.instance/i-c',
      'appeared aws/123456789012/us-west-2/ec2.instance/i-a',
      'disappeared aws/123456789012/us-west-2/ec2.instance/i-gone',
      'appeared aws/123456789012/us-west-2/ec2.instance/i-z',
    ]);
    assert.deepEqual(JSON.stringify(backward), JSON.stringify(forward));
  });

  it('carries the full new record and the field diff in a changed event', () => {
    const state = stateWith([instanceRecord('us-east-1', 'i-a', 'platform')]);
    const after = { ...instanceRecord('us-east-1', 'i-a'), owner: null, tags: {} };
    const events = detectChanges([complete(EAST, [after])], state);
    const change = events[1];
    assert.ok(change?.type === 'changed');
    assert.equal(change.record, after);
    assert.deepEqual(change.diff, [
      { path: 'owner', before: 'platform', after: null },
      { path: 'tags.Owner', before: 'platform', after: null },
    ]);
  });

  it('gives zero change events for an untouched fleet scanned twice', () => {
    // given a fleet recorded by a first scan
    const fleet = (region: string) => Array.from({ length: 50 }, (_, i) => instanceRecord(region, `i-${i}`));
    const state = new MemoryState();
    state.apply(detectChanges([complete(EAST, fleet('us-east-1')), complete(WEST, fleet('us-west-2'))], state));
    assert.equal(state.records.size, 100);
    // when the same fleet is listed again (fresh objects, same values)
    const events = detectChanges([complete(EAST, fleet('us-east-1')), complete(WEST, fleet('us-west-2'))], state);
    // then only the two scope-scanned events come out
    assert.deepEqual(events.map((e) => e.type), ['scope-scanned', 'scope-scanned']);
  });

  it('leaves scopes without a result this cycle alone', () => {
    const state = stateWith([instanceRecord('us-west-2', 'i-w')]);
    const events = detectChanges([complete(EAST, [])], state);
    assert.deepEqual(summary(events), ['scope aws/123456789012/us-east-1/ec2.instance complete']);
  });

  it('does not let a key listed twice hide another key missing from the listing', () => {
    // given a, b and c known: as many live keys as the listing below has entries
    const state = stateWith(['i-a', 'i-b', 'i-c'].map((id) => instanceRecord('us-east-1', id)));
    // when a complete listing returns a twice and b (three entries), but not c
    const a = instanceRecord('us-east-1', 'i-a');
    const events = detectChanges([complete(EAST, [a, { ...a }, instanceRecord('us-east-1', 'i-b')])], state);
    // then c disappeared: the listing counts a once
    assert.deepEqual(summary(events), [
      'scope aws/123456789012/us-east-1/ec2.instance complete',
      'disappeared aws/123456789012/us-east-1/ec2.instance/i-c',
    ]);
  });

  it('does not let a new key in the listing hide a live key missing from it', () => {
    // given a and b known; the listing returns a and a new n (two entries, two live keys)
    const state = stateWith(['i-a', 'i-b'].map((id) => instanceRecord('us-east-1', id)));
    const events = detectChanges([complete(EAST, [instanceRecord('us-east-1', 'i-a'), instanceRecord('us-east-1', 'i-n')])], state);
    assert.deepEqual(summary(events), [
      'scope aws/123456789012/us-east-1/ec2.instance complete',
      'disappeared aws/123456789012/us-east-1/ec2.instance/i-b',
      'appeared aws/123456789012/us-east-1/ec2.instance/i-n',
    ]);
  });

  it('refuses a record filed under the wrong scope', () => {
    assert.throws(() => detectChanges([complete(EAST, [instanceRecord('us-west-2', 'i-w')])], new MemoryState()));
  });
});
