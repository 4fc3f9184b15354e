/**
 * Decides which of the scenario's faults hit one request to the SIMULATED cloud.
 *
 * A fault matches a request when its service matches, the current tick is in its `ticks`
 * (or it has none), its `region` equals the request's region (AWS) or project (GCP), and its
 * `account` (if given) equals the request's account or project.
 *
 * Throttle counting: each throttle fault counts requests per listing stream — tick ×
 * account × region × action — and fails the first `times` of them. So `times: 2` costs every
 * listing two retries and it still succeeds under the SDK's default three attempts, while
 * `times: 3` fails every matching listing, however many run concurrently.
 */

import type { SimBadBody, SimFault, SimScenario, SimService } from './scenario.js';

export interface FaultRequest {
  service: SimService;
  /** AWS account id, or GCP project. */
  account: string;
  /** AWS region, or GCP project (aggregated lists are per project). */
  region: string;
  action: string;
  /** 1-based page number the request asks for. */
  page: number;
  tick: number;
}

export type FaultFailure = 'throttle' | 'access-denied' | 'error-on-page' | 'malformed';

export interface FaultDecision {
  delayMs: number;
  /** The failure to answer with, in precedence order access-denied > throttle > error-on-page > malformed. */
  failure: FaultFailure | null;
  /** Zones that `unreachable-zone` faults take out of this request (GCP). */
  unreachableZones: string[];
  /**
   * A body to answer instead of the page (the first matching `bad-body` fault); it yields
   * to an error `failure` and takes precedence over `malformed`.
   */
  badBody: SimBadBody | null;
  /** Hand back the page token the request was asked with (`repeated-token`). */
  repeatToken: boolean;
}

/** Bound on distinct throttle counters kept; old ticks are dropped first. */
const THROTTLE_COUNTERS_MAX = 100_000;

export class FaultPlan {
  private readonly throttleCounts = new Map<string, number>();

  constructor(private readonly scenario: SimScenario) {}

  decide(req: FaultRequest): FaultDecision {
    const decision: FaultDecision = {
      delayMs: 0, failure: null, unreachableZones: [], badBody: null, repeatToken: false,
    };
    const hits: FaultFailure[] = [];
    this.scenario.faults.forEach((fault, index) => {
      if (!activeOn(fault, req)) return;
      switch (fault.kind) {
        case 'slow': decision.delayMs += fault.delayMs; return;
        case 'unreachable-zone': decision.unreachableZones.push(fault.zone); return;
        case 'access-denied': hits.push('access-denied'); return;
        case 'throttle': if (this.countThrottle(index, req) <= fault.times) hits.push('throttle'); return;
        case 'error-on-page': if (fault.page === req.page) hits.push('error-on-page'); return;
        case 'malformed': hits.push('malformed'); return;
        case 'bad-body':
          if (fault.page === undefined || fault.page === req.page) decision.badBody ??= fault.body;
          return;
        case 'repeated-token': if (fault.page === req.page) decision.repeatToken = true; return;
      }
    });
    const order: FaultFailure[] = ['access-denied', 'throttle', 'error-on-page', 'malformed'];
    decision.failure = order.find((f) => hits.includes(f)) ?? null;
    return decision;
  }

  private countThrottle(index: number, req: FaultRequest): number {
    const key = `${index}|${req.tick}|${req.account}|${req.region}|${req.action}`;
    const count = (this.throttleCounts.get(key) ?? 0) + 1;
    if (this.throttleCounts.size >= THROTTLE_COUNTERS_MAX) this.throttleCounts.clear();
    this.throttleCounts.set(key, count);
    return count;
  }
}

function activeOn(fault: SimFault, req: FaultRequest): boolean {
  if (fault.ticks !== undefined && !fault.ticks.includes(req.tick)) return false;
  if (fault.account !== undefined && fault.account !== req.account) return false;
  if (fault.kind === 'unreachable-zone') return req.service === 'gcp';
  if (fault.service !== req.service) return false;
  return fault.region === undefined || fault.region === req.region;
}
