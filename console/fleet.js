// Fleet: live resources with the filters of `elava list`, counts per type and owner, and
// one page of the list at a time, paged on the server by key (`after` cursor).
import { api, filtersOf } from './api.js';
import { field, filterForm, h, link, pageUrl, replace, resourceFilterFields, table } from './dom.js';

const PAGE_SIZE = 100;

export async function renderFleet(main, params, status) {
  const filters = filtersOf(params);
  const at = params.get('at') ?? undefined;
  const after = params.get('after') ?? undefined;
  const [summary, page] = await Promise.all([
    api('summary', { ...filters, at }),
    api('resources', { ...filters, at, limit: PAGE_SIZE, after }),
  ]);
  const here = { ...filters, at };
  replace(main, 
    h('h1', null, 'Fleet'),
    filterForm('fleet', [
      ...resourceFilterFields(params, status.resourceTypes, { untagged: true }),
      field('at (revision or time)', 'at', params),
    ], link('fleet', {}, 'clear')),
    h('p', { class: 'summary' },
      h('strong', { 'data-testid': 'fleet-total' }, String(summary.total)),
      ` resource(s) at revision ${summary.revision}`),
    h('div', { class: 'side-by-side' },
      table(['type', 'count'], summary.byType.map((t) => [link('fleet', { ...here, type: t.type }, t.type), t.count]), { 'data-testid': 'by-type' }),
      table(['owner', 'count'], [
        ...summary.byOwner.map((o) => [o.owner === null ? link('fleet', { ...here, owner: undefined, unowned: 'true' }, '(unowned)') : link('fleet', { ...here, owner: o.owner }, o.owner), o.count]),
        ...(summary.otherOwners > 0 ? [['(other owners)', summary.otherOwners]] : []),
      ], { 'data-testid': 'by-owner' })),
    pager(here, after, page),
    table(['key', 'type', 'name', 'state', 'owner'], page.resources.map((r) => [
      link('resource', { key: r.key, at }, r.key), r.type, r.name ?? '-', r.state ?? '-', r.owner ?? '-',
    ]), { class: 'list', 'data-testid': 'resources' }),
    pager(here, after, page),
  );
}

function pager(here, after, page) {
  const shown = `${page.resources.length} shown${after === undefined ? ', from the first key' : `, after ${after}`}`;
  return h('p', { class: 'pager' },
    after === undefined ? null : h('a', { href: pageUrl('fleet', here) }, '« first page'), ' ',
    shown, ' ',
    page.next === null ? h('span', { class: 'muted' }, '(last page)') : h('a', { href: pageUrl('fleet', { ...here, after: page.next }), rel: 'next', 'data-testid': 'next-page' }, 'next page »'));
}
