// Changes: what appeared, changed and disappeared between two points (default: the last
// 24 hours up to the newest revision), narrowed by the list filters, with totals.
import { api, filtersOf } from './api.js';
import { field, filterForm, h, link, replace, resourceFilterFields, table, time, value } from './dom.js';

const ITEMS_PER_KIND = 500;
const DAY_MS = 86_400_000;

export async function renderChanges(main, params, status) {
  const filters = filtersOf(params);
  const to = params.get('to') ?? String(status.revision);
  let from = params.get('from');
  let note = null;
  if (from === null || from === '') {
    const dayAgo = (status.revisionTimeMs ?? Date.now()) - DAY_MS;
    if (status.firstTimeMs !== null && dayAgo >= status.firstTimeMs) from = new Date(dayAgo).toISOString();
    else {
      // The log is younger than a day (or compacted): from the oldest point it still has.
      from = String(status.compactedRevision);
      note = `The history kept starts less than 24 hours ago: from revision ${from}.`;
    }
  }
  const d = await api('diff', { from, to, ...filters, limit: ITEMS_PER_KIND });
  const here = { from: params.get('from'), to: params.get('to'), ...filters };
  replace(main, 
    h('h1', null, 'Changes'),
    filterForm('changes', [
      field('from (revision or time)', 'from', params),
      field('to', 'to', params),
      ...resourceFilterFields(params, status.resourceTypes, { untagged: false }),
    ], link('changes', {}, 'last 24 h')),
    note === null ? null : h('p', { class: 'muted' }, note),
    h('p', { class: 'summary', 'data-testid': 'diff-totals' },
      `from revision ${d.from} (${time(d.fromMs)}) to ${d.to} (${time(d.toMs)}): `,
      h('strong', { 'data-testid': 'total-appeared' }, String(d.totals.appeared)), ' appeared, ',
      h('strong', { 'data-testid': 'total-changed' }, String(d.totals.changed)), ' changed, ',
      h('strong', { 'data-testid': 'total-disappeared' }, String(d.totals.disappeared)), ' disappeared',
      d.truncated ? ` (at most ${ITEMS_PER_KIND} of each shown)` : ''),
    section('Appeared', d.appeared.map((r) => ({ key: r.key, cells: [r.type, r.name ?? '-', r.state ?? '-', r.owner ?? '-'] })), ['type', 'name', 'state', 'owner'], 'appeared', here),
    section('Changed', d.changed.map((c) => ({ key: c.key, cells: [h('ul', { class: 'diff' }, c.diff.map((x) => h('li', null, h('code', null, x.path), ': ', h('del', null, value(x.before)), ' → ', h('ins', null, value(x.after)))))] })), ['changes'], 'changed', here),
    section('Disappeared', d.disappeared.map((x) => ({ key: x.key, cells: [x.last.type, x.last.name ?? '-', x.last.state ?? '-', x.last.owner ?? '-'] })), ['type', 'name', 'last state', 'owner'], 'disappeared', here),
  );
}

function section(title, items, headers, kind, _here) {
  return [
    h('h2', null, `${title} (${items.length})`),
    items.length === 0 ? h('p', { class: 'muted' }, 'None.') : table(['key', ...headers], items.map((i) => [link('resource', { key: i.key }, i.key), ...i.cells]), { 'data-testid': `list-${kind}` }),
  ];
}
