/** A ~300-byte change event shaped like a real one: an EC2 instance record with tags. */
export function sampleChangeEvent(i: number): Record<string, unknown> {
  const id = `i-0${(0x1000000 + i).toString(16).padStart(16, '0')}`;
  return {
    type: 'appeared',
    key: `aws/123456789012/us-east-1/ec2.instance/${id}`,
    record: {
      id,
      name: `web-${i % 1000}`,
      state: i % 7 === 0 ? 'stopped' : 'running',
      owner: i % 5 === 0 ? null : 'platform',
      tags: { Name: `web-${i % 1000}`, Owner: 'platform', env: 'prod' },
      attrs: { instanceType: 'm5.large', availabilityZone: 'us-east-1a', vpcId: 'vpc-0a1b2c3d', privateIp: '10.0.1.23', spot: false },
    },
  };
}
