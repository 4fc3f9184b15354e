/**
 * Maps what the AWS SDK v3 throws to a scope error code. It looks at the error's `name`
 * (the service's error code, e.g. `RequestLimitExceeded`), `$fault`, the HTTP status in
 * `$metadata`, and Node network codes — never at message text.
 *
 * By the time an error reaches here the SDK's retry strategy has given up, so a throttling
 * code means "throttled past the configured attempts".
 */
import type { ScopeError } from '../../model/events.js';
import {
  abortError,
  describeError,
  isNetworkError,
  ScanError,
  type ScopeErrorCode,
} from '../scan-error.js';

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

/**
 * The names the SDK gives a service error whose body carries no error code (an empty or
 * foreign error body); the HTTP status is then all there is to report.
 */
const NO_ERROR_CODE_NAMES: ReadonlySet<string> = new Set(['Unknown', 'UnknownError']);

export function classifyAwsError(err: unknown, signal?: AbortSignal): ScopeError {
  if (signal?.aborted === true) return abortError(signal).toScopeError();
  return { code: awsErrorCode(err, signal), message: awsErrorMessage(err) };
}

export function awsErrorCode(err: unknown, signal?: AbortSignal): ScopeErrorCode {
  if (signal?.aborted === true) return abortError(signal).code;
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
  if (isDeserializationError(shape)) return 'malformed-response';
  return 'other';
}

function awsErrorMessage(err: unknown): string {
  const shape = typeof err === 'object' && err !== null ? (err as AwsErrorShape) : null;
  const attempts = shape?.$metadata?.attempts;
  const suffix = typeof attempts === 'number' && attempts > 1 ? ` (after ${attempts} attempts)` : '';
  const status = shape?.$metadata?.httpStatusCode;
  const noErrorCode = typeof shape?.name === 'string' && NO_ERROR_CODE_NAMES.has(shape.name);
  if (noErrorCode && typeof status === 'number') {
    return `HTTP ${status} with no error code in the body${suffix}`;
  }
  if (shape !== null && isDeserializationError(shape)) {
    const type = contentType(shape.$response);
    return `HTTP ${status ?? '?'} body${type !== null ? ` (${type})` : ''} does not parse as the ` +
      `Query protocol's XML, so it is not a listing: ${describeError(err)}`;
  }
  return `${describeError(err)}${suffix}`;
}

/** A body the SDK could not parse: it attaches the raw `$response` but, unlike a service
 * exception, sets no `$fault`. */
function isDeserializationError(shape: AwsErrorShape): boolean {
  return shape.$response !== undefined && shape.$fault === undefined;
}

function contentType(response: unknown): string | null {
  const headers = (response as { headers?: unknown } | null)?.headers;
  if (typeof headers !== 'object' || headers === null) return null;
  const value = (headers as Record<string, unknown>)['content-type'];
  return typeof value === 'string' ? value.slice(0, 100) : null;
}
