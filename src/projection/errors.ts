/**
 * Operating errors of projections and replay: bad input read back from disk. Callers
 * switch on `code`, never on the message.
 */
import type { RecordLocation } from '../model/record-location.js';

export type ProjectionErrorCode =
  /** An event payload that is not a well-formed Elava event. */
  | 'PROJECTION_BAD_EVENT'
  /** Log entries out of revision order, or a commit whose event count does not match. */
  | 'PROJECTION_BAD_LOG'
  /** A snapshot that restore() cannot take. */
  | 'PROJECTION_BAD_SNAPSHOT';

export class ProjectionError extends Error {
  override readonly name = 'ProjectionError';
  readonly code: ProjectionErrorCode;
  readonly projection: string | undefined;
  /** Where the offending record sits in the log, when it came from the log. */
  readonly location: RecordLocation | undefined;

  constructor(code: ProjectionErrorCode, message: string, details: { projection?: string; location?: RecordLocation } = {}) {
    super(message);
    this.code = code;
    this.projection = details.projection;
    this.location = details.location;
  }
}

export function isProjectionError(err: unknown, code?: ProjectionErrorCode): err is ProjectionError {
  return err instanceof ProjectionError && (code === undefined || err.code === code);
}
