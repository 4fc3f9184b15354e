// Resource: its lifetimes (generations) on a time axis, each revision with its field diff,
// the timeline of one field (default the Owner tag, as `elava history --field`), and the
// record at a chosen revision or time (`at`).
import { api } from './api.js';
import { append, filterForm, h, link, replace, table, time, value } from './dom.js';

export async function renderResource(main, params, status) {
  const key = params.get('key');
  if (key === null || key === '') {
    replace(main, h('h1', null, 'Resource'), h('p', null, 'Pick one on the ', link('fleet', {}, 'fleet page'), '.'));
    return;
  }
  const field = params.get('field') ?? 'tags.Owner';
  const at = params.get('at') ?? undefined;
  const path = encodeURIComponent(key);
  const [history, timeline, point] = await Promise.all([
    api(`history/${path}`),
    api(`history/${path}`, { field }),
    api(`resources/${path}`, { at }),
  ]);
  const gens = generations(history.entries);
  replace(main, 
    h('h1', null, 'Resource'),
    h('p', { class: 'key', 'data-testid': 'resource-key' }, key),
    h('h2', null, `Lifetimes (${gens.length})`),
    axis(gens, status),
    h('h2', null, `Revisions (${history.entries.length})`),
    table(['revision', 'time', 'kind', 'changes', ''], history.entries.map((e) => [
      `${e.main}.${e.sub}`, time(e.timeMs), h('span', { class: `kind ${e.kind}` }, e.kind), changes(e),
      e.kind === 'disappeared' ? '' : link('resource', { key, field: params.get('field'), at: e.main }, 'record'),
    ]), { 'data-testid': 'revisions' }),
    h('h2', null, `Timeline of ${field}`),
    filterForm('resource', [h('input', { type: 'hidden', name: 'key', value: key }), h('label', null, 'field ', h('input', { name: 'field', value: field, size: 20 }))]),
    table(['revision', 'time', 'kind', 'before', 'after'], timeline.entries.map((e) => [`${e.main}.${e.sub}`, time(e.timeMs), e.kind, value(e.before), value(e.after)]), { 'data-testid': 'field-timeline' }),
    h('h2', null, at === undefined ? 'Record now' : `Record at ${at}`),
    filterForm('resource', [h('input', { type: 'hidden', name: 'key', value: key }), h('label', null, 'at (revision or time) ', h('input', { name: 'at', value: at ?? '', size: 24 }))]),
    record(point),
  );
}

/** Splits the history into lifetimes: each `appeared` starts one, `disappeared` ends it. */
function generations(entries) {
  const out = [];
  for (const e of entries) {
    if (e.kind === 'appeared' || out.length === 0) out.push({ entries: [], endMs: null, ended: false });
    const g = out[out.length - 1];
    g.entries.push(e);
    if (e.kind === 'disappeared') {
      g.ended = true;
      g.endMs = e.timeMs;
    }
  }
  return out;
}

/** One row per lifetime on a shared time axis; a mark per revision. */
function axis(gens, status) {
  const starts = gens.map((g) => g.entries[0].timeMs).filter((t) => t !== null);
  if (starts.length === 0) return h('p', { class: 'muted' }, 'No times known.');
  const t0 = Math.min(...starts);
  const t1 = Math.max(status.revisionTimeMs ?? t0, ...gens.map((g) => g.endMs ?? 0));
  const span = Math.max(1, t1 - t0);
  const x = (ms) => `${((ms - t0) / span) * 100}%`;
  const rows = gens.map((g, i) => {
    const start = g.entries[0].timeMs ?? t0;
    const end = g.endMs ?? t1;
    const life = h('span', { class: `life${g.ended ? ' ended' : ''}`, title: `${time(start)} → ${g.ended ? time(end) : 'now'}` });
    life.style.left = x(start);
    life.style.width = `${Math.max(0.5, ((end - start) / span) * 100)}%`;
    const marks = g.entries.map((e) => {
      const m = h('span', { class: `mark ${e.kind}`, title: `${e.main}.${e.sub} ${e.kind} ${time(e.timeMs)}` });
      m.style.left = x(e.timeMs ?? start);
      return m;
    });
    return h('div', { class: 'axis-row' }, h('span', { class: 'axis-label' }, `#${i + 1} ${g.ended ? 'ended' : 'alive'}`), append(h('span', { class: 'axis-track' }, life), marks));
  });
  return h('div', { class: 'axis', 'data-testid': 'lifetimes' }, rows, h('div', { class: 'axis-row muted' }, h('span', { class: 'axis-label' }, ''), h('span', { class: 'axis-ends' }, h('span', null, time(t0)), h('span', null, time(t1)))));
}

function changes(e) {
  if (e.kind === 'changed') return h('ul', { class: 'diff' }, e.diff.map((c) => h('li', null, h('code', null, c.path), ': ', h('del', null, value(c.before)), ' → ', h('ins', null, value(c.after)))));
  if (e.kind === 'appeared') return `state ${e.record?.state ?? '-'}, owner ${e.record?.owner ?? '-'}`;
  return '';
}

function record(point) {
  const rev = point.revision === null ? '-' : `${point.revision.main}.${point.revision.sub}`;
  const head = h('p', null, `revision ${rev} · ${time(point.timeMs)} · ${point.alive ? 'alive' : point.revision === null ? 'not yet seen at that point' : 'disappeared'}`);
  const r = point.record;
  if (r === null) return head;
  const rows = [['name', r.name ?? '-'], ['state', r.state ?? '-'], ['owner', r.owner ?? '-'], ['type', r.type], ['account', r.account], ['region', r.region], ['id', r.id]];
  for (const [k, v] of Object.entries(r.tags)) rows.push([`tag ${k}`, v]);
  for (const [k, v] of Object.entries(r.attrs)) rows.push([`attr ${k}`, value(v)]);
  return h('div', { 'data-testid': 'record' }, head, table(['field', 'value'], rows));
}
