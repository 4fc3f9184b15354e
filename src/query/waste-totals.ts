/**
 * The waste report summed by owner or by account (what the console's waste page and
 * `elava waste --by` show), and a report cut to the N oldest items of each rule for a page
 * that cannot show a hundred thousand rows. Totals are always over the whole report.
 */
import assert from 'node:assert/strict';
import { WASTE_ITEMS_PER_RULE_MAX } from '../limits.js';
import { QueryError } from './errors.js';
import type { WasteReport } from './waste.js';

export type WasteGrouping = 'owner' | 'account';

export interface WasteTotals {
  /** The owner (`(unowned)` for none) or `provider/account`. */
  group: string;
  unattachedVolumes: number;
  unattachedGiB: number;
  longStoppedInstances: number;
  stoppedRds: number;
  unowned: number;
}

export interface WasteCounts {
  unattachedVolumes: number;
  longStoppedInstances: number;
  stoppedRds: number;
  unowned: number;
}

/** Totals per group, most unattached GiB first, then by group; an `all` row last. */
export function wasteTotals(report: WasteReport, by: WasteGrouping): WasteTotals[] {
  const groups = new Map<string, WasteTotals>();
  const row = (group: string): WasteTotals => {
    let t = groups.get(group);
    if (t === undefined) groups.set(group, (t = emptyTotals(group)));
    return t;
  };
  const groupOf = (item: { owner: string | null; key: string }): string =>
    (by === 'owner' ? (item.owner ?? '(unowned)') : item.key.split('/', 2).join('/'));
  for (const v of report.unattachedVolumes) {
    const t = row(groupOf(v));
    t.unattachedVolumes++;
    t.unattachedGiB += v.sizeGiB ?? 0;
  }
  for (const section of ['longStoppedInstances', 'stoppedRds', 'unowned'] as const) {
    for (const item of report[section]) row(groupOf(item))[section]++;
  }
  const rows = [...groups.values()]
    .sort((a, b) => b.unattachedGiB - a.unattachedGiB || (a.group < b.group ? -1 : 1));
  const all = emptyTotals('all');
  for (const r of rows) {
    all.unattachedVolumes += r.unattachedVolumes;
    all.unattachedGiB += r.unattachedGiB;
    all.longStoppedInstances += r.longStoppedInstances;
    all.stoppedRds += r.stoppedRds;
    all.unowned += r.unowned;
  }
  return [...rows, all];
}

/** Items per rule in the whole report. */
export function wasteCounts(report: WasteReport): WasteCounts {
  return {
    unattachedVolumes: report.unattachedVolumes.length,
    longStoppedInstances: report.longStoppedInstances.length,
    stoppedRds: report.stoppedRds.length,
    unowned: report.unowned.length,
  };
}

/** The report with each rule cut to its `limit` oldest items (sections are oldest first). */
export function cutWaste(report: WasteReport, limit: number): WasteReport {
  assert.ok(Number.isSafeInteger(limit) && limit >= 1);
  return {
    ...report,
    unattachedVolumes: report.unattachedVolumes.slice(0, limit),
    longStoppedInstances: report.longStoppedInstances.slice(0, limit),
    stoppedRds: report.stoppedRds.slice(0, limit),
    unowned: report.unowned.slice(0, limit),
  };
}

export function parseWasteLimit(text: string, option: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || n < 1 || n > WASTE_ITEMS_PER_RULE_MAX) {
    const range = `a whole number from 1 to ${WASTE_ITEMS_PER_RULE_MAX}`;
    throw new QueryError('bad-filter', `${option} needs ${range}, not "${text}"`);
  }
  return n;
}

export function parseGrouping(text: string, option: string): WasteGrouping {
  if (text !== 'owner' && text !== 'account') {
    throw new QueryError('bad-filter', `${option} is owner or account, not "${text}"`);
  }
  return text;
}

function emptyTotals(group: string): WasteTotals {
  return { group, unattachedVolumes: 0, unattachedGiB: 0, longStoppedInstances: 0, stoppedRds: 0, unowned: 0 };
}
