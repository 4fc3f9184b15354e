/**
 * What the SIMULATED cloud was asked and what it answered, for tests that check retries
 * (`attempt` is the AWS SDK's `amz-sdk-request` header, e.g. `attempt=2; max=3`) and
 * fault placement. Bounded: only the newest entries are kept.
 */

export interface SimRequestLogEntry {
  service: string;
  action: string;
  /** AWS region; for GCP the project (aggregated lists are per project). */
  region: string;
  /** AWS account id or GCP project; '' when the request could not be attributed. */
  account: string;
  /** 1-based page number requested; 0 when the request did not get that far. */
  page: number;
  status: number;
  attempt: string | null;
  /** The fault that shaped the answer, if any. */
  fault: string | null;
  tick: number;
}

const REQUEST_LOG_ENTRIES_MAX = 200_000;

export class RequestLog {
  private entries: SimRequestLogEntry[] = [];

  add(entry: SimRequestLogEntry): void {
    if (this.entries.length >= REQUEST_LOG_ENTRIES_MAX) this.entries = this.entries.slice(REQUEST_LOG_ENTRIES_MAX / 2);
    this.entries.push(entry);
  }

  snapshot(): SimRequestLogEntry[] {
    return this.entries.map((e) => ({ ...e }));
  }

  clear(): void {
    this.entries = [];
  }
}
