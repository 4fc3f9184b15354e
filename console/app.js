// The console's entry point: picks the page from the path (/ui/<page>), renders it into
// <main>, and asks for the token when the daemon answers 401. Pages read their filters
// from the query string, so every view is a permalink that survives a reload.
import { api, ApiError, forgetToken, setToken, token } from './api.js';
import { h, replace, time } from './dom.js';
import { renderFleet } from './fleet.js';
import { renderResource } from './resource.js';
import { renderChanges } from './changes.js';
import { renderWaste } from './waste.js';
import { renderHealth } from './health.js';

const PAGES = { fleet: renderFleet, resource: renderResource, changes: renderChanges, waste: renderWaste, health: renderHealth };

function pageName() {
  const rest = location.pathname.replace(/^\/ui\/?/, '');
  return rest === '' ? 'fleet' : rest;
}

async function main() {
  const main = document.getElementById('main');
  const name = pageName();
  for (const a of document.querySelectorAll('nav a')) if (a.dataset.page === name) a.classList.add('current');
  const forget = document.getElementById('forget-token');
  if (token() !== null) forget.hidden = false;
  forget.addEventListener('click', () => {
    forgetToken();
    location.reload();
  });
  const render = PAGES[name];
  if (render === undefined) {
    replace(main, h('p', { class: 'error' }, `No page "${name}".`));
    return;
  }
  try {
    const status = await api('status');
    replace(document.getElementById('status'), `revision ${status.revision} · ${time(status.revisionTimeMs)} · ${status.live} live`);
    document.title = `Elava · ${name}`;
    await render(main, new URLSearchParams(location.search), status);
    document.body.dataset.ready = 'true';
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return showLogin(main, token() !== null);
    replace(main, h('p', { class: 'error', 'data-testid': 'error' }, err instanceof ApiError ? `${err.code}: ${err.message}` : String(err)));
    document.body.dataset.ready = 'true';
  }
}

/** The login form: the token goes to this tab's sessionStorage, then the page reloads. */
function showLogin(main, rejected) {
  const input = h('input', { type: 'password', name: 'token', autocomplete: 'off', required: true, size: 40 });
  const form = h('form', { class: 'login', method: 'post', action: location.pathname },
    h('h2', null, 'This daemon needs its bearer token'),
    h('p', null, 'The token (http.token / ELAVA_HTTP_TOKEN) is kept in this tab only (sessionStorage), sent with each API call, and forgotten when the tab closes.'),
    rejected ? h('p', { class: 'error' }, 'The token was refused.') : null,
    h('label', null, 'Token ', input), ' ', h('button', { type: 'submit' }, 'Sign in'));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    setToken(input.value);
    location.reload();
  });
  replace(main, form);
  document.body.dataset.ready = 'login';
}

main();
