/**
 * Every waste rule on a log with known history (waste-fixture.ts): the rows, the ages (from
 * Elava's history where it saw the moment, else a cloud timestamp marked at least) and
 * the monthly costs, exactly; the totals per rule, owner and account; price overrides.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { loadPriceFile } from '../../src/cost/price-file.js';
import { runQueryCommand } from '../../src/query/commands.js';
import { closeQueryState, openQueryState, type QueryState } from '../../src/query/query-state.js';
import { wasteReport, type LeftoverWaste } from '../../src/query/waste.js';
import { captureIo } from './query-fixture.js';
import { DAY_MS, NOW, T0, W, writeWasteFixture } from './waste-fixture.js';

const rows = (items: readonly LeftoverWaste[]) => items.map((v) => [v.key, v.sinceMs, v.ageDays, v.ageAtLeast, v.monthlyUsd]);

describe('waste rules over a known history', () => {
  let dir: string;
  let state: QueryState;
  before(async () => {
    dir = await writeWasteFixture();
    state = await openQueryState(dir);
  });
  after(() => closeQueryState(state));

  it('ages and prices every rule exactly', () => {
    // when the report is asked 200 days after the first scan, with 30-day thresholds
    const w = wasteReport(state, { stoppedDays: 30, idleDays: 30, nowMs: NOW });
    // an address disassociated 40 days ago (seen), and one never associated (≥ first sight)
    assert.deepEqual(rows(w.unassociatedAddresses), [
      [W.eip2.key, T0, 200, true, 3.65],
      [W.eip1.key, T0 + 160 * DAY_MS, 40, false, 3.65],
    ]);
    // a snapshot whose volume disappeared 80 days ago; snap-img is used by an image
    assert.deepEqual(rows(w.orphanSnapshots), [[W.snap1.key, T0 + 120 * DAY_MS, 80, false, 5]]);
    // an image last used by an instance that disappeared 100 days ago; costs its snapshot
    assert.deepEqual(rows(w.unusedImages), [[W.amiOld.key, T0 + 100 * DAY_MS, 100, false, 0.4]]);
    assert.equal(w.unusedImages[0]?.detail, 'last used by i-old');
    // RDS snapshots: of a DB Elava never saw (≥ its creation), of one gone 30 days ago
    assert.deepEqual(rows(w.orphanRdsSnapshots), [
      [W.snapOld.key, Date.parse('2026-03-01T00:00:00Z'), 292, true, 4.75],
      [W.snapDb1.key, T0 + 170 * DAY_MS, 30, false, 1.9],
    ]);
    // GCP: an internal address never used (free), an external one unused for 40 days
    assert.deepEqual(rows(w.unusedGcpAddresses), [
      [W.ipInt.key, Date.parse('2026-02-01T00:00:00Z'), 320, true, 0],
      [W.ip1.key, T0 + 160 * DAY_MS, 40, false, 7.3],
    ]);
    assert.deepEqual(rows(w.orphanGcpSnapshots), [
      [W.gsnap2.key, Date.parse('2026-04-01T00:00:00Z'), 261, true, 0.1],
      [W.gsnap1.key, T0 + 180 * DAY_MS, 20, false, 0.25],
    ]);
    // a stopped instance costs its volume (gp2 50 GiB)
    assert.deepEqual(w.longStoppedInstances.map((v) => [v.key, v.stoppedSinceMs, v.sinceAtLeast, v.monthlyUsd]), [[W.iStop.key, T0, true, 5]]);
    // a DB stopped across AWS's forced start: 50 days, one restart, 100 GiB gp3
    assert.deepEqual(w.stoppedRds.map((v) => [v.key, v.stoppedSinceMs, v.stoppedDays, v.forcedRestarts, v.monthlyUsd]), [[W.db2.key, T0 + 150 * DAY_MS, 50, 1, 11.5]]);
    assert.deepEqual(w.unattachedVolumes, []);
  });

  it('totals per rule, per owner and per account, unowned left out', () => {
    const t = wasteReport(state, { stoppedDays: 30, idleDays: 30, nowMs: NOW }).totals;
    assert.deepEqual(t.byRule.map((g) => [g.group, g.items, g.monthlyUsd]), [
      ['unattached-volume', 0, 0], ['long-stopped-instance', 1, 5], ['stopped-rds', 1, 11.5],
      ['unassociated-address', 2, 7.3], ['orphan-snapshot', 1, 5], ['unused-image', 1, 0.4],
      ['orphan-rds-snapshot', 2, 6.65], ['unused-gcp-address', 2, 7.3], ['orphan-gcp-snapshot', 2, 0.35],
    ]);
    assert.deepEqual([t.all.items, t.all.monthlyUsd, t.all.unpriced], [12, 43.5, 0]);
    assert.deepEqual(t.byOwner.map((g) => [g.group, g.items, g.monthlyUsd]), [['-', 10, 34.85], ['data', 1, 5], ['web', 1, 3.65]]);
    assert.deepEqual(t.byAccount.map((g) => [g.group, g.items, g.monthlyUsd]), [['123456789012', 8, 35.85], ['proj-1', 4, 7.65]]);
  });

  it('applies the thresholds: idle for 100 days, stopped for 60', () => {
    const w = wasteReport(state, { stoppedDays: 60, idleDays: 100, nowMs: NOW });
    assert.deepEqual(w.unassociatedAddresses.map((v) => v.key), [W.eip2.key], 'eip-1 is 40 days unassociated');
    assert.deepEqual(w.unusedImages.map((v) => v.key), [W.amiOld.key], 'exactly 100 days');
    // the snapshot threshold is on the snapshot's age (213 days), not the orphan's
    assert.deepEqual(w.orphanSnapshots.map((v) => v.key), [W.snap1.key]);
    assert.deepEqual(w.stoppedRds.map((v) => v.key), [], 'db-2 is 50 days stopped');
    assert.deepEqual(w.longStoppedInstances.map((v) => v.key), [W.iStop.key]);
  });

  it('prices from an override file, and names it under the report', async () => {
    const file = path.join(dir, 'prices.json');
    fs.writeFileSync(file, JSON.stringify({ aws: { default: { publicIpv4Hour: 0.01 } } }));
    const prices = loadPriceFile(file);
    const w = wasteReport(state, { stoppedDays: 30, idleDays: 30, nowMs: NOW, prices });
    assert.deepEqual(w.unassociatedAddresses.map((v) => v.monthlyUsd), [7.3, 7.3]);
    assert.match(w.prices.source, /overridden by .*prices\.json/);
    // and a bad file is an error naming the key
    fs.writeFileSync(file, JSON.stringify({ aws: { default: { publicIpv4Huor: 0.01 } } }));
    assert.throws(() => loadPriceFile(file), /unknown key aws\.default\.publicIpv4Huor/);
  });

  it('elava waste --by owner prints totals per owner and the prices under the report', async () => {
    const io = captureIo();
    const code = await runQueryCommand('waste', ['--data-dir', dir, '--now', '2026-12-18T00:00Z', '--by', 'owner'], io);
    assert.equal(code, 0, io.err());
    const out = io.out();
    assert.match(out, /^Elastic IPs unassociated ≥ 30 days \(2\)$/m);
    assert.match(out, /^Monthly cost by owner$/m);
    assert.match(out, /^data\s+1\s+\$5\.00\s+0$/m);
    assert.match(out, /^all\s+12\s+\$43\.50\s+0$/m);
    assert.match(out, /^costs: estimates in USD per month from public list prices .* as of \d{4}-\d{2}-\d{2}$/m);
    const bad = captureIo();
    assert.equal(await runQueryCommand('waste', ['--data-dir', dir, '--by', 'team'], bad), 2);
    assert.match(bad.err(), /--by takes owner, account or rule/);
  });
});
