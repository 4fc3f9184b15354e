/**
 * What the real SDKs make of the SIMULATED cloud's answers that are not listings — the
 * facts the scanners' checks stand on (src/scan/aws/list-scope.ts): a body that does not
 * parse makes the SDK throw; a body that parses but is not this listing comes back with no
 * list member at all, while a genuinely empty listing comes back with an empty list.
 */
import { DescribeInstancesCommand, DescribeVolumesCommand } from '@aws-sdk/client-ec2';
import { DescribeDBInstancesCommand } from '@aws-sdk/client-rds';
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { simEc2Client, simRdsClient } from '../../src/sim/clients.js';
import { startSimCloud, type SimCloud } from '../../src/sim/cloud.js';
import type { SimBadBody } from '../../src/sim/scenario.js';
import { ACCOUNT, smallScenario } from './sim-fixtures.js';

type Outcome = 'throws' | 'no list member' | 'empty list';

/** What each SDK call hands back, as one word: its list member's presence, or a throw. */
async function outcome(call: () => Promise<object>, member: string): Promise<Outcome> {
  try {
    const out = await call();
    const list: unknown = (out as Record<string, unknown>)[member];
    if (list === undefined) return 'no list member';
    assert.ok(Array.isArray(list) && list.length === 0, `${member} is an empty list`);
    return 'empty list';
  } catch {
    return 'throws';
  }
}

const CASES: [SimBadBody, Outcome][] = [
  ['html', 'throws'],
  ['json', 'throws'],
  ['empty', 'no list member'],
  ['other-action', 'no list member'],
  ['no-list-member', 'no list member'],
];

describe('answers that are not listings, as the real AWS SDKs see them', () => {
  let cloud: SimCloud | undefined;
  afterEach(() => cloud?.close());

  for (const [body, expected] of CASES) {
    it(`a ${body} body: ${expected} for DescribeInstances, DescribeVolumes, DescribeDBInstances`, async () => {
      cloud = await startSimCloud(
        smallScenario({
          faults: [
            { kind: 'bad-body', service: 'ec2', body },
            { kind: 'bad-body', service: 'rds', body },
          ],
        }),
      );
      const ec2 = simEc2Client(cloud, ACCOUNT, 'us-east-1');
      const rds = simRdsClient(cloud, ACCOUNT, 'us-east-1');
      const seen = [
        await outcome(() => ec2.send(new DescribeInstancesCommand({})), 'Reservations'),
        await outcome(() => ec2.send(new DescribeVolumesCommand({})), 'Volumes'),
        await outcome(() => rds.send(new DescribeDBInstancesCommand({})), 'DBInstances'),
      ];
      assert.deepEqual(seen, [expected, expected, expected]);
      assert.ok(cloud.requestLog().every((e) => e.fault === 'bad-body'));
    });
  }

  it('a genuinely empty listing comes back as an empty list, not as a missing one', async () => {
    cloud = await startSimCloud(
      smallScenario({
        fleet: { ec2Instances: 0, ec2Volumes: 0, rdsInstances: 0, gceInstances: 0, gceDisks: 0 },
      }),
    );
    const ec2 = simEc2Client(cloud, ACCOUNT, 'us-east-1');
    const rds = simRdsClient(cloud, ACCOUNT, 'us-east-1');
    assert.equal(
      await outcome(() => ec2.send(new DescribeInstancesCommand({})), 'Reservations'),
      'empty list',
    );
    assert.equal(
      await outcome(() => ec2.send(new DescribeVolumesCommand({})), 'Volumes'),
      'empty list',
    );
    assert.equal(
      await outcome(() => rds.send(new DescribeDBInstancesCommand({})), 'DBInstances'),
      'empty list',
    );
  });

  it('repeated-token hands back, on its page, the token that page was asked with', async () => {
    cloud = await startSimCloud(
      smallScenario({ faults: [{ kind: 'repeated-token', service: 'ec2', page: 2 }] }),
    );
    const ec2 = simEc2Client(cloud, ACCOUNT, 'us-east-1');
    const first = await ec2.send(new DescribeInstancesCommand({ MaxResults: 10 }));
    assert.ok(first.NextToken !== undefined);
    const second = await ec2.send(
      new DescribeInstancesCommand({ MaxResults: 10, NextToken: first.NextToken }),
    );
    assert.equal(second.NextToken, first.NextToken);
    assert.equal(second.Reservations?.length, 10, 'the page itself still holds its items');
    assert.deepEqual(
      cloud.requestLog().map((e) => e.fault),
      [null, 'repeated-token'],
    );
  });

  it('an empty-500 is a server fault named only "Unknown", with its HTTP status kept', async () => {
    cloud = await startSimCloud(
      smallScenario({ faults: [{ kind: 'bad-body', service: 'ec2', body: 'empty-500' }] }),
    );
    const ec2 = simEc2Client(cloud, ACCOUNT, 'us-east-1');
    await assert.rejects(ec2.send(new DescribeInstancesCommand({})), (err: unknown) => {
      const e = err as { name?: string; $fault?: string; $metadata?: { httpStatusCode?: number } };
      return e.name === 'Unknown' && e.$fault === 'server' && e.$metadata?.httpStatusCode === 500;
    });
  });
});
