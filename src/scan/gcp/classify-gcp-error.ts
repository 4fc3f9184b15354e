/**
 * Maps what @google-cloud/compute (REST transport, google-gax) throws to a scope error
 * code. It looks at the gRPC status `code` that gax derives from the HTTP status, the
 * ErrorInfo `reason`, an HTTP `status` on transport errors, the error class, and Node
 * network codes — never at message text.
 *
 * Rate limits: Compute answers 429 (RESOURCE_EXHAUSTED) or 403 with reason
 * `rateLimitExceeded`/`RATE_LIMIT_EXCEEDED`; both are `throttled`, and retryable.
 */
import type { ScopeError } from '../../model/events.js';
import {
  abortError,
  describeError,
  isNetworkError,
  ScanError,
  type ScopeErrorCode,
} from '../scan-error.js';

/** gRPC status codes (google-gax `Status`). */
const GRPC = {
  CANCELLED: 1,
  DEADLINE_EXCEEDED: 4,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
} as const;

const RATE_LIMIT_REASONS: ReadonlySet<string> = new Set([
  'rateLimitExceeded',
  'userRateLimitExceeded',
  'RATE_LIMIT_EXCEEDED',
  'quotaExceeded',
]);

interface GcpErrorShape {
  code?: unknown;
  reason?: unknown;
  status?: unknown;
  response?: { status?: unknown };
}

export function classifyGcpError(err: unknown, signal?: AbortSignal): ScopeError {
  if (signal?.aborted === true) return abortError(signal).toScopeError();
  return { code: gcpErrorCode(err, signal), message: gcpErrorMessage(err) };
}

export function gcpErrorCode(err: unknown, signal?: AbortSignal): ScopeErrorCode {
  if (signal?.aborted === true) return abortError(signal).code;
  if (err instanceof ScanError) return err.code;
  if (err instanceof SyntaxError) return 'malformed-response';
  if (typeof err !== 'object' || err === null) return 'other';
  const shape = err as GcpErrorShape;
  if (typeof shape.reason === 'string' && RATE_LIMIT_REASONS.has(shape.reason)) return 'throttled';
  if (typeof shape.code === 'number') {
    const byGrpc = fromGrpc(shape.code);
    if (byGrpc !== null) return byGrpc;
  }
  const status = typeof shape.status === 'number' ? shape.status : shape.response?.status;
  if (typeof status === 'number') {
    if (status === 429) return 'throttled';
    if (status === 401 || status === 403) return 'access-denied';
    if (status >= 500) return 'server-error';
  }
  if (isNetworkError(err)) return 'unreachable';
  return 'other';
}

/**
 * The error's own description, led by the HTTP status when the transport saw one, so that
 * an error answer with an empty body (gaxios then has no message) still says what came back.
 */
function gcpErrorMessage(err: unknown): string {
  if (err instanceof ScanError || typeof err !== 'object' || err === null) {
    return describeError(err);
  }
  const shape = err as GcpErrorShape;
  const status = typeof shape.status === 'number' ? shape.status : shape.response?.status;
  if (typeof status !== 'number') return describeError(err);
  if (err instanceof Error && err.message === '') return `HTTP ${status} with an empty body`;
  return `HTTP ${status}: ${describeError(err)}`;
}

/** Worth another attempt: rate limits, 5xx, timeouts and connection failures. */
export function isRetryableGcpError(err: unknown): boolean {
  const code = gcpErrorCode(err);
  return code === 'throttled' || code === 'server-error' || code === 'unreachable';
}

function fromGrpc(code: number): ScopeErrorCode | null {
  switch (code) {
    case GRPC.RESOURCE_EXHAUSTED:
      return 'throttled';
    case GRPC.PERMISSION_DENIED:
    case GRPC.UNAUTHENTICATED:
      return 'access-denied';
    case GRPC.INTERNAL:
    case GRPC.UNAVAILABLE:
      return 'server-error';
    case GRPC.DEADLINE_EXCEEDED:
      return 'unreachable';
    case GRPC.CANCELLED:
      return 'aborted';
    default:
      return null;
  }
}
