import { DescribeInstancesCommand, EC2ServiceException } from '@aws-sdk/client-ec2';
import { DescribeDBInstancesCommand } from '@aws-sdk/client-rds';
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { simEc2Client, simRdsClient } from '../../src/sim/clients.js';
import { startSimCloud, type SimCloud } from '../../src/sim/cloud.js';
import type { SimFault } from '../../src/sim/scenario.js';
import { ACCOUNT, listDbIds, listInstanceIds, smallScenario, truthIds } from './sim-fixtures.js';

describe('simulated AWS faults as the real SDKs see them', () => {
  let cloud: SimCloud | undefined;
  afterEach(() => cloud?.close());
  const start = async (...faults: SimFault[]): Promise<SimCloud> => (cloud = await startSimCloud(smallScenario({ faults })));

  it('an EC2 throttle is retried by the SDK and the listing still completes', async () => {
    const c = await start({ kind: 'throttle', service: 'ec2', region: 'us-east-1', times: 2 });
    const ids = await listInstanceIds(simEc2Client(c, ACCOUNT, 'us-east-1'), 100);
    assert.deepEqual([...ids].sort(), truthIds(c, 'ec2.instance', ACCOUNT, 'us-east-1'));
    const log = c.requestLog().map((e) => [e.status, e.attempt, e.fault]);
    assert.deepEqual(log, [
      [503, 'attempt=1; max=3', 'throttle'],
      [503, 'attempt=2; max=3', 'throttle'],
      [200, 'attempt=3; max=3', null],
    ]);
  });

  it('a throttle with more failures than the SDK has attempts surfaces RequestLimitExceeded', async () => {
    const c = await start({ kind: 'throttle', service: 'ec2', times: 3 });
    await assert.rejects(listInstanceIds(simEc2Client(c, ACCOUNT, 'eu-west-1')), { name: 'RequestLimitExceeded' });
  });

  it('an RDS Throttling error is retried by the SDK and the listing still completes', async () => {
    const c = await start({ kind: 'throttle', service: 'rds', times: 1 });
    const ids = await listDbIds(simRdsClient(c, ACCOUNT, 'eu-west-1'));
    assert.equal(ids.length, 25);
    assert.deepEqual(c.requestLog().map((e) => [e.status, e.attempt]), [[400, 'attempt=1; max=3'], [200, 'attempt=2; max=3']]);
  });

  it('access denied in one region is the typed UnauthorizedOperation there and nowhere else', async () => {
    const c = await start({ kind: 'access-denied', service: 'ec2', region: 'eu-west-1' });
    const err = await simEc2Client(c, ACCOUNT, 'eu-west-1').send(new DescribeInstancesCommand({})).then(() => null, (e: unknown) => e);
    assert.ok(err instanceof EC2ServiceException);
    assert.equal(err.name, 'UnauthorizedOperation');
    assert.equal(err.$metadata.httpStatusCode, 403);
    assert.equal((await listInstanceIds(simEc2Client(c, ACCOUNT, 'us-east-1'))).length, 30);
  });

  it('RDS access denied is the typed AccessDenied error with status 403', async () => {
    const c = await start({ kind: 'access-denied', service: 'rds', region: 'us-east-1' });
    await assert.rejects(simRdsClient(c, ACCOUNT, 'us-east-1').send(new DescribeDBInstancesCommand({})), (e: unknown) => {
      const err = e as { name: string; $metadata: { httpStatusCode?: number } };
      return err.name === 'AccessDenied' && err.$metadata.httpStatusCode === 403;
    });
  });

  it('error-on-page fails page 3 of 6 after pages 1 and 2 came back', async () => {
    const c = await start({ kind: 'error-on-page', service: 'ec2', page: 3 });
    await assert.rejects(listInstanceIds(simEc2Client(c, ACCOUNT, 'us-east-1'), 5), { name: 'InternalError' });
    const log = c.requestLog().map((e) => [e.page, e.status]);
    assert.deepEqual(log, [[1, 200], [2, 200], [3, 500], [3, 500], [3, 500]]);
  });

  it('error-on-page in RDS fails the Marker page it names', async () => {
    const c = await start({ kind: 'error-on-page', service: 'rds', page: 2 });
    await assert.rejects(listDbIds(simRdsClient(c, ACCOUNT, 'us-east-1'), 20), { name: 'InternalFailure' });
    assert.deepEqual(c.requestLog().filter((e) => e.status === 200).map((e) => e.page), [1]);
  });

  it('a malformed EC2 body makes the SDK throw instead of returning a short page', async () => {
    const c = await start({ kind: 'malformed', service: 'ec2' });
    await assert.rejects(simEc2Client(c, ACCOUNT, 'us-east-1').send(new DescribeInstancesCommand({})));
    assert.equal(c.requestLog()[0]?.fault, 'malformed');
  });

  it('a malformed RDS body makes the SDK throw', async () => {
    const c = await start({ kind: 'malformed', service: 'rds' });
    await assert.rejects(simRdsClient(c, ACCOUNT, 'us-east-1').send(new DescribeDBInstancesCommand({})));
  });

  it('a slow fault delays the answer by its delayMs', async () => {
    const c = await start({ kind: 'slow', service: 'ec2', delayMs: 300 });
    const t0 = performance.now();
    await simEc2Client(c, ACCOUNT, 'us-east-1').send(new DescribeInstancesCommand({}));
    assert.ok(performance.now() - t0 >= 290, 'the answer must wait the delay');
  });

  it('a fault limited to tick 1 spares tick 0 and hits tick 1', async () => {
    const c = await start({ kind: 'access-denied', service: 'ec2', region: 'us-east-1', ticks: [1] });
    const client = simEc2Client(c, ACCOUNT, 'us-east-1');
    await client.send(new DescribeInstancesCommand({}));
    c.advance();
    await assert.rejects(client.send(new DescribeInstancesCommand({})), { name: 'UnauthorizedOperation' });
  });
});
