/**
 * What the AWS client factory shares and where it sends requests, seen from the SIMULATED
 * cloud's request log: one AssumeRole per account for all of its clients, a role that
 * leads into another account refused, and per-region endpoint overrides.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ScanResult } from '../../../src/model/scope.js';
import { startSimCloud, type SimCloud } from '../../../src/sim/cloud.js';
import { simAwsCredentials } from '../../../src/sim/clients.js';
import { defaultScenario } from '../../../src/sim/scenario-load.js';
import { awsSimScan, countByAccount, outcomes, simEndpoints } from './aws-sim-scan.js';

const A = '111111111111';
const B = '222222222222';
const HUB = '333333333333';
const REGIONS = ['us-east-1', 'eu-west-1'];
const RETRY = { maxAttempts: 2, retryMode: 'standard' } as const;
const role = (account: string): string => `arn:aws:iam::${account}:role/elava-readonly`;
const statuses = (results: readonly ScanResult[]): string[] =>
  [...new Set(Object.values(outcomes(results)))];

describe('AWS client factory', () => {
  let cloud: SimCloud;
  before(async () => {
    const aws = { accounts: [A, B, HUB], regions: REGIONS };
    cloud = await startSimCloud(defaultScenario({ aws }));
  });
  after(() => cloud.close());

  it('assumes each account\'s role once, for its EC2 and RDS clients in every region', async () => {
    // given two accounts reached by roles, from a hub account's credentials
    cloud.clearRequestLog();
    const aws = awsSimScan(REGIONS, {
      accounts: [{ id: A, roleArn: role(A) }, { id: B, roleArn: role(B), externalId: 'x' }],
      retry: RETRY,
      endpoints: simEndpoints(cloud),
      staticCredentials: () => simAwsCredentials(HUB),
    });
    try {
      // when three cycles scan 2 regions x 3 types per account (4 clients each)
      for (let cycle = 0; cycle < 3; cycle++) {
        assert.deepEqual(statuses(await aws.scan()), ['complete']);
      }
      // then each role was assumed once and each account's identity checked once
      const log = cloud.requestLog();
      assert.deepEqual(countByAccount(log, 'AssumeRole'), { [A]: 1, [B]: 1 });
      assert.deepEqual(countByAccount(log, 'GetCallerIdentity'), { [A]: 1, [B]: 1 });
    } finally {
      aws.destroy();
    }
  });

  it('fails an account configured with a role of another account as wrong-account', async () => {
    // given account A configured with B's role (a copy-paste slip)
    const aws = awsSimScan(REGIONS, {
      accounts: [{ id: A, roleArn: role(B) }],
      retry: RETRY,
      endpoints: simEndpoints(cloud),
      staticCredentials: () => simAwsCredentials(HUB),
    });
    try {
      // when a cycle scans A, then every scope of A failed wrong-account
      assert.deepEqual(statuses(await aws.scan()), ['failed:wrong-account']);
    } finally {
      aws.destroy();
    }
  });

  it('sends each region to its own EC2 and RDS endpoint when overridden per region', async () => {
    // given a second simulator, for eu-west-1's EC2 and us-east-1's RDS
    const onlyA = { accounts: [A], regions: REGIONS };
    const other = await startSimCloud(defaultScenario({ aws: onlyA }));
    cloud.clearRequestLog();
    const aws = awsSimScan(REGIONS, {
      accounts: [{ id: A }],
      retry: RETRY,
      endpoints: {
        ec2: { 'us-east-1': cloud.ec2Endpoint, 'eu-west-1': other.ec2Endpoint },
        rds: { 'us-east-1': other.rdsEndpoint, 'eu-west-1': cloud.rdsEndpoint },
        sts: cloud.stsEndpoint,
      },
      staticCredentials: simAwsCredentials,
    });
    try {
      // when a cycle scans both regions
      assert.deepEqual(statuses(await aws.scan()), ['complete']);
      // then each simulator saw only the regions routed to it
      const seen = (c: SimCloud, service: string): string[] => {
        const entries = c.requestLog().filter((e) => e.service === service);
        return [...new Set(entries.map((e) => e.region))].sort();
      };
      assert.deepEqual(seen(cloud, 'ec2'), ['us-east-1']);
      assert.deepEqual(seen(other, 'ec2'), ['eu-west-1']);
      assert.deepEqual(seen(cloud, 'rds'), ['eu-west-1']);
      assert.deepEqual(seen(other, 'rds'), ['us-east-1']);
      assert.deepEqual(seen(other, 'sts'), []);
    } finally {
      aws.destroy();
      await other.close();
    }
  });
});
