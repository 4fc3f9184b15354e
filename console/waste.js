// Waste: every rule of `elava waste` with ages (from Elava's own history; ≥ marks a lower
// bound) and an estimated monthly cost per item from the repository's list-price table,
// with totals by rule, owner or account over the whole report (rows shown are capped).
import { api } from './api.js';
import { field, filterForm, h, link, replace, table, time } from './dom.js';

/** Rows shown per rule; the counts and totals cover every item. */
const ROWS_SHOWN_MAX = 500;

const RULES = [
  ['unattachedVolumes', 'Unattached volumes'],
  ['longStoppedInstances', 'Long-stopped instances'],
  ['stoppedRds', 'Stopped RDS instances'],
  ['unassociatedAddresses', 'Unassociated Elastic IPs'],
  ['orphanSnapshots', 'EBS snapshots of gone volumes'],
  ['unusedImages', 'Unused AMIs'],
  ['orphanRdsSnapshots', 'RDS snapshots of gone databases'],
  ['unusedGcpAddresses', 'Unused GCP addresses'],
  ['orphanGcpSnapshots', 'GCP snapshots of gone disks'],
  ['unowned', 'Resources without an owner (not in the totals)'],
];

const usd = (v) => (v === null || v === undefined ? '-' : `$${Number(v).toFixed(2)}`);

/** An item's age in days and whether it is a lower bound, whatever the rule calls it. */
function age(v) {
  const d = v.ageDays ?? v.stoppedDays ?? null;
  const atLeast = v.ageAtLeast ?? v.sinceAtLeast ?? false;
  return d === null ? '-' : `${atLeast ? '≥' : ''}${d}`;
}

function since(v) {
  return time(v.unattachedSinceMs ?? v.stoppedSinceMs ?? v.sinceMs ?? v.firstSeenMs ?? null);
}

export async function renderWaste(main, params) {
  const stoppedDays = params.get('stoppedDays') ?? '30';
  const idleDays = params.get('idleDays') ?? '30';
  const groupBy = ['owner', 'account'].includes(params.get('groupBy')) ? params.get('groupBy') : 'rule';
  const w = await api('waste', { stoppedDays, idleDays, limit: ROWS_SHOWN_MAX });
  const groups = { rule: w.totals.byRule, owner: w.totals.byOwner, account: w.totals.byAccount }[groupBy];
  replace(main,
    h('h1', null, 'Waste'),
    filterForm('waste', [
      field('stopped at least (days)', 'stoppedDays', params),
      field('idle at least (days)', 'idleDays', params),
      field('totals by', 'groupBy', params, ['rule', 'owner', 'account']),
    ]),
    h('p', { class: 'muted' }, `As of ${time(w.nowMs)}: ${usd(w.totals.all.monthlyUsd)} a month in ${w.totals.all.items} items`,
      w.totals.all.unpriced > 0 ? ` (${w.totals.all.unpriced} without a price)` : '', '. Ages marked ≥ are lower bounds.'),
    h('h2', null, `Totals by ${groupBy}`),
    table([groupBy, 'items', 'USD / month', 'unpriced'], groups.map((g) => [g.group, g.items, usd(g.monthlyUsd), g.unpriced]),
      { 'data-testid': 'waste-totals' }),
    RULES.map(([name, title]) => ruleSection(name, title, w[name] ?? [], w.counts[name] ?? 0)),
    h('p', { class: 'muted' }, `Prices: ${w.prices.source}, as of ${w.prices.asOf} (list prices, no discounts).`),
  );
}

function ruleSection(name, title, items, total) {
  return [
    h('h2', null, `${title} (${total})`),
    total > items.length ? h('p', { class: 'muted' }, `The ${items.length} oldest shown; \`elava waste --json\` lists all.`) : null,
    items.length === 0 ? h('p', { class: 'muted' }, 'None.') : table(
      ['key', 'name', 'state', 'owner', 'age days', 'since', 'USD / month'],
      items.map((v) => [link('resource', { key: v.key }, v.key), v.name ?? '-', v.state ?? '-', v.owner ?? '-', age(v), since(v), usd(v.monthlyUsd)]),
      { 'data-testid': `waste-${name}` }),
  ];
}
