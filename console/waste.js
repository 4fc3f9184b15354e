// Waste: every rule of `elava waste` with ages, and totals by owner or by account: how
// many resources each rule finds and how many GiB of unattached volumes. Elava has no
// price data; with a price per GiB-month in the form, the volume totals are priced too.
import { api } from './api.js';
import { field, filterForm, h, link, replace, table, time } from './dom.js';

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
  const w = await api('waste', { stoppedDays });
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
    totals(w, groupBy, Number.isFinite(price) ? price : null),
    RULES.map((rule) => ruleSection(rule, w[rule.name])),
  );
}

function groupOf(item, groupBy) {
  if (groupBy === 'account') return item.key.split('/').slice(0, 2).join('/');
  return item.owner ?? '(unowned)';
}

function totals(w, groupBy, price) {
  const groups = new Map();
  const row = (g) => {
    if (!groups.has(g)) groups.set(g, { gib: 0, counts: Object.fromEntries(RULES.map((r) => [r.name, 0])) });
    return groups.get(g);
  };
  for (const rule of RULES) {
    for (const item of w[rule.name]) {
      const r = row(groupOf(item, groupBy));
      r.counts[rule.name]++;
      if (rule.name === 'unattachedVolumes' && typeof item.sizeGiB === 'number') r.gib += item.sizeGiB;
    }
  }
  const sorted = [...groups].sort((a, b) => b[1].gib - a[1].gib || (a[0] < b[0] ? -1 : 1));
  const all = { gib: 0, counts: Object.fromEntries(RULES.map((r) => [r.name, 0])) };
  for (const [, r] of sorted) {
    all.gib += r.gib;
    for (const rule of RULES) all.counts[rule.name] += r.counts[rule.name];
  }
  const cells = (name, r) => [name, ...RULES.map((rule) => r.counts[rule.name]), r.gib, ...(price === null ? [] : [(r.gib * price).toFixed(2)])];
  const headers = [groupBy, ...RULES.map((r) => r.title), 'unattached GiB', ...(price === null ? [] : ['GiB × price / month'])];
  return table(headers, [...sorted.map(([g, r]) => cells(g, r)), cells('all', all)], { 'data-testid': 'waste-totals' });
}

/** Rows shown per rule; the totals above count every item. */
const ROWS_SHOWN_MAX = 500;

function ruleSection(rule, all) {
  const items = all.slice(0, ROWS_SHOWN_MAX);
  const age = (v) => {
    const [d, atLeast] = rule.age(v);
    return d === null ? '-' : `${atLeast ? '≥' : ''}${d}`;
  };
  return [
    h('h2', null, `${rule.title} (${all.length})`),
    all.length > items.length ? h('p', { class: 'muted' }, `The ${items.length} oldest shown; \`elava waste --json\` lists all.`) : null,
    items.length === 0 ? h('p', { class: 'muted' }, 'None.') : table(
      ['key', 'name', 'state', 'owner', 'age / stopped days', 'since', ...(rule.name === 'unattachedVolumes' ? ['GiB'] : [])],
      items.map((v) => [link('resource', { key: v.key }, v.key), v.name ?? '-', v.state ?? '-', v.owner ?? '-', age(v), time(rule.since(v)), ...(rule.name === 'unattachedVolumes' ? [v.sizeGiB ?? '-'] : [])]),
      { 'data-testid': `waste-${rule.name}` }),
  ];
}
