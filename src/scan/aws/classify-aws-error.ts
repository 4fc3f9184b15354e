/**
 * Maps what the AWS SDK v3 throws to a scope error code. It looks at the error's `name`
 * (the service's error code, e.g. `RequestLimitExceeded`), `$fault`, the HTTP status in
 * `$metadata`, and Node network codes — never at message text.
 *
 * By the time an error reaches here the SDK's retry strategy has given up, so a throttling
 * code means "throttled past the configured attempts".
 */
import type { ScopeError } from '../../changes/events.js';
import { describeError, isNetworkError, ScanError, type ScopeErrorCode } from '../scan-error.js';

const THROTTLING_CODES: ReadonlySet<string> = new Set([
  'RequestLimitExceeded',
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestThrottled',
  'RequestThrottledException',
  'TooManyRequestsException',
  'SlowDown',
  'EC2ThrottledException',
  'BandwidthLimitExceeded',
  'PriorRequestNotComplete',
]);

const ACCESS_DENIED_CODES: ReadonlySet<string> = new Set([
  'UnauthorizedOperation',
  'AccessDenied',
  'AccessDeniedException',
  'AuthFailure',
  'AuthorizationError',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'SignatureDoesNotMatch',
  'ExpiredToken',
  'ExpiredTokenException',
  'OptInRequired',
  'Blocked',
  'CredentialsProviderError',
]);

const TIMEOUT_NAMES: ReadonlySet<string> = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException']);

interface AwsErrorShape {
  name?: unknown;
  $fault?: unknown;
  $metadata?: { httpStatusCode?: unknown; attempts?: unknown };
  $response?: unknown;
}

export function classifyAwsError(err: unknown, signal?: AbortSignal): ScopeError {
  return { code: awsErrorCode(err, signal), message: awsErrorMessage(err) };
}

export function awsErrorCode(err: unknown, signal?: AbortSignal): ScopeErrorCode {
  if (signal?.aborted === true) return 'aborted';
  if (err instanceof ScanError) return err.code;
  if (typeof err !== 'object' || err === null) return 'other';
  const shape = err as AwsErrorShape;
  const name = typeof shape.name === 'string' ? shape.name : '';
  const status = typeof shape.$metadata?.httpStatusCode === 'number' ? shape.$metadata.httpStatusCode : 0;
  if (name === 'AbortError') return 'aborted';
  if (THROTTLING_CODES.has(name) || status === 429) return 'throttled';
  if (ACCESS_DENIED_CODES.has(name) || status === 401 || status === 403) return 'access-denied';
  if (shape.$fault === 'server' || status >= 500) return 'server-error';
  if (TIMEOUT_NAMES.has(name) || isNetworkError(err)) return 'unreachable';
  // A deserialization failure: the SDK attaches the raw `$response` but, unlike a service
  // exception, sets no `$fault`.
  if (shape.$response !== undefined && shape.$fault === undefined) return 'malformed-response';
  return 'other';
}

function awsErrorMessage(err: unknown): string {
  const attempts = (err as AwsErrorShape | null)?.$metadata?.attempts;
  const suffix = typeof attempts === 'number' && attempts > 1 ? ` (after ${attempts} attempts)` : '';
  return `${describeError(err)}${suffix}`;
}
