/**
 * The request flow shared by the SIMULATED EC2 and RDS Query endpoints:
 * form body → action → identity (account from the access key, region from the SigV4
 * scope) → page parameters → faults → one page of the world → XML.
 *
 * Accounts: all accounts are served from one endpoint. An access key id `SIM-<account>`
 * (what `simEc2Client(cloud, account, region)` uses) selects that account; an unknown
 * `SIM-` account is an auth failure; any other key id gets the scenario's first account.
 * A region the scenario does not have lists as empty, like a real region with nothing in it.
 */

import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { commonBadAnswer, isCommonBadBody, type SimAnswer } from './bad-bodies.js';
import type { FaultFailure } from './fault-plan.js';
import { decodeCursor, encodeCursor, pageOf, type PageCursor } from './page-cursor.js';
import type { SimBadBody, SimScenario } from './scenario.js';
import type { SimDeps } from './sim-deps.js';
import { header, send, sigV4Scope, sleep, truncateBody } from './sim-http.js';
import type { SimKind, SimResource } from './world.js';

export interface AwsErrorSpec { status: number; code: string; message: string }

export interface AwsQueryAction {
  kind: SimKind;
  /** Allowed page size range for the max-results parameter. */
  pageMin: number;
  pageMax: number;
  render(items: readonly SimResource[], nextToken: string | null, requestId: string): string;
  /** The action takes no page parameters and answers everything at once (DescribeAddresses). */
  unpaged?: true;
  /** Only these resources of `kind` are this action's (DB vs cluster snapshots). */
  filter?: (r: SimResource) => boolean;
  /** Parameters the request must carry, e.g. `Owner.1=self`: the simulator serves only what the account owns. */
  requiredParams?: Readonly<Record<string, string>>;
}

export interface AwsQueryService {
  service: 'ec2' | 'rds';
  actions: Record<string, AwsQueryAction>;
  maxParam: string;
  tokenParam: string;
  defaultPageSize(scenario: SimScenario): number;
  errors: Record<Exclude<FaultFailure, 'malformed'> | 'auth' | 'invalid', AwsErrorSpec>;
  renderError(error: AwsErrorSpec, message: string, requestId: string): string;
  /** A 200 body for `action` that is not its listing (see `SimBadBody`). */
  renderNotListing(body: AwsNotListing, action: string, requestId: string): string;
}

/** The `SimBadBody`s a Query protocol module renders itself. */
export type AwsNotListing = Extract<SimBadBody, 'json' | 'other-action' | 'no-list-member'>;

export const SIM_ACCESS_KEY_PREFIX = 'SIM-';

interface Ctx { account: string; region: string; action: string; page: number; attempt: string | null }

export function awsQueryHandler(svc: AwsQueryService, deps: SimDeps) {
  return async (req: IncomingMessage, body: string, res: ServerResponse): Promise<void> => {
    const params = new URLSearchParams(body);
    const scope = sigV4Scope(header(req, 'authorization') ?? undefined);
    const ctx: Ctx = { account: '', region: scope?.region ?? '', action: params.get('Action') ?? '', page: 0, attempt: header(req, 'amz-sdk-request') };
    const requestId = deps.nextRequestId();
    const fail = (e: AwsErrorSpec, message: string, fault: string | null): void => {
      send(res, e.status, 'text/xml', svc.renderError(e, message, requestId));
      logEntry(deps, svc, ctx, e.status, fault);
    };
    const action = svc.actions[ctx.action];
    if (action === undefined) return fail({ status: 400, code: 'InvalidAction', message: '' }, `The action ${ctx.action} is not valid for this simulated web service.`, null);
    const account = accountOf(scope?.accessKeyId, deps.world.scenario);
    if (scope === null || account === null) return fail(svc.errors.auth, svc.errors.auth.message, null);
    ctx.account = account;
    const missing = missingParam(params, action);
    if (missing !== null) return fail(svc.errors.invalid, missing, null);
    const paging = action.unpaged === true ? unpagedParams(params, svc) : pageParams(params, svc, action, deps.world.scenario);
    if (typeof paging === 'string') return fail(svc.errors.invalid, paging, null);
    ctx.page = paging.cursor?.page ?? 1;
    const decision = deps.faults.decide({ service: svc.service, account, region: ctx.region, action: ctx.action, page: ctx.page, tick: deps.world.tick });
    if (decision.delayMs > 0) await sleep(decision.delayMs);
    if (decision.failure !== null && decision.failure !== 'malformed') {
      const e = svc.errors[decision.failure];
      return fail(e, e.message, decision.failure);
    }
    if (decision.badBody !== null) {
      const bad = badAnswer(svc, decision.badBody, ctx.action, requestId);
      send(res, bad.status, bad.contentType, bad.body);
      return logEntry(deps, svc, ctx, bad.status, 'bad-body');
    }
    const all = deps.world.list(action.kind, account, ctx.region);
    const listing = action.filter === undefined ? all : all.filter(action.filter);
    const page = pageOf(listing, (r) => r.id, paging.cursor, paging.size);
    // A replayed page: its items, and the token it was asked with as the next one.
    const asked = params.get(svc.tokenParam);
    const next = decision.repeatToken && asked ? asked : page.next ? encodeCursor(page.next) : null;
    let xml = action.render(page.items, next, requestId);
    if (decision.failure === 'malformed') xml = truncateBody(xml);
    send(res, 200, XML_TYPE, xml);
    const repeated = next !== null && next === asked;
    logEntry(deps, svc, ctx, 200, decision.failure ?? (repeated ? 'repeated-token' : null));
  };
}

const XML_TYPE = 'text/xml;charset=UTF-8';

function badAnswer(
  svc: AwsQueryService,
  body: SimBadBody,
  action: string,
  requestId: string,
): SimAnswer {
  if (isCommonBadBody(body)) return commonBadAnswer(body, XML_TYPE);
  switch (body) {
    case 'json':
    case 'other-action':
    case 'no-list-member': {
      const contentType = body === 'json' ? 'application/json' : XML_TYPE;
      return { status: 200, contentType, body: svc.renderNotListing(body, action, requestId) };
    }
    default:
      // Scenario validation lets no Compute-only body through to an AWS service.
      assert.fail(`bad body ${body} is not one of the AWS Query protocol's`);
  }
}

/** The account an access key id selects (see the top of this file); null: not a known one. */
export function accountOf(accessKeyId: string | undefined, scenario: SimScenario): string | null {
  if (accessKeyId === undefined) return null;
  if (!accessKeyId.startsWith(SIM_ACCESS_KEY_PREFIX)) return scenario.aws.accounts[0] ?? null;
  const account = accessKeyId.slice(SIM_ACCESS_KEY_PREFIX.length);
  return scenario.aws.accounts.includes(account) ? account : null;
}

function pageParams(params: URLSearchParams, svc: AwsQueryService, action: AwsQueryAction, scenario: SimScenario): { size: number; cursor: PageCursor | null } | string {
  const rawMax = params.get(svc.maxParam);
  let size = svc.defaultPageSize(scenario);
  if (rawMax !== null) {
    size = Number(rawMax);
    if (!Number.isInteger(size) || size < action.pageMin || size > action.pageMax) {
      return `Value ( ${rawMax} ) for parameter ${svc.maxParam} is invalid. Must be between ${action.pageMin} and ${action.pageMax}.`;
    }
  }
  const token = params.get(svc.tokenParam);
  if (token === null || token === '') return { size, cursor: null };
  const cursor = decodeCursor(token);
  if (cursor === null) return `The value for ${svc.tokenParam} is invalid.`;
  return { size, cursor };
}

function missingParam(params: URLSearchParams, action: AwsQueryAction): string | null {
  for (const [name, value] of Object.entries(action.requiredParams ?? {})) {
    if (params.get(name) !== value) {
      return `The simulated cloud serves only the account's own resources: ${name}=${value} is required.`;
    }
  }
  return null;
}

/** An unpaged action: every item on one page; a page parameter is an error, as EC2 has none. */
function unpagedParams(params: URLSearchParams, svc: AwsQueryService): { size: number; cursor: null } | string {
  if (params.has(svc.maxParam) || params.has(svc.tokenParam)) {
    return `The parameters ${svc.maxParam} and ${svc.tokenParam} are not valid for this action.`;
  }
  return { size: Number.MAX_SAFE_INTEGER, cursor: null };
}

function logEntry(deps: SimDeps, svc: AwsQueryService, ctx: Ctx, status: number, fault: string | null): void {
  deps.log.add({ service: svc.service, action: ctx.action, region: ctx.region, account: ctx.account, page: ctx.page, status, attempt: ctx.attempt, fault, tick: deps.world.tick });
}
