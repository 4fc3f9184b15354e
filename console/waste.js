// Waste: every rule of `elava waste` with ages, and totals by owner or by account: how
// many resources each rule finds and how many GiB of unattached volumes. Elava has no
// price data; with a price per GiB-month in the form, the volume totals are priced too.
import { api } from './api.js';
import { field, filterForm, h, link, replace, table, time } from './dom.js';

/** Rows shown per rule; the totals count every item. */
const ROWS_SHOWN_MAX = 500;

const RULES = [
  { name: 'unattachedVolumes', title: 'Unattached volumes', age: (v) => [v.ageDays, v.ageAtLeast], since: (v) => v.unattachedSinceMs },
  { name: 'longStoppedInstances', title: 'Long-stopped instances', age: (v) => [v.stoppedDays, v.sinceAtLeast], since: (v) => v.stoppedSinceMs },
  { name: 'stoppedRds', title: 'Stopped RDS instances', age: (v) => [v.stoppedDays, v.sinceAtLeast], since: (v) => v.stoppedSinceMs },
  { name: 'unowned', title: 'Resources without an owner', age: (v) => [v.ageDays, v.ageAtLeast], since: (v) => v.firstSeenMs },
];

export async function renderWaste(main, params) {
  const stoppedDays = params.get('stoppedDays') ?? '30';
  const groupBy = params.get('groupBy') === 'account' ? 'account' : 'owner';
  const priceText = params.get('pricePerGiBMonth');
  const price = priceText === null || priceText === '' ? null : Number(priceText);
  const w = await api('waste', { stoppedDays, by: groupBy, limit: ROWS_SHOWN_MAX });
  replace(main, 
    h('h1', null, 'Waste'),
    filterForm('waste', [
      field('stopped at least (days)', 'stoppedDays', params),
      field('group by', 'groupBy', params, ['owner', 'account']),
      field('price per GiB-month (optional)', 'pricePerGiBMonth', params),
    ]),
    h('p', { class: 'muted' }, `As of ${time(w.nowMs)}. Ages marked ≥ are lower bounds (already so when Elava's history begins).`,
      price !== null && !Number.isFinite(price) ? h('span', { class: 'error' }, ` "${priceText}" is not a price; ignored.`) : null),
    h('h2', null, `Totals by ${groupBy}`),
    totals(w.totals, groupBy, Number.isFinite(price) ? price : null),
    RULES.map((rule) => ruleSection(rule, w[rule.name], w.counts[rule.name])),
  );
}

/** The server's totals (over every item, not only the rows shown), one row per group. */
function totals(rows, groupBy, price) {
  const cells = (r) => [r.group, ...RULES.map((rule) => r[rule.name]), r.unattachedGiB, ...(price === null ? [] : [(r.unattachedGiB * price).toFixed(2)])];
  const headers = [groupBy, ...RULES.map((r) => r.title), 'unattached GiB', ...(price === null ? [] : ['GiB × price / month'])];
  return table(headers, rows.map(cells), { 'data-testid': 'waste-totals' });
}

function ruleSection(rule, items, total) {
  const age = (v) => {
    const [d, atLeast] = rule.age(v);
    return d === null ? '-' : `${atLeast ? '≥' : ''}${d}`;
  };
  return [
    h('h2', null, `${rule.title} (${total})`),
    total > items.length ? h('p', { class: 'muted' }, `The ${items.length} oldest shown; \`elava waste --json\` lists all.`) : null,
    items.length === 0 ? h('p', { class: 'muted' }, 'None.') : table(
      ['key', 'name', 'state', 'owner', 'age / stopped days', 'since', ...(rule.name === 'unattachedVolumes' ? ['GiB'] : [])],
      items.map((v) => [link('resource', { key: v.key }, v.key), v.name ?? '-', v.state ?? '-', v.owner ?? '-', age(v), time(rule.since(v)), ...(rule.name === 'unattachedVolumes' ? [v.sizeGiB ?? '-'] : [])]),
      { 'data-testid': `waste-${rule.name}` }),
  ];
}
