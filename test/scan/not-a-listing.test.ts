/**
 * A response that is not a listing is a failed scope (`malformed-response`), never an
 * empty complete one — through the real SDK clients, with the SIMULATED cloud answering
 * each of the bodies a proxy in front of a cloud really returns. Each vector fires on
 * tick 1 only, after a clean tick 0 (faulty-cycle.ts): the faulty scopes must fail with
 * the right code, and none of their resources may be reported gone although some really
 * disappeared during the tick.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { SimBadBody, SimFault, SimScenario } from '../../src/sim/scenario.js';
import { scopeString } from '../../src/model/scope.js';
import { cleanThenFaulty, failedScopes } from './faulty-cycle.js';
import { startHarness } from './sim-harness.js';

/** Three EC2 pages, two RDS pages and two Compute pages per listing, so page faults have room. */
const PAGED: Partial<SimScenario> = {
  fleet: { ec2Instances: 20, ec2Volumes: 20, rdsInstances: 25, gceInstances: 5, gceDisks: 5 },
  pageSize: { ec2: 8, rds: 20, gcp: 6 },
};

const EC2_EAST = [
  'aws/111111111111/us-east-1/ec2.instance',
  'aws/111111111111/us-east-1/ec2.volume',
];
const RDS_WEST = ['aws/111111111111/eu-west-1/rds.instance'];
const GCP_ALL = [
  'gcp/sim-project-a/europe-west1-b/gce.disk',
  'gcp/sim-project-a/europe-west1-b/gce.instance',
  'gcp/sim-project-a/us-central1-a/gce.disk',
  'gcp/sim-project-a/us-central1-a/gce.instance',
];

function awsBody(body: SimBadBody): SimFault[] {
  return [
    { kind: 'bad-body', service: 'ec2', region: 'us-east-1', body, ticks: [1] },
    { kind: 'bad-body', service: 'rds', region: 'eu-west-1', body, ticks: [1] },
  ];
}

function gcpBody(body: SimBadBody): SimFault[] {
  return [{ kind: 'bad-body', service: 'gcp', body, ticks: [1] }];
}

interface Vector {
  what: string;
  faults: SimFault[];
  failed: string[];
  /** What every failed scope's message must say. */
  message: RegExp;
}

const VECTORS: Vector[] = [
  {
    what: 'an HTML page answered with 200 (a captive portal)',
    faults: awsBody('html'),
    failed: [...RDS_WEST, ...EC2_EAST],
    message: /HTTP 200 body \(text\/html.*does not parse/,
  },
  {
    what: 'an empty 200',
    faults: awsBody('empty'),
    failed: [...RDS_WEST, ...EC2_EAST],
    message: /came back without (Reservations|Volumes|DBInstances)/,
  },
  {
    what: 'JSON where XML is due',
    faults: awsBody('json'),
    failed: [...RDS_WEST, ...EC2_EAST],
    message: /application\/json.*does not parse/,
  },
  {
    what: 'the answer to another action',
    faults: awsBody('other-action'),
    failed: [...RDS_WEST, ...EC2_EAST],
    message: /came back without/,
  },
  {
    what: "the action's envelope without its list",
    faults: awsBody('no-list-member'),
    failed: [...RDS_WEST, ...EC2_EAST],
    message: /came back without/,
  },
  {
    what: 'a page that hands back the token it was asked with',
    faults: [
      { kind: 'repeated-token', service: 'ec2', region: 'us-east-1', page: 2, ticks: [1] },
      { kind: 'repeated-token', service: 'rds', region: 'eu-west-1', page: 2, ticks: [1] },
    ],
    failed: [...RDS_WEST, ...EC2_EAST],
    message: /page 2 handed back a page token already asked with/,
  },
  { what: 'an HTML page from Compute', faults: gcpBody('html'), failed: GCP_ALL, message: /JSON/ },
  {
    what: 'an empty 200 from Compute',
    faults: gcpBody('empty'),
    failed: GCP_ALL,
    message: /empty body/,
  },
  { what: 'XML where JSON is due', faults: gcpBody('not-json'), failed: GCP_ALL, message: /JSON/ },
  {
    what: 'a JSON object without kind',
    faults: gcpBody('no-kind'),
    failed: GCP_ALL,
    message: /has no kind, not compute#/,
  },
  {
    what: "another type's aggregated list",
    faults: gcpBody('wrong-kind'),
    failed: GCP_ALL,
    message: /has kind "compute#\w+AggregatedList", not compute#/,
  },
  {
    what: 'a Compute page that hands back the token it was asked with',
    faults: [{ kind: 'repeated-token', service: 'gcp', page: 2, ticks: [1] }],
    failed: GCP_ALL,
    message: /page 2 handed back a page token already asked with/,
  },
];

describe('a response that is not a listing fails its scope', () => {
  for (const v of VECTORS) {
    it(`${v.what} fails the scope as malformed-response and reports nothing gone`, async () => {
      // given a clean tick 0, and the body on tick 1 (when resources really disappear)
      const cycle = await cleanThenFaulty(v.faults, PAGED);
      // then exactly the faulty scopes failed, as malformed responses, saying why
      assert.deepEqual(
        failedScopes(cycle),
        v.failed.map((s) => `${s} malformed-response`),
      );
      for (const r of cycle.failed) {
        assert.ok(
          r.status === 'failed' && v.message.test(r.error.message),
          `${scopeString(r.scope)}: ${r.status === 'failed' ? r.error.message : ''}`,
        );
      }
      // and the tick really removed resources there, which were not reported gone
      assert.ok(cycle.sparedCount > 0, 'the tick really removed resources in the failed scopes');
    });
  }

  it('an HTML page in place of page 2 keeps page 1 as partial records, not a listing', async () => {
    const cycle = await cleanThenFaulty(
      [
        {
          kind: 'bad-body',
          service: 'ec2',
          region: 'us-east-1',
          body: 'html',
          page: 2,
          ticks: [1],
        },
      ],
      PAGED,
    );
    assert.deepEqual(
      failedScopes(cycle),
      EC2_EAST.map((s) => `${s} malformed-response`),
    );
    for (const r of cycle.failed)
      assert.equal(r.status === 'failed' ? r.partialRecords.length : -1, 8, 'page 1 of 8 was seen');
  });

  it('a genuinely empty region is a complete scope with no records', async () => {
    // given a cloud with nothing in it: every listing answers an empty list
    const h = await startHarness({
      fleet: { ec2Instances: 0, ec2Volumes: 0, rdsInstances: 0, gceInstances: 0, gceDisks: 0 },
    });
    try {
      const results = await h.scan();
      // then every scope is complete and empty: an empty list is a listing, a missing one is not
      assert.deepEqual(
        results.filter((r) => r.status !== 'complete').map((r) => scopeString(r.scope)),
        [],
      );
      assert.equal(results.length, 10);
      assert.ok(results.every((r) => r.status === 'complete' && r.records.length === 0));
    } finally {
      await h.close();
    }
  });
});

describe('an error answer with an empty body', () => {
  it('is a server error reported with its HTTP status, not "Unknown"', async () => {
    const faults: SimFault[] = [...awsBody('empty-500'), ...gcpBody('empty-500')];
    const cycle = await cleanThenFaulty(faults, PAGED);
    assert.deepEqual(
      failedScopes(cycle),
      [...GCP_ALL, ...RDS_WEST, ...EC2_EAST].sort().map((s) => `${s} server-error`),
    );
    for (const r of cycle.failed) {
      const message = r.status === 'failed' ? r.error.message : '';
      assert.match(message, /HTTP 500/);
      assert.doesNotMatch(message, /Unknown/);
    }
  });
});
