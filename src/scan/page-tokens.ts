/**
 * The page tokens of one paginated listing, checked as they come back.
 *
 * A listing ends only when a page hands back no next token. A page that hands back a token
 * this listing already asked with (the one it was just asked with, as a proxy replaying a
 * request does, or any earlier one: a loop) would never end; the SDK paginators'
 * `stopOnSameToken` ends such a listing quietly and it would count as complete, proving
 * absence it never saw. Here it is a `malformed-response`, for every paginated listing.
 *
 * Bounded: at most SCAN_PAGES_MAX tokens are kept, since a listing fails beyond that.
 */
import assert from 'node:assert/strict';
import { SCAN_PAGES_MAX } from './scan-limits.js';
import { ScanError } from './scan-error.js';

export class PageTokens {
  private readonly asked = new Set<string>();
  private pageCount = 0;

  /** @param listing names the listing in messages, e.g. `DescribeInstances`. */
  constructor(private readonly listing: string) {}

  /** Pages handed back so far. */
  get pages(): number {
    return this.pageCount;
  }

  /**
   * Takes the token a page handed back; returns the token to ask the next page with, or
   * null when the listing is at its end. Throws ScanError `malformed-response` for a
   * repeated token or a listing past SCAN_PAGES_MAX pages.
   */
  next(handedBack: string | null | undefined): string | null {
    this.pageCount++;
    assert.ok(this.asked.size < this.pageCount, 'one token asked per page at most');
    if (handedBack === undefined || handedBack === null || handedBack === '') return null;
    if (this.asked.has(handedBack)) {
      throw new ScanError(
        'malformed-response',
        `${this.listing} page ${this.pageCount} handed back a page token already asked with: ` +
          'the listing would never end, so it is not a whole listing',
      );
    }
    if (this.pageCount >= SCAN_PAGES_MAX) {
      throw new ScanError(
        'malformed-response',
        `${this.listing} did not end within ${SCAN_PAGES_MAX} pages`,
      );
    }
    this.asked.add(handedBack);
    return handedBack;
  }
}
