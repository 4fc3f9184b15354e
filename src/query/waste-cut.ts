/**
 * A waste report for a page that cannot show a hundred thousand rows: each rule cut to its
 * N oldest items (sections are oldest first), with the count of each rule in the whole
 * report beside it. The totals (report.totals) are always over the whole report.
 */
import assert from 'node:assert/strict';
import { WASTE_ITEMS_PER_RULE_MAX } from '../limits.js';
import { QueryError } from './errors.js';
import { WASTE_RULES, type WasteReport, type WasteSectionField } from './waste.js';

export type WasteCounts = Record<WasteSectionField, number>;

/** Items per rule in the whole report. */
export function wasteCounts(report: WasteReport): WasteCounts {
  const counts = {} as WasteCounts;
  for (const [, field] of WASTE_RULES) counts[field] = report[field].length;
  return counts;
}

/** The report with each rule cut to its `limit` oldest items. */
export function cutWaste(report: WasteReport, limit: number): WasteReport {
  assert.ok(Number.isSafeInteger(limit) && limit >= 1, 'a positive whole limit');
  const cut = { ...report };
  for (const [, field] of WASTE_RULES) (cut[field] as unknown[]) = report[field].slice(0, limit);
  return cut;
}

export function parseWasteLimit(text: string, option: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || n < 1 || n > WASTE_ITEMS_PER_RULE_MAX) {
    const range = `a whole number from 1 to ${WASTE_ITEMS_PER_RULE_MAX}`;
    throw new QueryError('bad-filter', `${option} needs ${range}, not "${text}"`);
  }
  return n;
}
