/**
 * Terminated means gone: a resource the cloud lists in a state that means it no longer
 * exists (EC2 `terminated`, EBS `deleted`) is reported disappeared at that cycle with its
 * last record, from any scope; later listings of it change nothing. States that only look
 * final (EC2 `shutting-down`, GCE `TERMINATED` = stopped, RDS `deleting`) stay live.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { detectChanges } from '../../src/changes/detect.js';
import { isChangeEvent, type ElavaEvent } from '../../src/model/events.js';
import { isGoneRecord } from '../../src/model/lifecycle.js';
import { resourceKey, type ResourceRecord, type ResourceType } from '../../src/model/resource.js';
import type { ScanResult, Scope } from '../../src/model/scope.js';
import { MemoryState } from './memory-state.js';

const ACCOUNT = '123456789012';

function record(type: ResourceType, id: string, state: string): ResourceRecord {
  const provider = type.startsWith('gce') ? 'gcp' : 'aws';
  const region = provider === 'gcp' ? 'us-central1-a' : 'us-east-1';
  return {
    key: resourceKey(provider, ACCOUNT, region, type, id),
    provider, account: ACCOUNT, region, type, id,
    name: null, state, owner: null, tags: {}, attrs: {},
  };
}

function scopeOf(r: ResourceRecord): Scope {
  return { provider: r.provider, account: r.account, region: r.region, type: r.type };
}

function listing(
  status: 'complete' | 'failed',
  records: ResourceRecord[],
  scope: Scope,
): ScanResult {
  if (status === 'complete') return { scope, status, records, durationMs: 1 };
  const error = { code: 'error-on-page', message: 'page 2 failed' };
  return { scope, status, error, partialRecords: records, durationMs: 1 };
}

function changes(events: readonly ElavaEvent[]): string[] {
  return events.filter(isChangeEvent).map((e) => `${e.type} ${e.key.split('/').at(-1) ?? ''}`);
}

describe('terminated means gone', () => {
  const vectors: Array<{ type: ResourceType; before: string; listed: string; expect: string }> = [
    { type: 'ec2.instance', before: 'running', listed: 'terminated', expect: 'disappeared' },
    { type: 'ec2.instance', before: 'stopped', listed: 'terminated', expect: 'disappeared' },
    { type: 'ec2.instance', before: 'running', listed: 'shutting-down', expect: 'changed' },
    { type: 'ec2.volume', before: 'available', listed: 'deleted', expect: 'disappeared' },
    { type: 'ec2.volume', before: 'available', listed: 'deleting', expect: 'changed' },
    { type: 'rds.instance', before: 'available', listed: 'deleting', expect: 'changed' },
    { type: 'gce.instance', before: 'RUNNING', listed: 'TERMINATED', expect: 'changed' },
    { type: 'gce.disk', before: 'READY', listed: 'DELETING', expect: 'changed' },
  ];
  for (const v of vectors) {
    for (const status of ['complete', 'failed'] as const) {
      it(`${v.type} ${v.before} → listed ${v.listed} in a ${status} scope is ${v.expect}`, () => {
        // given a live resource
        const state = new MemoryState();
        const live = record(v.type, 'r-1', v.before);
        state.records.set(live.key, live);
        // when a listing of that scope shows it in the new state
        const seen = record(v.type, 'r-1', v.listed);
        const events = detectChanges([listing(status, [seen], scopeOf(live))], state);
        // then gone states end its life (from any scope: the cloud said so), others change it
        assert.deepEqual(changes(events), [`${v.expect} r-1`]);
        assert.equal(isGoneRecord(seen), v.expect === 'disappeared');
      });
    }
  }

  it('carries the record listed as terminated in the disappeared event', () => {
    const state = new MemoryState();
    const live = record('ec2.instance', 'i-1', 'running');
    state.records.set(live.key, live);
    const terminated = record('ec2.instance', 'i-1', 'terminated');
    const events = detectChanges([listing('complete', [terminated], scopeOf(live))], state);
    const gone = events.find((e) => e.type === 'disappeared');
    assert.ok(gone?.type === 'disappeared');
    assert.equal(gone.record?.state, 'terminated');
  });

  it('carries the last live record when a resource disappears by absence', () => {
    const state = new MemoryState();
    const live = record('ec2.instance', 'i-1', 'stopped');
    state.records.set(live.key, live);
    const events = detectChanges([listing('complete', [], scopeOf(live))], state);
    const gone = events.find((e) => e.type === 'disappeared');
    assert.ok(gone?.type === 'disappeared');
    assert.deepEqual(gone.record, live);
  });

  it('never resurrects a terminated instance that keeps being listed', () => {
    // given an instance that was running and is then listed terminated for three cycles
    const state = new MemoryState();
    const live = record('ec2.instance', 'i-1', 'running');
    const scope = scopeOf(live);
    state.apply(detectChanges([listing('complete', [live], scope)], state));
    const terminated = record('ec2.instance', 'i-1', 'terminated');
    const perCycle: string[][] = [];
    for (let cycle = 0; cycle < 3; cycle++) {
      // when each cycle lists it terminated
      const events = detectChanges([listing('complete', [terminated], scope)], state);
      state.apply(events);
      perCycle.push(changes(events));
    }
    // then it disappears once and nothing follows
    assert.deepEqual(perCycle, [['disappeared i-1'], [], []]);
    assert.equal(state.records.size, 0);
  });

  it('records nothing for an instance Elava first sees already terminated', () => {
    const state = new MemoryState();
    const terminated = record('ec2.instance', 'i-new', 'terminated');
    const events = detectChanges([listing('complete', [terminated], scopeOf(terminated))], state);
    assert.deepEqual(changes(events), []);
  });
});
