import { DisksClient, InstancesClient } from '@google-cloud/compute';
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { simGcpClientOptions } from '../../src/sim/clients.js';
import { startSimCloud, type SimCloud } from '../../src/sim/cloud.js';
import type { SimFault } from '../../src/sim/scenario.js';
import { listGce, PROJECT, smallScenario } from './sim-fixtures.js';

interface RawAggregated { unreachables?: string[]; items?: Record<string, unknown>; nextPageToken?: string }

/** One page by hand, as NOTES.md describes: the only way to see `unreachables`. */
async function onePage(cloud: SimCloud, request: Record<string, unknown>): Promise<[Record<string, { instances?: { name?: string }[] }>, unknown, RawAggregated]> {
  const client = new InstancesClient(simGcpClientOptions(cloud));
  await client.initialize();
  try {
    const call = client.innerApiCalls['aggregatedList'];
    assert.ok(call, 'innerApiCalls.aggregatedList must exist (internal API, pinned version)');
    return await call({ project: PROJECT, ...request }, { autoPaginate: false, retry: null });
  } finally {
    await client.close();
  }
}

/** The Compute REST client (6.x) surfaces the HTTP status as `code`, not a gRPC code. */
function errorCode(e: unknown): number | undefined {
  return (e as { code?: number }).code;
}

describe('simulated Compute faults as the real client sees them', () => {
  let cloud: SimCloud | undefined;
  afterEach(() => cloud?.close());
  const start = async (...faults: SimFault[]): Promise<SimCloud> => (cloud = await startSimCloud(smallScenario({ faults })));

  it('an unreachable zone is named in rawResponse.unreachables and its items are left out', async () => {
    const c = await start({ kind: 'unreachable-zone', zone: 'europe-west1-b' });
    const [items, , raw] = await onePage(c, { returnPartialSuccess: true, maxResults: 500 });
    assert.deepEqual(raw.unreachables, ['zones/europe-west1-b']);
    assert.deepEqual(Object.keys(items), ['zones/us-central1-a']);
    assert.equal(items['zones/us-central1-a']?.instances?.length, 30);
  });

  it('an unreachable zone without returnPartialSuccess fails the whole call with 503, and the client does not retry it', async () => {
    const c = await start({ kind: 'unreachable-zone', zone: 'europe-west1-b' });
    await assert.rejects(listGce(c, 'gce.instance', 500), (e: unknown) => errorCode(e) === 503);
    assert.deepEqual(c.requestLog().map((e) => e.status), [503]);
  });

  it('a 429 rateLimitExceeded reaches the caller with code 429, not retried by the client', async () => {
    const c = await start({ kind: 'throttle', service: 'gcp', times: 1 });
    await assert.rejects(listGce(c, 'gce.instance', 500), (e: unknown) => errorCode(e) === 429);
    assert.deepEqual(c.requestLog().map((e) => e.status), [429]);
  });

  it('access denied on the project reaches the caller with code 403', async () => {
    const c = await start({ kind: 'access-denied', service: 'gcp', region: PROJECT });
    await assert.rejects(listGce(c, 'gce.disk', 500), (e: unknown) => errorCode(e) === 403);
  });

  it('error-on-page fails page 2 after page 1 came back', async () => {
    const c = await start({ kind: 'error-on-page', service: 'gcp', page: 2 });
    await assert.rejects(listGce(c, 'gce.instance', 20), (e: unknown) => errorCode(e) === 500);
    assert.deepEqual(c.requestLog().map((e) => [e.page, e.status]), [[1, 200], [2, 500]]);
  });

  it('a malformed JSON body makes the client throw', async () => {
    const c = await start({ kind: 'malformed', service: 'gcp' });
    const client = new DisksClient(simGcpClientOptions(c));
    await assert.rejects(async () => {
      for await (const entry of client.aggregatedListAsync({ project: PROJECT })) assert.ok(entry);
    });
    await client.close();
  });
});
