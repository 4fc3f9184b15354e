/**
 * `npm run bench -- scan [--json] [--quick]`: change detection alone, in memory.
 *
 * A synthetic EC2 fleet spread over 100 scopes is the current state (the daemon's
 * projections, fed its appeared events; before 2026-12-06 a plain map); a scan cycle lists it
 * again as fresh objects, each written as bytes as it is made (as the scanners do, page by
 * page: src/model/listing-bytes.ts), with 1 % churn: 0.4 % changed (tag or size), 0.3 %
 * gone, 0.3 % new. Timed: `detectChanges` over the whole cycle. Baselines, in the same run:
 * the same detection comparing records by `JSON.stringify` instead of `recordsEqual`, and
 * detection of scans without bytes (every record compared as objects, slots still guessed),
 * alternated with runs with bytes.
 * Each run detects a scan of its own (fresh records, key strings and bytes, as every real
 * cycle has): the first run on its own (code not yet compiled, no memory of a last listing:
 * a daemon's first cycle), and the median of the later ones (a daemon's every other cycle,
 * guessing slots from the listing before and comparing bytes with it, ListingMemory); the
 * median over as many scans where nothing went away (the usual cycle: no scope misses a
 * live key); then once more the way the daemon detects, giving the event loop a turn every
 * few thousand records, with the longest time it held the loop; and, untimed in the rows
 * above, how long making a scan's fresh records, keys and bytes took, and the records
 * alone (a normalizer's work), and what the memory of the last listings holds; `--quick`
 * skips the 1 M fleet.
 */
import assert from 'node:assert/strict';
import { detectChanges, detectChangesYielding, UNGUARDED, type CurrentStateView, type DetectOptions } from '../src/changes/detect.js';
import { ListingMemory } from '../src/changes/listing-memory.js';
import { ListingBytes, pooledListingBytes } from '../src/model/listing-bytes.js';
import { recordsEqual } from '../src/changes/record-equal.js';
import { resourceKey, type ResourceKey, type ResourceRecord } from '../src/model/resource.js';
import { scopePrefix, type ScanResult, type Scope } from '../src/model/scope.js';
import { currentStateView } from '../src/daemon/scope-view.js';
import { CurrentState } from '../src/projection/current-state.js';
import { KeyIndexProjection } from '../src/projection/key-index-projection.js';
import type { LogEvent } from '../src/wal/types.js';
import { watchEventLoop } from './loop-watch.js';
import { median, Report } from './report.js';

const SCOPES = 100;
const RUNS = 5;

export async function runScanBench(args: string[]): Promise<void> {
  const report = new Report('scan', args.includes('--json'));
  const fleets = args.includes('--quick') ? [1_000, 100_000] : [1_000, 100_000, 1_000_000];
  for (const fleet of fleets) await benchFleet(report, fleet);
  report.finish();
}

export async function benchFleet(report: Report, fleet: number): Promise<void> {
  const state = buildState(fleet);
  // As a daemon does: each detection remembers the listings for the next one's guesses.
  const options: DetectOptions = { ...UNGUARDED, memory: new ListingMemory() };
  let results = scanCycle(state, fleet);
  const params = { fleet, churnPct: 1 };
  const runs = fleet >= 1_000_000 ? 3 : RUNS;
  const detectMs: number[] = [];
  const makeMs: number[] = [];
  let eventCount = 0;
  for (let i = 0; i < runs; i++) {
    // Each run gets a scan of its own, as each cycle does: new records, new key strings
    // (not yet hashed), new bytes. Only the first run also meets code the JIT has not
    // compiled yet, and a memory with nothing in it.
    if (i > 0) {
      const m0 = performance.now();
      results = scanCycle(state, fleet);
      makeMs.push(performance.now() - m0);
    }
    const started = performance.now();
    eventCount = detectChanges(results, state, options).length;
    detectMs.push(performance.now() - started);
  }
  const sameBytes = options.memory?.lastDetection.sameBytes ?? 0;
  // The same detection on scans without bytes: every record compared as objects, in a
  // memory of its own (slots still guessed), alternated with runs with bytes.
  const objectOptions: DetectOptions = { ...UNGUARDED, memory: new ListingMemory() };
  detectChanges(scanCycle(state, fleet, true, false), state, objectOptions); // its first cycle
  const objectMs: number[] = [];
  const makeObjectsMs: number[] = [];
  const bytesAgainMs: number[] = [];
  for (let i = 0; i < runs; i++) {
    const m0 = performance.now();
    const plain = scanCycle(state, fleet, true, false);
    makeObjectsMs.push(performance.now() - m0);
    const o0 = performance.now();
    assert.equal(detectChanges(plain, state, objectOptions).length, eventCount, 'with or without bytes, the same changes');
    objectMs.push(performance.now() - o0);
    const withBytes = scanCycle(state, fleet);
    const b0 = performance.now();
    detectChanges(withBytes, state, options);
    bytesAgainMs.push(performance.now() - b0);
  }
  const baselineMs: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    jsonCompareBaseline(results, state);
    baselineMs.push(performance.now() - started);
  }
  // The daemon's way: the same detection giving the event loop a turn every
  // DETECT_RECORDS_PER_TURN records, on a scan of its own; how long it held the loop at most.
  results = scanCycle(state, fleet);
  const watch = watchEventLoop();
  const y0 = performance.now();
  const yieldingEvents = (await detectChangesYielding(results, state, options)).length;
  const yieldingMs = performance.now() - y0;
  const held = watch.stop();
  assert.equal(yieldingEvents, eventCount, 'both detections find the same changes');
  // The usual cycle: things changed, nothing went away (no scope misses a live key).
  const keptMs: number[] = [];
  let keptEvents = 0;
  for (let i = 0; i < runs; i++) {
    const kept = scanCycle(state, fleet, false);
    const k0 = performance.now();
    keptEvents = detectChanges(kept, state, options).length;
    keptMs.push(performance.now() - k0);
  }
  const ms = median(detectMs.slice(1));
  // Every run meets a fresh scan's key strings (V8 hashes each string once); the first also
  // runs code not yet compiled (a daemon's first cycle).
  report.add('detect first run (cold code, fresh keys, nothing remembered)', params, detectMs[0] ?? Number.NaN, 'ms');
  report.add('detect (fresh keys, warm code: median of later runs)', params, ms, 'ms');
  report.add('detect', params, (fleet / ms) * 1000, 'records/s');
  report.add('records found unchanged by their bytes (last warm run)', params, sameBytes, 'records');
  report.add('events', params, eventCount, 'events');
  report.add('detect, alternated: with bytes (median)', params, median(bytesAgainMs), 'ms');
  report.add('detect, alternated: scans without bytes, objects compared (median)', params, median(objectMs), 'ms');
  report.add('baseline json-compare', params, median(baselineMs), 'ms');
  // Not part of detection: making the scan's records and keys, and their bytes (a
  // normalizer's work), so that cost moved from detection into the making shows.
  report.add('making a scan\'s records and their bytes (median)', params, median(makeMs), 'ms');
  report.add('making a scan\'s records only (median)', params, median(makeObjectsMs), 'ms');
  report.add('detect, nothing gone (fresh keys, warm code: median)', { fleet, events: keptEvents }, median(keptMs), 'ms');
  report.add('detect yielding to the event loop (as the daemon does)', params, yieldingMs, 'ms');
  report.add('detect yielding: longest event-loop gap (10 ms timer)', params, held.longestGapMs, 'ms');
  report.add('listing memory held (orders, marks, bytes, proofs)', params, (options.memory?.heldBytes ?? 0) / 2 ** 20, 'MiB');
  report.add('listing bytes pooled for the next scan', params, pooledListingBytes() / 2 ** 20, 'MiB');
  report.add('heap used', params, process.memoryUsage().heapUsed / 2 ** 20, 'MiB');
}

/**
 * The current state as the daemon holds it: the current-state and key-index projections,
 * fed the fleet's appeared events, seen through the daemon's view (scope-view.ts).
 */
interface BenchState extends CurrentStateView {
  get(key: ResourceKey): ResourceRecord | undefined;
  readonly size: number;
}

function scopeOf(i: number): Scope {
  return { provider: 'aws', account: '123456789012', region: `r${i % SCOPES}`, type: 'ec2.instance' };
}

function record(i: number, size = 't3.micro', owner = 'platform'): ResourceRecord {
  const scope = scopeOf(i);
  const id = `i-${i.toString(16).padStart(17, '0')}`;
  return {
    key: resourceKey('aws', scope.account, scope.region, 'ec2.instance', id),
    provider: 'aws',
    account: scope.account,
    region: scope.region,
    type: 'ec2.instance',
    id,
    name: `web-${i}`,
    state: 'running',
    owner,
    tags: { Name: `web-${i}`, Owner: owner, env: 'prod' },
    attrs: { availabilityZone: `${scope.region}a`, imageId: 'ami-1', instanceType: size, privateIp: '10.0.0.1', spot: false },
  };
}

function buildState(fleet: number): BenchState {
  const keys = new KeyIndexProjection();
  const current = new CurrentState(keys); // by the index's slots, as builtInProjections builds it
  for (let i = 0; i < fleet; i++) {
    const r = record(i);
    const log: LogEvent = { kind: 'event', main: i + 1, sub: 0, timeMs: 0, payload: { type: 'appeared', key: r.key, record: r }, location: { segment: 'bench', offsetBytes: i } };
    keys.apply(log); // first, as the Store applies them: it hands the key string on (adoptKeyString)
    current.apply(log);
  }
  return Object.assign(currentStateView([keys, current]), {
    get: (key: ResourceKey) => current.get(key),
    get size() {
      return current.size;
    },
  });
}

/**
 * Every scope complete; fresh record objects, each written as bytes as it is made (as the
 * scanners do, page by page) unless not `withBytes`; 0.4 % changed, 0.3 % gone (unless not
 * `gone`), 0.3 % new.
 */
function scanCycle(state: BenchState, fleet: number, gone = true, withBytes = true): ScanResult[] {
  const perScope = new Map<string, { records: ResourceRecord[]; bytes: ListingBytes }>();
  const push = (i: number, r: ResourceRecord) => {
    const prefix = scopePrefix(scopeOf(i));
    let listing = perScope.get(prefix);
    if (listing === undefined) perScope.set(prefix, (listing = { records: [], bytes: new ListingBytes() }));
    listing.records.push(r);
    if (withBytes) listing.bytes.append(r);
  };
  for (let i = 0; i < fleet; i++) {
    const roll = i % 1000;
    if (roll < 3 && gone) continue; // disappeared
    push(i, roll < 5 ? record(i, 'm6i.large') : roll < 7 ? record(i, 't3.micro', 'data') : record(i));
  }
  const appear = Math.max(1, Math.round(fleet * 0.003));
  for (let j = 0; j < appear; j++) push(fleet + j, record(fleet + j));
  const results: ScanResult[] = [];
  for (let s = 0; s < SCOPES; s++) {
    const scope = scopeOf(s);
    const listing = perScope.get(scopePrefix(scope));
    const records = listing?.records ?? [];
    results.push(withBytes ? { scope, status: 'complete', records, bytes: listing?.bytes, durationMs: 0 } : { scope, status: 'complete', records, durationMs: 0 });
  }
  assert.equal(state.size, fleet);
  return results;
}

/** What detection would cost comparing records as JSON text (the obvious approach). */
function jsonCompareBaseline(results: readonly ScanResult[], state: BenchState): number {
  let changed = 0;
  for (const result of results) {
    if (result.status !== 'complete') continue;
    for (const r of result.records) {
      const before = state.get(r.key);
      if (before !== undefined && JSON.stringify(before) !== JSON.stringify(r)) changed++;
    }
  }
  // keep the two comparisons honest with each other
  let fast = 0;
  for (const result of results) {
    if (result.status !== 'complete') continue;
    for (const r of result.records.slice(0, 100)) {
      const before = state.get(r.key);
      if (before !== undefined && !recordsEqual(before, r)) fast++;
    }
  }
  assert.ok(fast <= changed);
  return changed;
}
