/**
 * Pins the internal @google-cloud/compute API that the GCP scanner relies on to see
 * `unreachables` (see src/scan/gcp/aggregated-page.ts). If an upgrade changes it, these
 * fail loudly instead of the scanner silently treating unreachable zones as empty.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { fetchAggregatedPage, parseAggregatedResult } from '../../../src/scan/gcp/aggregated-page.js';
import { ScanError } from '../../../src/scan/scan-error.js';
import { startHarness } from '../sim-harness.js';

describe('GCP aggregated page (pinned internal API)', () => {
  it('runs against the pinned @google-cloud/compute version', () => {
    const require = createRequire(import.meta.url);
    const pkg = require('@google-cloud/compute/package.json') as { version: string };
    assert.equal(pkg.version, '6.14.0', 'aggregated-page.ts was verified against 6.14.0; re-verify before changing');
  });

  it('sees unreachable zones and the next page token through innerApiCalls', async () => {
    // given a project with one zone unreachable and pages of 15
    const h = await startHarness({ faults: [{ kind: 'unreachable-zone', zone: 'us-central1-a' }], pageSize: { ec2: 100, rds: 100, gcp: 15 } });
    try {
      const clients = h.clients.gcp;
      assert.ok(clients !== undefined);
      // when the first page is fetched by hand
      const request = {
        project: 'sim-project-a',
        kind: 'compute#instanceAggregatedList',
        pageToken: null,
        maxResults: null,
        timeoutMs: 5_000,
      };
      const page = await fetchAggregatedPage(clients.instances(), request, undefined);
      // then the unreachable zone is reported, the reachable zone's items are there, and there is a next page
      assert.deepEqual(page.unreachables, ['zones/us-central1-a']);
      const keys = page.items.map(([k]) => k);
      assert.ok(keys.includes('zones/europe-west1-b'));
      const [, list] = page.items.find(([k]) => k === 'zones/europe-west1-b') ?? [];
      assert.equal((list as { instances?: unknown[] }).instances?.length, 15);
      assert.ok(page.nextPageToken !== null);
    } finally {
      await h.close();
    }
  });

  it('turns a result of another shape into a typed error, not an empty listing', () => {
    const isInternalChange = (err: unknown) => err instanceof ScanError && err.code === 'other';
    const kind = 'compute#instanceAggregatedList';
    assert.throws(() => parseAggregatedResult({ items: {} }, kind), isInternalChange);
    assert.throws(() => parseAggregatedResult([{}, null], kind), isInternalChange);
    assert.throws(
      () => parseAggregatedResult([{}, null, { kind, items: {}, unreachables: 'zones/a' }], kind),
      (err: unknown) => err instanceof ScanError && err.code === 'malformed-response',
    );
    assert.deepEqual(parseAggregatedResult([{}, null, { kind, items: {}, nextPageToken: '' }], kind), {
      items: [],
      unreachables: [],
      nextPageToken: null,
    });
  });

  it("takes a page without the listing's kind for a malformed response, not an empty one", () => {
    const kind = 'compute#instanceAggregatedList';
    const isMalformed = (err: unknown) =>
      err instanceof ScanError && err.code === 'malformed-response';
    assert.throws(() => parseAggregatedResult([{}, null, { items: {} }], kind), isMalformed);
    const disks = [{}, null, { kind: 'compute#diskAggregatedList', items: {} }];
    assert.throws(() => parseAggregatedResult(disks, kind), isMalformed);
  });
});
