/**
 * The daemon's detection gives the event loop a turn every DETECT_RECORDS_PER_TURN records
 * or keys: its events must be exactly those of the one-piece detection, on scopes larger
 * than one turn, with churn, a failed scope, a suspect scope, a gone record, a key listed
 * twice.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { detectChanges, detectChangesYielding, type DetectOptions } from '../../src/changes/detect.js';
import { DETECT_RECORDS_PER_TURN } from '../../src/limits.js';
import type { ResourceRecord } from '../../src/model/resource.js';
import type { ScanResult, Scope } from '../../src/model/scope.js';
import { countLoopTurns } from '../helpers/loop-turns.js';
import { instanceRecord } from './fixtures.js';
import { MemoryState } from './memory-state.js';

const scope = (region: string): Scope => ({ provider: 'aws', account: '123456789012', region, type: 'ec2.instance' });
const id = (i: number): string => `i-${i.toString(16).padStart(8, '0')}`;

/** `n` known instances in `region`; the listing: some changed, some missing, some new, one gone, one twice. */
function scenario(region: string, n: number, missingEvery: number): { known: ResourceRecord[]; listed: ResourceRecord[] } {
  const known = Array.from({ length: n }, (_, i) => instanceRecord(region, id(i)));
  const listed: ResourceRecord[] = [];
  for (let i = 0; i < n; i++) {
    if (i % missingEvery === 0) continue;
    listed.push(i % 97 === 1 ? instanceRecord(region, id(i), 'data') : instanceRecord(region, id(i)));
  }
  for (let j = 0; j < 50; j++) listed.push(instanceRecord(region, id(n + j)));
  listed.push({ ...instanceRecord(region, id(3)), state: 'terminated' });
  listed.push(instanceRecord(region, id(5)));
  return { known, listed };
}

describe('detection that yields to the event loop', () => {
  it('gives the events of the one-piece detection, turning the loop between slices', async () => {
    const big = scenario('us-east-1', 2 * DETECT_RECORDS_PER_TURN + 100, 301);
    const suspect = scenario('eu-west-1', 40, 2); // half missing: suspect under the guard
    const failedScope = scenario('us-west-2', 30, 7);
    const state = new MemoryState();
    for (const r of [...big.known, ...suspect.known, ...failedScope.known]) state.records.set(r.key, r);
    const results: ScanResult[] = [
      { scope: scope('us-east-1'), status: 'complete', records: big.listed, durationMs: 5 },
      { scope: scope('eu-west-1'), status: 'complete', records: suspect.listed, durationMs: 5 },
      { scope: scope('us-west-2'), status: 'failed', error: { code: 'throttled', message: 'slow down' }, partialRecords: failedScope.listed.slice(0, 10), durationMs: 5 },
    ];
    const options: DetectOptions = { guard: { share: 0.3, minResources: 10 }, withheldIn: () => undefined };
    const expected = detectChanges(results, state, options);
    const counter = countLoopTurns();
    const events = await detectChangesYielding(results, state, options);
    counter.stop();
    assert.deepEqual(events, expected);
    const kinds = new Set(events.map((e) => (e.type === 'scope-scanned' ? `scope ${e.status}` : e.type)));
    for (const kind of ['scope complete', 'scope suspect', 'scope failed', 'appeared', 'changed', 'disappeared']) assert.ok(kinds.has(kind), `the scenario has ${kind}`);
    // About one turn per DETECT_RECORDS_PER_TURN records and keys looked at: the big scope
    // alone lists ~2 turns' worth and holds as many live keys (small scopes share turns).
    const expectedTurns = Math.floor((big.listed.length + big.known.length) / DETECT_RECORDS_PER_TURN) - 1;
    assert.ok(counter.count >= expectedTurns, `the loop turned ${counter.count} times during detection, ${expectedTurns} expected at least`);
  });
});
