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

/**
 * A whole listing (every page and retry of one job) may take this long; beyond it the
 * listing is aborted and its scopes fail as `unreachable`. Far above any healthy listing
 * (a request may take SCAN_REQUEST_TIMEOUT_MS_DEFAULT, times its attempts, per page); it
 * exists so that no listing, however its client library misbehaves, holds a cycle for ever.
 */
export const SCAN_LISTING_DEADLINE_MS_DEFAULT = 30 * 60_000;
/**
 * After its signal fired (shutdown, or the deadline), a listing gets this long to settle on
 * its own with what it saw; then its scopes are reported failed without waiting for it.
 */
export const SCAN_ABORT_SETTLE_MS = 1_000;

assert.ok(
  SCAN_LISTING_DEADLINE_MS_DEFAULT >= SCAN_REQUEST_TIMEOUT_MS_DEFAULT * SCAN_ATTEMPTS_DEFAULT,
  'the deadline leaves room for every attempt of a slow request',
);
assert.ok(SCAN_ABORT_SETTLE_MS > 0 && SCAN_ABORT_SETTLE_MS <= 5_000, 'a shutdown stays in its bound');
