/**
 * Totals of the waste report: rows and monthly USD per rule, per owner and per account.
 * The `unowned` rule is informational (an unowned resource may well be in use) and is left
 * out of every total; so is a row whose cost is unknown (its count is kept apart as
 * `unpriced`, so a total never passes for complete when it is not). A resource in two
 * rules would count twice: the rules are disjoint by construction (volumes, instances,
 * RDS, addresses, snapshots, images each fall under one rule).
 */
import { roundUsd } from '../cost/estimate.js';

export interface GroupTotal {
  /** The rule, owner (`-` for none) or account. */
  group: string;
  items: number;
  monthlyUsd: number;
  /** Rows without a cost estimate, not in `monthlyUsd`. */
  unpriced: number;
}

export interface WasteTotals {
  byRule: GroupTotal[];
  byOwner: GroupTotal[];
  byAccount: GroupTotal[];
  all: GroupTotal;
}

interface Row {
  owner: string | null;
  account: string;
  monthlyUsd: number | null;
}

function add(map: Map<string, GroupTotal>, group: string, row: Row): void {
  let t = map.get(group);
  if (t === undefined) map.set(group, (t = { group, items: 0, monthlyUsd: 0, unpriced: 0 }));
  t.items++;
  if (row.monthlyUsd === null) t.unpriced++;
  else t.monthlyUsd += row.monthlyUsd;
}

function finish(map: Map<string, GroupTotal>, byCost: boolean): GroupTotal[] {
  const out = [...map.values()].map((t) => Object.assign(t, { monthlyUsd: roundUsd(t.monthlyUsd) }));
  if (byCost) out.sort((a, b) => b.monthlyUsd - a.monthlyUsd || (a.group < b.group ? -1 : a.group > b.group ? 1 : 0));
  return out;
}

export function wasteTotals(sections: ReadonlyArray<readonly [string, readonly Row[]]>): WasteTotals {
  const byRule = new Map<string, GroupTotal>();
  const byOwner = new Map<string, GroupTotal>();
  const byAccount = new Map<string, GroupTotal>();
  const all = new Map<string, GroupTotal>();
  for (const [rule, rows] of sections) {
    if (rule === 'unowned') continue;
    byRule.set(rule, { group: rule, items: 0, monthlyUsd: 0, unpriced: 0 });
    for (const row of rows) {
      add(byRule, rule, row);
      add(byOwner, row.owner ?? '-', row);
      add(byAccount, row.account, row);
      add(all, 'all', row);
    }
  }
  return {
    byRule: finish(byRule, false),
    byOwner: finish(byOwner, true),
    byAccount: finish(byAccount, true),
    all: finish(all, false)[0] ?? { group: 'all', items: 0, monthlyUsd: 0, unpriced: 0 },
  };
}
