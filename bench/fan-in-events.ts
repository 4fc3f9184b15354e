/**
 * The fan-in benchmark's events: ~350-byte appeared events with a full EC2 instance record,
 * as a scan writes them, distinct for (cycle, i).
 */
import type { ElavaEvent } from '../src/model/events.js';

export function fanInEvent(cycle: number, i: number): ElavaEvent {
  const id = `i-${(cycle * 1_000_000 + i).toString(16).padStart(17, '0')}`;
  const key = `aws/123456789012/us-east-1/ec2.instance/${id}`;
  return {
    type: 'appeared', key,
    record: {
      key, provider: 'aws', account: '123456789012', region: 'us-east-1', type: 'ec2.instance', id,
      name: `web-${i % 1000}`, state: 'running', owner: 'platform',
      tags: { Name: `web-${i % 1000}`, Owner: 'platform', env: 'prod' },
      attrs: { instanceType: 'm5.large', availabilityZone: 'us-east-1a', vpcId: 'vpc-0a1b2c3d', privateIp: '10.0.1.23' },
    },
  };
}

export function fanInCycle(cycle: number, n: number): ElavaEvent[] {
  const out: ElavaEvent[] = [];
  for (let i = 0; i < n; i++) out.push(fanInEvent(cycle, i));
  return out;
}
