/**
 * Bounds of the scanners, units in the names. (Candidates for `src/limits.ts`; kept here
 * while that file belongs to the log.)
 */
import assert from 'node:assert/strict';

/** Pages one scope's listing may take; beyond it the listing is treated as broken (a token loop). */
export const SCAN_PAGES_MAX = 100_000;
/** Resources one scope may hold; beyond it the response is treated as malformed. */
export const SCAN_RECORDS_PER_SCOPE_MAX = 5_000_000;
/** Scopes scanned at once when the config does not say. */
export const SCAN_CONCURRENCY_DEFAULT = 8;
export const SCAN_CONCURRENCY_MAX = 256;
/** Attempts per request (first try included) when the config does not say. */
export const SCAN_ATTEMPTS_DEFAULT = 5;
export const SCAN_ATTEMPTS_MAX = 20;
/** Backoff between GCP attempts: first delay and cap (full jitter below the cap). */
export const GCP_RETRY_DELAY_MS_FIRST = 200;
export const GCP_RETRY_DELAY_MS_MAX = 20_000;
/** One HTTP request of a listing may take this long before it counts as unreachable. */
export const SCAN_REQUEST_TIMEOUT_MS_DEFAULT = 60_000;

assert.ok(SCAN_CONCURRENCY_DEFAULT >= 1 && SCAN_CONCURRENCY_DEFAULT <= SCAN_CONCURRENCY_MAX);
assert.ok(SCAN_ATTEMPTS_DEFAULT >= 1 && SCAN_ATTEMPTS_DEFAULT <= SCAN_ATTEMPTS_MAX);
assert.ok(GCP_RETRY_DELAY_MS_FIRST <= GCP_RETRY_DELAY_MS_MAX);
assert.ok(SCAN_PAGES_MAX <= SCAN_RECORDS_PER_SCOPE_MAX);
