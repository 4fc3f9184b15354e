/**
 * Output of `elava waste`: one section per rule (a table with age and monthly cost), the
 * totals per rule (and per owner or account with `--by`), and under every report the price
 * table's source and date and what the ≥ mark means. With `--json`: one row per item
 * (`section` = the rule), then `section: "total"` rows (`by`: rule, owner or account), then
 * one `section: "prices"` row with the source and date.
 */
import { cut, formatTime, ndjson, table, whole, type Cell } from './format.js';
import { sectionRows, type GroupTotal, type LeftoverWaste, type StoppedResource, type WasteReport } from './waste.js';

export type WasteGrouping = 'rule' | 'owner' | 'account';

const TITLES: Record<string, (w: WasteReport) => string> = {
  'unattached-volume': () => 'Unattached volumes and disks',
  'long-stopped-instance': (w) => `Instances stopped ≥ ${w.stoppedDays} days (cost: their volumes)`,
  'stopped-rds': (w) => `RDS instances stopped ≥ ${w.stoppedDays} days (across AWS's 7-day restarts)`,
  'unassociated-address': (w) => `Elastic IPs unassociated ≥ ${w.idleDays} days`,
  'orphan-snapshot': (w) => `EBS snapshots older than ${w.idleDays} days, volume gone, used by no image`,
  'unused-image': (w) => `AMIs no instance has used for ≥ ${w.idleDays} days (cost: their snapshots)`,
  'orphan-rds-snapshot': () => 'RDS snapshots whose DB instance or cluster is gone',
  'unused-gcp-address': () => 'GCP addresses reserved but unused',
  'orphan-gcp-snapshot': () => 'GCP snapshots whose source disk is gone',
  unowned: () => 'Resources without an owner (not in the totals)',
};

function usd(v: number | null): string {
  return v === null ? '-' : `$${v.toFixed(2)}`;
}

function days(d: number | null, atLeast: boolean): string {
  return d === null ? '-' : `${atLeast ? '≥' : ''}${d}`;
}

function totalRows(w: WasteReport, by: WasteGrouping): GroupTotal[] {
  return by === 'owner' ? w.totals.byOwner : by === 'account' ? w.totals.byAccount : w.totals.byRule;
}

export function formatWaste(w: WasteReport, json: boolean, by: WasteGrouping = 'rule'): string[] {
  if (json) {
    const rows: unknown[] = [];
    for (const [section, items] of sectionRows(w)) for (const item of items) rows.push({ section, ...item });
    for (const t of totalRows(w, by)) rows.push({ section: 'total', by, ...t });
    rows.push({ section: 'total', by: 'all', ...w.totals.all });
    rows.push({ section: 'prices', source: w.prices.source, asOf: w.prices.asOf, currency: 'USD' });
    return ndjson(rows);
  }
  const lines: string[] = [];
  for (const [section, items] of sectionRows(w)) {
    const title = TITLES[section]?.(w) ?? section;
    lines.push(`${title} (${items.length})`);
    if (items.length > 0) lines.push(...sectionTable(section, items as never[]));
    lines.push('');
  }
  const heading = by === 'rule' ? 'RULE' : by.toUpperCase();
  lines.push(`Monthly cost by ${by}`);
  const totals = [...totalRows(w, by), w.totals.all];
  lines.push(...table([heading, 'ITEMS', 'USD/MONTH', 'UNPRICED'], totals.map((t) => [t.group, String(t.items), usd(t.monthlyUsd), String(t.unpriced)])));
  lines.push('');
  lines.push(`ages as of ${formatTime(w.nowMs)}; ≥ marks a lower bound (already so when Elava's history begins)`);
  lines.push(cut(`costs: estimates in USD per month from ${w.prices.source}; as of ${w.prices.asOf}`, 400));
  return lines;
}

function sectionTable(section: string, items: readonly Record<string, unknown>[]): string[] {
  switch (section) {
    case 'unattached-volume':
      return table(['KEY', 'SIZE GiB', 'AGE DAYS', 'USD/MONTH', 'OWNER', 'NAME'], items.map((v) => [
        whole(String(v['key'])), v['sizeGiB'] === null ? '-' : String(v['sizeGiB']),
        days(v['ageDays'] as number | null, v['ageAtLeast'] === true), usd(v['monthlyUsd'] as number | null),
        String(v['owner'] ?? '-'), String(v['name'] ?? '-'),
      ]));
    case 'long-stopped-instance':
    case 'stopped-rds':
      return stoppedTable(items as unknown as StoppedResource[]);
    case 'unowned':
      return table(['KEY', 'STATE', 'AGE DAYS', 'USD/MONTH', 'NAME'], items.map((v) => [
        whole(String(v['key'])), String(v['state'] ?? '-'), days(v['ageDays'] as number | null, v['ageAtLeast'] === true),
        usd(v['monthlyUsd'] as number | null), String(v['name'] ?? '-'),
      ]));
    default:
      return leftoverTable(items as unknown as LeftoverWaste[]);
  }
}

function stoppedTable(items: readonly StoppedResource[]): string[] {
  return table(['KEY', 'STATE', 'STOPPED DAYS', 'SINCE', 'USD/MONTH', 'OWNER', 'NAME'], items.map((v) => [
    whole(v.key), v.state ?? '-',
    days(v.stoppedDays, v.sinceAtLeast) + (v.forcedRestarts ? ` (${v.forcedRestarts} restart${v.forcedRestarts > 1 ? 's' : ''})` : ''),
    formatTime(v.stoppedSinceMs), usd(v.monthlyUsd), v.owner ?? '-', v.name ?? '-',
  ]));
}

function leftoverTable(items: readonly LeftoverWaste[]): string[] {
  const rows: Cell[][] = items.map((v) => [
    whole(v.key), `${v.since} ${days(v.ageDays, v.ageAtLeast)}`, formatTime(v.sinceMs), usd(v.monthlyUsd),
    v.owner ?? '-', v.detail ?? '-',
  ]);
  return table(['KEY', 'SINCE DAYS', 'SINCE', 'USD/MONTH', 'OWNER', 'DETAIL'], rows);
}
