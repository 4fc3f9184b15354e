/**
 * Account identity through the real STS client against the SIMULATED cloud: credentials
 * are checked with GetCallerIdentity before anything is listed with them, at start and
 * again when they rotate; a mismatch fails only that account's scopes, as wrong-account.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AwsCredentials } from '../../../src/scan/aws/assume-role.js';
import { startSimCloud, type SimCloud } from '../../../src/sim/cloud.js';
import { simAwsCredentials } from '../../../src/sim/clients.js';
import { defaultScenario } from '../../../src/sim/scenario.js';
import { awsSimScan, countByAccount, outcomes, simEndpoints } from './aws-sim-scan.js';

const A = '111111111111';
const B = '222222222222';
const REGIONS = ['us-east-1', 'eu-west-1'];
const RETRY = { maxAttempts: 2, retryMode: 'standard' } as const;

describe('AWS account identity (STS GetCallerIdentity)', () => {
  let cloud: SimCloud;
  before(async () => {
    cloud = await startSimCloud(defaultScenario({ aws: { accounts: [A, B], regions: REGIONS } }));
  });
  after(() => cloud.close());

  it('credentials of the configured accounts list every scope, checked once per account', async () => {
    // given two accounts, each with its own credentials
    cloud.clearRequestLog();
    const aws = awsSimScan(REGIONS, {
      accounts: [{ id: A }, { id: B }], retry: RETRY, endpoints: simEndpoints(cloud), staticCredentials: simAwsCredentials,
    });
    try {
      // when two cycles scan them
      const first = await aws.scan();
      const second = await aws.scan();
      // then every scope is complete, and each account's identity was asked once, for 6 clients
      for (const results of [first, second]) {
        assert.deepEqual(Object.values(outcomes(results)).filter((o) => o !== 'complete'), []);
        assert.equal(results.length, 12);
      }
      assert.deepEqual(countByAccount(cloud.requestLog(), 'GetCallerIdentity'), { [A]: 1, [B]: 1 });
    } finally {
      aws.destroy();
    }
  });

  it('credentials of another account fail only that account\'s scopes, as wrong-account, with nothing listed', async () => {
    // given account A configured with credentials that belong to B
    cloud.clearRequestLog();
    const aws = awsSimScan(REGIONS, {
      accounts: [{ id: A }, { id: B }],
      retry: RETRY,
      endpoints: simEndpoints(cloud),
      staticCredentials: () => simAwsCredentials(B),
    });
    try {
      // when a cycle scans both
      const results = await aws.scan();
      // then A's six scopes failed wrong-account, naming both accounts, and saw nothing
      for (const r of results) {
        if (r.scope.account === B) {
          assert.equal(r.status, 'complete', `B's scope ${r.scope.region}/${r.scope.type} is unaffected`);
          continue;
        }
        assert.equal(r.status, 'failed');
        assert.equal(r.error.code, 'wrong-account');
        assert.match(r.error.message, new RegExp(`${A}.*belong to account ${B}`));
        assert.deepEqual(r.partialRecords, []);
      }
      // and no listing was signed with B's keys for A: B's scopes alone account for every listing request
      const listings = cloud.requestLog().filter((e) => e.service !== 'sts');
      const alone = await listingRequestsOfAccountAlone(cloud, B);
      assert.equal(listings.length, alone);
    } finally {
      aws.destroy();
    }
  });

  it('credentials that rotate to another account\'s fail the account from the rotation on', async () => {
    // given account A whose source hands out short-lived credentials, A's until the switch
    cloud.clearRequestLog();
    let owner = A;
    const rotating = (): Promise<AwsCredentials> => {
      // Inside the SDK's refresh window, so every request asks for credentials again.
      const expiration = new Date(Date.now() + 1000);
      return Promise.resolve({ ...simAwsCredentials(owner), sessionToken: `session-of-${owner}`, expiration });
    };
    const aws = awsSimScan(REGIONS, { accounts: [{ id: A }], retry: RETRY, endpoints: simEndpoints(cloud), sourceCredentials: () => rotating });
    try {
      const before = await aws.scan();
      assert.deepEqual([...new Set(Object.values(outcomes(before)))], ['complete']);
      // when the credentials rotate to B's
      owner = B;
      const afterRotation = await aws.scan();
      // then A's scopes fail wrong-account, and the new credentials were checked once
      assert.deepEqual([...new Set(Object.values(outcomes(afterRotation)))], ['failed:wrong-account']);
      assert.deepEqual(countByAccount(cloud.requestLog(), 'GetCallerIdentity'), { [A]: 1, [B]: 1 });
    } finally {
      aws.destroy();
    }
  });

  it('an STS endpoint that cannot be reached fails the scopes as unreachable in every cycle, listing nothing', async () => {
    // given an STS endpoint where nothing listens
    const closed = await startSimCloud(defaultScenario({ aws: { accounts: [A], regions: REGIONS } }));
    const deadSts = closed.stsEndpoint;
    await closed.close();
    cloud.clearRequestLog();
    const aws = awsSimScan(REGIONS, {
      accounts: [{ id: A }], retry: { maxAttempts: 1, retryMode: 'standard' },
      endpoints: { ...simEndpoints(cloud), sts: deadSts }, staticCredentials: simAwsCredentials,
    });
    try {
      // when two cycles run
      const first = await aws.scan();
      const second = await aws.scan();
      // then both fail unreachable, and nothing was listed
      for (const results of [first, second]) {
        assert.deepEqual([...new Set(Object.values(outcomes(results)))], ['failed:unreachable']);
      }
      assert.equal(cloud.requestLog().length, 0);
    } finally {
      aws.destroy();
    }
  });
});

/** Listing requests one scan of `account` alone makes against `cloud` (its log is cleared). */
async function listingRequestsOfAccountAlone(cloud: SimCloud, account: string): Promise<number> {
  cloud.clearRequestLog();
  const aws = awsSimScan(REGIONS, {
    accounts: [{ id: account }], retry: RETRY, endpoints: simEndpoints(cloud), staticCredentials: simAwsCredentials,
  });
  try {
    await aws.scan();
    return cloud.requestLog().filter((e) => e.service !== 'sts').length;
  } finally {
    aws.destroy();
  }
}
