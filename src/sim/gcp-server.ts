/**
 * The SIMULATED Compute Engine REST endpoint:
 * `GET /compute/v1/projects/{project}/aggregated/{instances|disks|addresses}` with
 * `maxResults` (capped at 500, as Compute does), `pageToken` and `returnPartialSuccess`;
 * and the project-wide lists `GET /compute/v1/projects/{project}/global/{addresses|
 * snapshots|images}` (kind `compute#addressList` …, `items` an array), which no zone fault
 * touches.
 *
 * Addresses are regional: the aggregated address list has one `regions/<r>` entry per
 * region of the scenario's zones plus `global` (as Compute's does); an unreachable zone
 * makes its region unreachable.
 *
 * An `unreachable-zone` fault drops the zone from the listing and names it in
 * `unreachables` (`zones/<zone>`, on every page) when the client asked for partial
 * success; otherwise the whole call fails with 503 UNAVAILABLE.
 *
 * Seen with @google-cloud/compute 6.14 (REST): errors reach the caller with `code` = the
 * HTTP status (429, 403, 500, 503), and the client's default retry (gRPC codes
 * UNAVAILABLE/DEADLINE_EXCEEDED) therefore retries none of them. Callers own GCP retries.
 */

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SimDeps } from './sim-deps.js';
import { aggregatedPage, type SimAggregatedKind } from './gcp-aggregated.js';
import { pageOf } from './page-cursor.js';
import { simGcpRegions, type SimKind } from './world.js';
import assert from 'node:assert/strict';
import { commonBadAnswer, isCommonBadBody, type SimAnswer } from './bad-bodies.js';
import { gceAddressJson, gceGlobalJson, GCP_ERRORS, gcpErrorJson, gcpNotListing, type GcpErrorSpec } from './gcp-render.js';
import type { SimBadBody } from './scenario.js';
import { decodeCursor, encodeCursor } from './page-cursor.js';
import { header, send, sleep, truncateBody } from './sim-http.js';

const PATH = /^\/compute\/v1\/projects\/([^/]+)\/(aggregated|global)\/(instances|disks|addresses|snapshots|images)$/;
const AGGREGATED: Record<string, SimAggregatedKind> = { instances: 'gce.instance', disks: 'gce.disk', addresses: 'gce.address' };
const GLOBAL: Record<string, SimKind> = { addresses: 'gce.address', snapshots: 'gce.snapshot', images: 'gce.image' };
const LIST_KIND: Record<string, string> = {
  'aggregated/instances': 'compute#instanceAggregatedList',
  'aggregated/disks': 'compute#diskAggregatedList',
  'aggregated/addresses': 'compute#addressAggregatedList',
  'global/addresses': 'compute#addressList',
  'global/snapshots': 'compute#snapshotList',
  'global/images': 'compute#imageList',
};
const GCP_PAGE_SIZE_MAX = 500;
const JSON_TYPE = 'application/json; charset=UTF-8';
const XML_TYPE = 'text/xml; charset=UTF-8';

export function gcpHandler(deps: SimDeps) {
  return async (req: IncomingMessage, _body: string, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://sim.invalid');
    const match = PATH.exec(url.pathname);
    const project = decodeURIComponent(match?.[1] ?? '');
    const action = match ? `${match[2] ?? ''}/${match[3] ?? ''}` : url.pathname;
    const listKind = LIST_KIND[action];
    const aggregatedKind = match?.[2] === 'aggregated' ? AGGREGATED[match[3] ?? ''] : undefined;
    const globalKind = match?.[2] === 'global' ? GLOBAL[match[3] ?? ''] : undefined;
    let page = 0;
    const finish = (status: number, body: string, fault: string | null, type = JSON_TYPE): void => {
      send(res, status, type, body);
      deps.log.add({ service: 'gcp', action, region: project, account: project, page, status, attempt: null, fault, tick: deps.world.tick });
    };
    const fail = (e: GcpErrorSpec, fault: string | null, message?: string): void => finish(e.code, gcpErrorJson(e, message), fault);
    if (req.method !== 'GET' || !match || listKind === undefined || (aggregatedKind ?? globalKind) === undefined) {
      return fail(GCP_ERRORS['not-found'], null, `simulated Compute serves only aggregated instances/disks/addresses and global addresses/snapshots/images lists, not ${req.method} ${url.pathname}`);
    }
    if (!/^Bearer \S+/.test(header(req, 'authorization') ?? '')) return fail(GCP_ERRORS.auth, null);
    const scenario = deps.world.scenario;
    if (!scenario.gcp.projects.includes(project)) return fail(GCP_ERRORS['not-found'], null, `The resource 'projects/${project}' was not found (simulated)`);
    const q = url.searchParams;
    const size = Math.min(GCP_PAGE_SIZE_MAX, Number(q.get('maxResults') ?? scenario.pageSize.gcp) || scenario.pageSize.gcp);
    const token = q.get('pageToken') ?? '';
    const cursor = token === '' ? null : decodeCursor(token);
    if (token !== '' && cursor === null) return fail(GCP_ERRORS.invalid, null, 'Invalid value for field \'pageToken\' (simulated)');
    page = cursor?.page ?? 1;
    const decision = deps.faults.decide({ service: 'gcp', account: project, region: project, action, page, tick: deps.world.tick });
    if (decision.delayMs > 0) await sleep(decision.delayMs);
    if (decision.failure !== null && decision.failure !== 'malformed') return fail(GCP_ERRORS[decision.failure], decision.failure);
    if (decision.badBody !== null) {
      const bad = badAnswer(decision.badBody, listKind);
      return finish(bad.status, bad.body, 'bad-body', bad.contentType);
    }
    const repeated = decision.repeatToken && token !== '';
    if (globalKind !== undefined) {
      const listing = deps.world.list(globalKind, project, 'global');
      const result = pageOf(listing, (r) => r.id, cursor, size);
      const render = globalKind === 'gce.address' ? gceAddressJson : gceGlobalJson;
      const body: Record<string, unknown> = { kind: listKind, id: `projects/${project}/${action}`, items: result.items.map(render) };
      if (repeated) body['nextPageToken'] = token;
      else if (result.next) body['nextPageToken'] = encodeCursor(result.next);
      let json = JSON.stringify(body);
      if (decision.failure === 'malformed') json = truncateBody(json);
      return finish(200, json, decision.failure ?? (repeated ? 'repeated-token' : null));
    }
    const kind = aggregatedKind as SimAggregatedKind;
    const downZones = scenario.gcp.zones.filter((z) => decision.unreachableZones.includes(z));
    const unreachable = kind === 'gce.address' ? [...new Set(downZones.map((z) => z.slice(0, z.lastIndexOf('-'))))] : downZones;
    const partial = q.get('returnPartialSuccess') === 'true';
    if (unreachable.length > 0 && !partial) return fail(GCP_ERRORS.unreachable, 'unreachable-zone');
    const all = kind === 'gce.address' ? [...simGcpRegions(scenario), 'global'] : scenario.gcp.zones;
    const locations = all.filter((z) => !unreachable.includes(z));
    const result = aggregatedPage(deps.world, kind, project, locations, cursor, size);
    const body: Record<string, unknown> = {
      kind: listKind,
      id: `projects/${project}/${action}`,
      items: result.items,
      selfLink: `https://www.googleapis.com/compute/v1/projects/${project}/${action}`,
    };
    // A replayed page hands back the token it was asked with.
    if (repeated) body['nextPageToken'] = token;
    else if (result.next) body['nextPageToken'] = encodeCursor(result.next);
    const prefix = kind === 'gce.address' ? 'regions' : 'zones';
    if (unreachable.length > 0) body['unreachables'] = unreachable.map((z) => `${prefix}/${z}`);
    let json = JSON.stringify(body);
    if (decision.failure === 'malformed') json = truncateBody(json);
    const zoneFault = unreachable.length > 0 ? 'unreachable-zone' : null;
    const fault = decision.failure ?? (repeated ? 'repeated-token' : zoneFault);
    finish(200, json, fault);
  };
}

function badAnswer(body: SimBadBody, kind: string): SimAnswer {
  if (isCommonBadBody(body)) return commonBadAnswer(body, JSON_TYPE);
  switch (body) {
    case 'not-json':
      return { status: 200, contentType: XML_TYPE, body: gcpNotListing(body, kind) };
    case 'no-kind':
    case 'wrong-kind':
      return { status: 200, contentType: JSON_TYPE, body: gcpNotListing(body, kind) };
    default:
      // Scenario validation lets no AWS-only body through to Compute.
      assert.fail(`bad body ${body} is not one of Compute's`);
  }
}
