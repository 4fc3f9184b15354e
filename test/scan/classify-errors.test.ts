import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { awsErrorCode } from '../../src/scan/aws/classify-aws-error.js';
import { gcpErrorCode } from '../../src/scan/gcp/classify-gcp-error.js';
import { zoneOfUnreachable } from '../../src/scan/gcp/scan-gce.js';
import { ScanError } from '../../src/scan/scan-error.js';

function awsError(name: string, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error('text that must not matter'), { name, ...extra });
}

describe('AWS error classification', () => {
  const cases: { name: string; err: unknown; code: string }[] = [
    { name: 'EC2 RequestLimitExceeded is throttled', err: awsError('RequestLimitExceeded', { $fault: 'client', $metadata: { httpStatusCode: 503 } }), code: 'throttled' },
    { name: 'RDS Throttling is throttled', err: awsError('Throttling', { $fault: 'client', $metadata: { httpStatusCode: 400 } }), code: 'throttled' },
    { name: 'UnauthorizedOperation is access denied', err: awsError('UnauthorizedOperation', { $fault: 'client', $metadata: { httpStatusCode: 403 } }), code: 'access-denied' },
    { name: 'OptInRequired (region not enabled) is access denied', err: awsError('OptInRequired', { $fault: 'client' }), code: 'access-denied' },
    { name: 'a server fault is a server error', err: awsError('InternalError', { $fault: 'server', $metadata: { httpStatusCode: 500 } }), code: 'server-error' },
    { name: 'a parse failure with the raw response attached is malformed', err: Object.defineProperty(new Error('XML'), '$response', { value: {} }), code: 'malformed-response' },
    { name: 'a refused connection is unreachable', err: Object.assign(new Error('x'), { code: 'ECONNREFUSED' }), code: 'unreachable' },
    { name: 'AbortError is aborted', err: awsError('AbortError'), code: 'aborted' },
    { name: 'a ScanError keeps its code', err: new ScanError('malformed-response', 'no id'), code: 'malformed-response' },
    { name: 'anything else is other', err: awsError('ValidationError', { $fault: 'client', $metadata: { httpStatusCode: 400 } }), code: 'other' },
  ];
  for (const c of cases) it(c.name, () => assert.equal(awsErrorCode(c.err), c.code));

  it('reports aborted whenever the signal fired, whatever was thrown', () => {
    const controller = new AbortController();
    controller.abort();
    assert.equal(awsErrorCode(awsError('InternalError', { $fault: 'server' }), controller.signal), 'aborted');
  });
});

describe('GCP error classification', () => {
  const cases: { name: string; err: unknown; code: string }[] = [
    { name: 'RESOURCE_EXHAUSTED is throttled', err: Object.assign(new Error('x'), { code: 8 }), code: 'throttled' },
    { name: '403 with reason rateLimitExceeded is throttled, not denied', err: Object.assign(new Error('x'), { code: 7, reason: 'rateLimitExceeded' }), code: 'throttled' },
    { name: 'PERMISSION_DENIED is access denied', err: Object.assign(new Error('x'), { code: 7 }), code: 'access-denied' },
    { name: 'UNAVAILABLE is a server error', err: Object.assign(new Error('x'), { code: 14 }), code: 'server-error' },
    { name: 'a transport error with HTTP 502 is a server error', err: Object.assign(new Error('x'), { status: 502 }), code: 'server-error' },
    { name: 'a body that is not JSON is malformed', err: new SyntaxError('Unexpected token'), code: 'malformed-response' },
  ];
  for (const c of cases) it(c.name, () => assert.equal(gcpErrorCode(c.err), c.code));
});

describe('GCP unreachable entries', () => {
  const cases: [string, string | null][] = [
    ['zones/us-central1-a', 'us-central1-a'],
    ['projects/p/zones/europe-west1-b', 'europe-west1-b'],
    ['https://www.googleapis.com/compute/v1/projects/p/zones/asia-east1-c/instances', 'asia-east1-c'],
    ['regions/us-central1', null],
    ['global', null],
  ];
  for (const [entry, zone] of cases) it(`${entry} names ${zone ?? 'no zone'}`, () => assert.equal(zoneOfUnreachable(entry), zone));
});
