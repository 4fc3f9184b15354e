import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runQueryCommand } from '../../src/query/commands.js';
import { isQueryError } from '../../src/query/errors.js';
import { resolvePoint } from '../../src/query/point.js';
import { fleetAt, getResource, resourceHistory } from '../../src/query/queries.js';
import { closeQueryState, openQueryState, type QueryState } from '../../src/query/query-state.js';
import { captureIo, HOUR_MS, KEYS, R, T0, writeFixture, type FixtureLog } from './query-fixture.js';

describe('queries after compaction at revision 4 (oldest segments deleted)', () => {
  let log: FixtureLog;
  let state: QueryState;
  let volASegment: string;
  before(async () => {
    log = await writeFixture(4096, 2500);
    const live = await openQueryState(log.dir);
    volASegment = live.index.get(KEYS.volA, 3)?.location.segment ?? '';
    closeQueryState(live);
    const result = await log.store.compact(4);
    assert.ok(result.finished && result.segmentsDeleted.includes(volASegment), `vol-a's revision 3 sat in a deleted segment (${volASegment})`);
    await log.store.close();
    state = await openQueryState(log.dir);
  });
  after(() => closeQueryState(state));

  it('knows the compaction point', () => {
    assert.equal(state.compactedMain, 4);
    assert.ok(!fs.existsSync(path.join(log.dir, volASegment)));
  });

  it('reads a kept revision whose segment is gone from the compaction base', () => {
    const h = resourceHistory(state, KEYS.volA);
    assert.deepEqual(h.map((e) => [e.kind, e.main]), [['changed', 3]]);
    assert.deepEqual(h[0]?.record, R.volA3);
    assert.deepEqual(getResource(state, KEYS.volA, 4).record, R.volA3);
    assert.ok(fleetAt(state, 4).some((r) => r.key === KEYS.volA));
  });

  it('keeps the history after the compaction point', () => {
    assert.deepEqual(resourceHistory(state, KEYS.i1).map((e) => [e.kind, e.main, e.sub]), [['appeared', 5, 3]]);
  });

  it('reports revisions and times below the compaction point as compacted', () => {
    assert.throws(() => resolvePoint(state, '2'), (e) => isQueryError(e, 'compacted'));
    assert.throws(() => resolvePoint(state, '2026-11-20T01:00Z'), (e) => isQueryError(e, 'compacted'));
    assert.equal(resolvePoint(state, new Date(T0 + 4 * HOUR_MS + 1).toISOString()), 5);
  });

  it('exits 5 for a compacted point on the command line', async () => {
    const io = captureIo();
    assert.equal(await runQueryCommand('at', ['2', '--data-dir', log.dir], io), 5);
    assert.match(io.err(), /^elava at: revision 2 is below the compaction point 4/);
    assert.equal(io.err().split('\n').length, 2, 'one line');
  });
});
