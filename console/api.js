// The daemon's JSON API, as the pages use it. The bearer token, when the daemon needs one,
// lives in this tab's sessionStorage (never a cookie, never localStorage): it is sent only
// by these calls, only to this origin, and is gone when the tab closes.

const TOKEN_KEY = 'elava.token';

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function setToken(value) {
  sessionStorage.setItem(TOKEN_KEY, value);
}

export function forgetToken() {
  sessionStorage.removeItem(TOKEN_KEY);
}

/** GET /v1/<path>?<params>; params with empty values are left out. Throws ApiError. */
export async function api(path, params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params ?? {})) if (v !== undefined && v !== null && v !== '' && v !== false) q.set(k, String(v));
  const s = q.toString();
  const headers = { accept: 'application/json' };
  const t = token();
  if (t !== null) headers.authorization = `Bearer ${t}`;
  const res = await fetch(`/v1/${path}${s === '' ? '' : `?${s}`}`, { headers, cache: 'no-store', credentials: 'omit' });
  let body = null;
  try {
    body = await res.json();
  } catch {
    throw new ApiError(res.status, 'bad-answer', `the daemon answered ${res.status} without JSON`);
  }
  if (!res.ok) throw new ApiError(res.status, body?.error ?? 'error', body?.message ?? `HTTP ${res.status}`);
  return body;
}

/** The list filters a page's URL may carry, as API parameters. */
export const FILTER_NAMES = ['provider', 'account', 'region', 'type', 'owner', 'unowned', 'tag', 'untagged', 'state'];

export function filtersOf(params) {
  const out = {};
  for (const name of FILTER_NAMES) {
    const v = params.get(name);
    if (v !== null && v !== '') out[name] = v;
  }
  return out;
}
