import { DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { simEc2Client } from '../../src/sim/clients.js';
import type { SimCloud } from '../../src/sim/cloud.js';
import { runSimStandalone, type SimLog } from '../../src/sim/main.js';
import { ACCOUNT, smallScenario } from './sim-fixtures.js';

describe('runSimStandalone', () => {
  it('serves, advances ticks on its interval, and stops when aborted', async () => {
    const lines: string[] = [];
    const log: SimLog = { info: ((obj: unknown, msg?: string) => { lines.push(`${msg ?? ''} ${JSON.stringify(obj)}`); }) as SimLog['info'], warn: (() => {}) as SimLog['warn'] };
    const abort = new AbortController();
    let cloud: SimCloud | undefined;
    const write = process.stdout.write.bind(process.stdout);
    const printed: string[] = [];
    process.stdout.write = ((chunk: string) => { printed.push(String(chunk)); return true; }) as typeof process.stdout.write;
    const done = runSimStandalone(smallScenario(), log, { tickIntervalMs: 20, signal: abort.signal, onReady: (c) => { cloud = c; } });
    try {
      while (cloud === undefined) await new Promise((r) => setTimeout(r, 5));
    } finally {
      process.stdout.write = write;
    }
    const out = await simEc2Client(cloud, ACCOUNT, 'us-east-1').send(new DescribeInstancesCommand({}));
    assert.ok((out.Reservations ?? []).length > 0);
    await new Promise((r) => setTimeout(r, 100));
    assert.ok(cloud.world.tick >= 2, `ticks should advance, at ${cloud.world.tick}`);
    abort.abort();
    await done;
    assert.ok(printed.join('').includes(cloud.ec2Endpoint), 'the EC2 endpoint is printed');
    assert.ok(printed.join('').includes('SIMULATED'), 'the output says it is simulated');
    assert.ok(lines.some((l) => l.startsWith('simulated cloud stopped')));
  });
});
