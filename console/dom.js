// Building the page from data. Every string from the daemon (names, tags, ids: attacker-
// controlled, they come from a cloud) goes into the page as a text node or an attribute
// value, never as HTML: nothing here assigns innerHTML or builds markup from strings.

/**
 * An element: h('td', { class: 'num' }, 'text', child, ...). Attributes are set with
 * setAttribute (names from this code, values as text); `href` must be a path of this
 * console (starting with /ui/), so no data can make a javascript: link.
 */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'href' && !String(value).startsWith('/ui/')) throw new Error(`link outside the console: ${value}`);
    el.setAttribute(name, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

/** Appends children: nodes as they are, strings and numbers as text, arrays flattened. */
export function append(el, children) {
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else if (c instanceof Node) el.appendChild(c);
    else el.appendChild(document.createTextNode(String(c)));
  }
  return el;
}

/** A link to a console page with query parameters (empty values left out). */
export function link(page, params, ...children) {
  return h('a', { href: pageUrl(page, params) }, ...children);
}

export function pageUrl(page, params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params ?? {})) if (v !== undefined && v !== null && v !== '' && v !== false) q.set(k, String(v));
  const s = q.toString();
  return `/ui/${page}${s === '' ? '' : `?${s}`}`;
}

/** A table: headers, rows of cells (strings, numbers or nodes). */
export function table(headers, rows, attrs) {
  return h('table', attrs ?? {},
    h('thead', null, h('tr', null, headers.map((x) => h('th', null, x)))),
    h('tbody', null, rows.map((r) => h('tr', null, r.map((c) => h('td', typeof c === 'number' ? { class: 'num' } : null, c))))));
}

export function time(ms) {
  return ms === null || ms === undefined ? '-' : new Date(ms).toISOString().replace('.000Z', 'Z');
}

export function value(v) {
  if (v === null || v === undefined) return '-';
  return typeof v === 'string' ? v : JSON.stringify(v);
}

export function bytes(n) {
  if (n >= 1024 ** 3) return `${(n / 1024 ** 3).toFixed(2)} GiB`;
  if (n >= 1024 ** 2) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${n} B`;
}

/** Replaces the children of `el`. */
export function replace(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

/**
 * A GET form whose submit navigates to the page with the non-empty fields in the query
 * string (a permalink). `fields` are elements holding inputs with `name`s.
 */
export function filterForm(page, fields, extra) {
  const form = h('form', { class: 'filters', method: 'get', action: `/ui/${page}` }, fields, h('button', { type: 'submit' }, 'Apply'), extra ?? null);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const params = {};
    for (const [k, v] of new FormData(form)) if (typeof v === 'string' && v.trim() !== '') params[k] = v.trim();
    location.assign(pageUrl(page, params));
  });
  return form;
}

/** A labelled text input (or a select when `options` is given), prefilled from `params`. */
export function field(label, name, params, options) {
  const current = params.get(name) ?? '';
  let input;
  if (options !== undefined) {
    input = h('select', { name }, h('option', { value: '' }, 'any'), options.map((o) => h('option', { value: o, selected: o === current }, o)));
  } else {
    input = h('input', { name, value: current, size: 14 });
  }
  return h('label', null, label, ' ', input);
}

export function checkbox(label, name, params) {
  const on = params.has(name) && params.get(name) !== 'false';
  return h('label', null, h('input', { type: 'checkbox', name, value: 'true', checked: on }), ' ', label);
}

/** A horizontal bar whose width is `share` (0..1) of its track; width set through the CSSOM. */
export function bar(share, cls) {
  const fill = h('span', { class: `bar-fill ${cls ?? ''}` });
  fill.style.width = `${Math.max(0, Math.min(1, share)) * 100}%`;
  return h('span', { class: 'bar' }, fill);
}

/** The resource filters of `elava list` as form fields (`untagged` where the page takes it). */
export function resourceFilterFields(params, resourceTypes, { untagged }) {
  return [
    field('provider', 'provider', params, ['aws', 'gcp']),
    field('account', 'account', params),
    field('region', 'region', params),
    field('type', 'type', params, resourceTypes),
    field('owner', 'owner', params),
    checkbox('unowned', 'unowned', params),
    field('tag (K or K=V)', 'tag', params),
    ...(untagged ? [checkbox('untagged', 'untagged', params)] : []),
    field('state', 'state', params),
  ];
}
