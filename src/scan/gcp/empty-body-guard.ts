/**
 * Turns a successful HTTP answer with an empty body into a typed `malformed-response`
 * before google-gax decodes it. gax's REST decoder throws a plain `Error` ("Received null
 * response") for an empty body — nothing a classifier may look at but the message text —
 * so the check is made where the HTTP response arrives: the auth client's `fetch`, through
 * which gax's REST transport sends every request.
 *
 * PINNED like aggregated-page.ts: gax 5.0.x calls `auth.fetch(url, init)` and reads the
 * returned `Response` (`ok`, `status`, the body); test/scan/not-a-listing.test.ts
 * pins the empty-body case against the simulator. Only 2xx answers are touched: gaxios
 * throws its own typed error (with the HTTP status) for the others. The Response handed on
 * holds the bytes already read, which serves unary calls such as aggregatedList (all that
 * Elava makes), not server-streaming ones.
 */
import assert from 'node:assert/strict';
import { ScanError } from '../scan-error.js';

type Fetch = (...args: unknown[]) => Promise<unknown>;

const guarded = new WeakSet<object>();

/** Wraps `auth.fetch` once (several clients may share one auth client). */
export function guardEmptyBodies(auth: object): void {
  if (guarded.has(auth)) return;
  const holder = auth as { fetch?: unknown };
  assert.ok(
    typeof holder.fetch === 'function',
    "the Compute client's auth object has fetch() (google-auth-library)",
  );
  const original = (holder.fetch as Fetch).bind(auth);
  holder.fetch = async (...args: unknown[]): Promise<unknown> =>
    refuseEmptyBody(await original(...args));
  guarded.add(auth);
}

/** The parts of a fetch `Response` looked at here (gaxios hands back node-fetch's). */
interface ResponseLike {
  ok: boolean;
  status: number;
  statusText: string;
  headers: Iterable<[string, string]>;
  arrayBuffer(): Promise<ArrayBuffer>;
}

function isResponseLike(value: unknown): value is ResponseLike {
  const r = value as Partial<ResponseLike> | null;
  return (
    typeof r === 'object' &&
    r !== null &&
    typeof r.ok === 'boolean' &&
    typeof r.status === 'number' &&
    typeof r.arrayBuffer === 'function' &&
    typeof r.headers?.[Symbol.iterator] === 'function'
  );
}

async function refuseEmptyBody(response: unknown): Promise<unknown> {
  if (!isResponseLike(response) || !response.ok) return response;
  // Read whole here (not through a clone: node-fetch's tee stalls a clone of a large body
  // whose original is unread), so gax gets a fresh Response holding the same bytes.
  const body = await response.arrayBuffer();
  if (body.byteLength === 0) {
    throw new ScanError(
      'malformed-response',
      `HTTP ${response.status} with an empty body: the answer is not a listing`,
    );
  }
  return new Response(body, {
    status: response.status,
    statusText: response.statusText,
    headers: [...response.headers],
  });
}
