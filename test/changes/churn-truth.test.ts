/**
 * Over 20 ticks of churn in the SIMULATED cloud, one scan cycle per tick, what change
 * detection reports (appeared / changed / disappeared per key and cycle) equals what
 * really happened, including resources recreated under an id seen before.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { detectChanges, UNGUARDED } from '../../src/changes/detect.js';
import { ListingMemory } from '../../src/changes/listing-memory.js';
import { observedBytes, type ScanResult } from '../../src/model/scope.js';
import { MemoryState } from './memory-state.js';
import { startHarness } from '../scan/sim-harness.js';
import { detectedChanges, expectedChanges, linesUnder, simKey, snapshot } from '../scan/truth.js';

const TICKS = 20;

describe('change detection against the simulator ground truth', () => {
  it('reports exactly the real changes over 20 ticks of churn, recreated ids included', async () => {
    // given two accounts and projects (equal ids never collide across them) and steady churn
    const h = await startHarness({
      aws: { accounts: ['111111111111', '222222222222'], regions: ['us-east-1', 'eu-west-1'] },
      gcp: { projects: ['sim-project-a', 'sim-project-b'], zones: ['us-central1-a', 'europe-west1-b'] },
      fleet: { ec2Instances: 30, ec2Volumes: 30, rdsInstances: 8, gceInstances: 20, gceDisks: 20 },
      churn: { appearPerTick: 1, changePerTick: 2, disappearPerTick: 1, recreatePerTick: 1 },
      pageSize: { ec2: 10, rds: 20, gcp: 15 },
    });
    try {
      const state = new MemoryState();
      const memory = new ListingMemory();
      const objectMemory = new ListingMemory(); // the same, on listings stripped of their bytes
      let guessed = 0;
      let sameBytes = 0;
      state.apply(detectChanges(await h.scan(), state, { ...UNGUARDED, memory }));
      let recreatedSeen = 0;
      let changeCount = 0;
      for (let tick = 1; tick <= TICKS; tick++) {
        const before = snapshot(h.cloud);
        h.cloud.advance();
        const recreated = h.cloud.lastChurn().filter((c) => c.action === 'recreated');
        const results = await h.scan();
        assert.deepEqual(results.filter((r) => r.status !== 'complete'), [], `tick ${tick}: all scopes complete`);
        assert.ok(results.every((r) => observedBytes(r) !== undefined), `tick ${tick}: the scanners wrote every listing's bytes`);
        // when the cycle's events are detected (and, the daemon's way, with a memory of the
        // last listings, comparing the scan's bytes; and with a memory but records alone:
        // the same events)
        const events = detectChanges(results, state);
        assert.deepEqual(detectChanges(results, state, { ...UNGUARDED, memory }), events, `tick ${tick}: with the memory`);
        if (tick > 2) guessed += memory.lastDetection.guessed;
        if (tick > 2) sameBytes += memory.lastDetection.sameBytes;
        const recordsOnly = results.map((r) => ({ ...r, bytes: undefined }) as unknown as ScanResult);
        assert.deepEqual(detectChanges(recordsOnly, state, { ...UNGUARDED, memory: objectMemory }), events, `tick ${tick}: records alone`);
        // then they are exactly the net changes of the tick
        const expected = expectedChanges(before, snapshot(h.cloud));
        const detected = detectedChanges(events);
        assert.deepEqual(linesUnder(detected, ['']), linesUnder(expected, ['']), `tick ${tick}`);
        for (const c of recreated) {
          const key = `${c.kind.startsWith('gce') ? 'gcp' : 'aws'}/${c.account}/${c.region}/${c.kind}/${c.id}`;
          assert.equal(detected.get(key), 'appeared', `tick ${tick}: recreated ${key} starts a new life`);
          recreatedSeen++;
        }
        changeCount += detected.size;
        state.apply(events);
      }
      assert.ok(recreatedSeen >= TICKS, `recreations happened and were seen (${recreatedSeen})`);
      assert.ok(changeCount > TICKS * 10, `plenty of churn was checked (${changeCount})`);
      assert.ok(guessed + sameBytes > (TICKS - 2) * 50, `the simulator lists in a steady order: ${guessed} records found by a guess, ${sameBytes} by their bytes`);
      assert.ok(sameBytes > (TICKS - 2) * 200, `most records were found unchanged by their bytes: ${sameBytes}`);
      // and the state built from the events holds the truth's tags for every live resource
      const truth = h.cloud.truth();
      assert.equal(state.records.size, truth.length);
      for (const r of truth) assert.deepEqual(state.get(simKey(r))?.tags, Object.fromEntries(Object.entries(r.tags).sort()));
    } finally {
      await h.close();
    }
  });
});
