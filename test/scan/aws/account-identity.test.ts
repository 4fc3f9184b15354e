/**
 * Account identity through the real STS client against the SIMULATED cloud: credentials
 * are checked with GetCallerIdentity before anything is listed with them, at start and
 * again when they rotate; a mismatch fails only that account's scopes, as wrong-account.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AwsClientOptions } from '../../../src/scan/aws/aws-clients.js';
import type { AwsCredentials } from '../../../src/scan/aws/assume-role.js';
import { startSimCloud, type SimCloud } from '../../../src/sim/cloud.js';
import { simAwsCredentials } from '../../../src/sim/clients.js';
import { defaultScenario } from '../../../src/sim/scenario-load.js';
import { awsSimScan, countByAccount, outcomes, simEndpoints } from './aws-sim-scan.js';

const A = '111111111111';
const B = '222222222222';
const REGIONS = ['us-east-1', 'eu-west-1'];
const RETRY = { maxAttempts: 2, retryMode: 'standard' } as const;

/** Factory options: `accounts` against `cloud`, each with its own simulated keys. */
function options(cloud: SimCloud, accounts: readonly string[]): AwsClientOptions {
  return {
    accounts: accounts.map((id) => ({ id })),
    retry: RETRY,
    endpoints: simEndpoints(cloud),
    staticCredentials: simAwsCredentials,
  };
}

const statuses = (results: Parameters<typeof outcomes>[0]): string[] =>
  [...new Set(Object.values(outcomes(results)))];

describe('AWS account identity (STS GetCallerIdentity)', () => {
  let cloud: SimCloud;
  before(async () => {
    cloud = await startSimCloud(defaultScenario({ aws: { accounts: [A, B], regions: REGIONS } }));
  });
  after(() => cloud.close());

  it('lists every scope with each account\'s own credentials, checked once each', async () => {
    // given two accounts, each with its own credentials
    cloud.clearRequestLog();
    const aws = awsSimScan(REGIONS, options(cloud, [A, B]));
    try {
      // when two cycles scan them
      const first = await aws.scan();
      const second = await aws.scan();
      // then every scope is complete, and each account's identity was asked once
      for (const results of [first, second]) {
        assert.deepEqual(statuses(results), ['complete']);
        assert.equal(results.length, 12);
      }
      assert.deepEqual(countByAccount(cloud.requestLog(), 'GetCallerIdentity'), { [A]: 1, [B]: 1 });
    } finally {
      aws.destroy();
    }
  });

  it('fails only the account whose credentials are another\'s, as wrong-account', async () => {
    // given account A configured with credentials that belong to B
    cloud.clearRequestLog();
    const aws = awsSimScan(REGIONS, {
      ...options(cloud, [A, B]),
      staticCredentials: () => simAwsCredentials(B),
    });
    try {
      // when a cycle scans both
      const results = await aws.scan();
      // then A's six scopes failed wrong-account, naming both accounts, and saw nothing
      for (const r of results) {
        const where = `${r.scope.account}/${r.scope.region}/${r.scope.type}`;
        if (r.scope.account === B) {
          assert.equal(r.status, 'complete', `${where} is unaffected`);
          continue;
        }
        assert.equal(r.status, 'failed', where);
        assert.equal(r.error.code, 'wrong-account');
        assert.match(r.error.message, new RegExp(`${A} belong to account ${B}`));
        assert.deepEqual(r.partialRecords, []);
      }
      // and nothing was listed for A with B's keys: B's scopes alone made every listing request
      const listings = cloud.requestLog().filter((e) => e.service !== 'sts').length;
      assert.equal(listings, await listingRequestsOfAccountAlone(cloud, B));
    } finally {
      aws.destroy();
    }
  });

  it('fails the account from the moment its credentials rotate to another\'s', async () => {
    // given account A whose source hands out short-lived credentials, A's until the switch
    cloud.clearRequestLog();
    let owner = A;
    const rotating = (): Promise<AwsCredentials> => {
      // Inside the SDK's refresh window, so every request asks for credentials again.
      const expiration = new Date(Date.now() + 1000);
      const session = { sessionToken: `session-of-${owner}`, expiration };
      return Promise.resolve({ ...simAwsCredentials(owner), ...session });
    };
    const aws = awsSimScan(REGIONS, { ...options(cloud, [A]), sourceCredentials: () => rotating });
    try {
      assert.deepEqual(statuses(await aws.scan()), ['complete']);
      // when the credentials rotate to B's
      owner = B;
      const afterRotation = await aws.scan();
      // then A's scopes fail wrong-account, and the new credentials were checked once
      assert.deepEqual(statuses(afterRotation), ['failed:wrong-account']);
      assert.deepEqual(countByAccount(cloud.requestLog(), 'GetCallerIdentity'), { [A]: 1, [B]: 1 });
    } finally {
      aws.destroy();
    }
  });

  it('fails every cycle as unreachable, listing nothing, while STS cannot be reached', async () => {
    // given an STS endpoint where nothing listens
    const closed = await startSimCloud(defaultScenario());
    await closed.close();
    cloud.clearRequestLog();
    const aws = awsSimScan(REGIONS, {
      ...options(cloud, [A]),
      retry: { maxAttempts: 1, retryMode: 'standard' },
      endpoints: { ...simEndpoints(cloud), sts: closed.stsEndpoint },
    });
    try {
      // when two cycles run
      const first = await aws.scan();
      const second = await aws.scan();
      // then both fail unreachable, and nothing was listed
      assert.deepEqual(statuses(first), ['failed:unreachable']);
      assert.deepEqual(statuses(second), ['failed:unreachable']);
      assert.equal(cloud.requestLog().length, 0);
    } finally {
      aws.destroy();
    }
  });
});

/** Listing requests one scan of `account` alone makes against `cloud` (its log is cleared). */
async function listingRequestsOfAccountAlone(cloud: SimCloud, account: string): Promise<number> {
  cloud.clearRequestLog();
  const aws = awsSimScan(REGIONS, options(cloud, [account]));
  try {
    await aws.scan();
    return cloud.requestLog().filter((e) => e.service !== 'sts').length;
  } finally {
    aws.destroy();
  }
}
