/**
 * The fault-test pattern of the scanners against the SIMULATED cloud: a clean scan at
 * tick 0 records the fleet; the simulator advances one tick of churn (some resources
 * really disappear); the faults fire on tick 1 only. Then failed scopes must yield no
 * `disappeared`, and complete scopes must match the truth — both asserted here.
 */
import assert from 'node:assert/strict';
import { detectChanges } from '../../src/changes/detect.js';
import type { ElavaEvent } from '../../src/model/events.js';
import type { SimFault, SimScenario } from '../../src/sim/scenario.js';
import { scopePrefix, scopeString, type ScanResult } from '../../src/model/scope.js';
import { MemoryState } from '../changes/memory-state.js';
import { BASE_TYPES, startHarness, type HarnessTypes } from './sim-harness.js';
import { detectedChanges, expectedChanges, linesUnder, snapshot } from './truth.js';

export interface FaultyCycle {
  results: ScanResult[];
  events: ElavaEvent[];
  failed: ScanResult[];
  /** Disappearances that really happened in the failed scopes during the tick. */
  sparedCount: number;
}

export async function cleanThenFaulty(
  faults: SimFault[],
  scenario: Partial<SimScenario> = {},
  types: HarnessTypes = BASE_TYPES,
): Promise<FaultyCycle> {
  const h = await startHarness({ ...scenario, faults }, 3, types);
  try {
    const state = new MemoryState();
    const first = await h.scan();
    assert.ok(
      first.every((r) => r.status === 'complete'),
      'tick 0 is clean',
    );
    state.apply(detectChanges(first, state));
    const before = snapshot(h.cloud);
    h.cloud.advance();
    const results = await h.scan();
    const events = detectChanges(results, state);
    const expected = expectedChanges(before, snapshot(h.cloud));
    const detected = detectedChanges(events);
    const failed = results.filter((r) => r.status === 'failed');
    const failedPrefixes = failed.map((r) => scopePrefix(r.scope));
    const completePrefixes = results
      .filter((r) => r.status === 'complete')
      .map((r) => scopePrefix(r.scope));
    // complete scopes: exactly the truth
    assert.deepEqual(
      linesUnder(detected, completePrefixes),
      linesUnder(expected, completePrefixes),
    );
    // failed scopes: never a disappearance
    assert.deepEqual(
      linesUnder(detected, failedPrefixes).filter((l) => l.startsWith('disappeared')),
      [],
    );
    const sparedCount = linesUnder(expected, failedPrefixes).filter((l) =>
      l.startsWith('disappeared'),
    ).length;
    return { results, events, failed, sparedCount };
  } finally {
    await h.close();
  }
}

/** `scope code` for each failed scope, sorted by scope. */
export function failedScopes(cycle: FaultyCycle): string[] {
  return cycle.failed.map(
    (r) => `${scopeString(r.scope)} ${r.status === 'failed' ? r.error.code : ''}`,
  );
}
