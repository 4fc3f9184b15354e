/**
 * JSON shapes of the SIMULATED Compute Engine v1 REST API: instances, disks, the per-zone
 * scoped lists of an aggregated list, and Google's error envelope. Only fields that exist in
 * the Compute v1 protos are emitted, so the client's proto3 JSON decoding accepts them.
 */

import type { SimResource } from './world.js';

interface GceDiskRef { source: string; deviceName: string; boot: boolean }

export function gceInstanceJson(r: SimResource): Record<string, unknown> {
  const a = r.attrs;
  const natIP = a['natIP'] as string | null;
  const zone = a['zone'] as string;
  return {
    kind: 'compute#instance',
    id: a['numericId'],
    name: r.id,
    machineType: a['machineType'],
    status: a['status'],
    zone,
    labels: { ...r.tags },
    networkInterfaces: [{
      name: 'nic0',
      network: zone.replace(/\/zones\/.*$/, '/global/networks/default'),
      networkIP: a['networkIP'],
      accessConfigs: natIP === null ? [] : [{ type: 'ONE_TO_ONE_NAT', name: 'External NAT', natIP }],
    }],
    disks: (a['disks'] as GceDiskRef[]).map((d, index) => ({
      type: 'PERSISTENT', mode: 'READ_WRITE', source: d.source, deviceName: d.deviceName, boot: d.boot, index,
    })),
    scheduling: { preemptible: a['preemptible'], automaticRestart: a['preemptible'] !== true, onHostMaintenance: a['preemptible'] === true ? 'TERMINATE' : 'MIGRATE' },
    creationTimestamp: a['creationTimestamp'],
    selfLink: `${zone}/instances/${r.id}`,
  };
}

export function gceDiskJson(r: SimResource): Record<string, unknown> {
  const a = r.attrs;
  const zone = a['zone'] as string;
  return {
    kind: 'compute#disk',
    id: a['numericId'],
    name: r.id,
    sizeGb: String(a['sizeGb'] as number),
    type: a['type'],
    status: a['status'],
    zone,
    users: [...(a['users'] as string[])],
    labels: { ...r.tags },
    creationTimestamp: a['creationTimestamp'],
    selfLink: `${zone}/disks/${r.id}`,
  };
}

/** `scope` is the aggregated-list key: `zones/<z>`, `regions/<r>` or `global`. */
export function noResultsWarning(scope: string): Record<string, unknown> {
  return {
    warning: {
      code: 'NO_RESULTS_ON_PAGE',
      message: `There are no results for scope '${scope}' on this page.`,
      data: [{ key: 'scope', value: scope }],
    },
  };
}

export interface GcpErrorSpec { code: number; status: string; reason: string; domain: string; message: string }

export function gcpErrorJson(e: GcpErrorSpec, message = e.message): string {
  return JSON.stringify({
    error: { code: e.code, message, errors: [{ message, domain: e.domain, reason: e.reason }], status: e.status },
  });
}

export const GCP_ERRORS = {
  'throttle': { code: 429, status: 'RESOURCE_EXHAUSTED', reason: 'rateLimitExceeded', domain: 'usageLimits', message: 'Rate Limit Exceeded (simulated)' },
  'access-denied': { code: 403, status: 'PERMISSION_DENIED', reason: 'forbidden', domain: 'global', message: "Required 'compute.instances.list' permission (simulated)" },
  'error-on-page': { code: 500, status: 'INTERNAL', reason: 'backendError', domain: 'global', message: 'Internal error. Please try again or contact Google Support. (simulated)' },
  'unreachable': { code: 503, status: 'UNAVAILABLE', reason: 'backendError', domain: 'global', message: 'A zone of this aggregated list is unreachable (simulated); ask with returnPartialSuccess=true' },
  'auth': { code: 401, status: 'UNAUTHENTICATED', reason: 'authError', domain: 'global', message: 'Request is missing required authentication credential. (simulated)' },
  'not-found': { code: 404, status: 'NOT_FOUND', reason: 'notFound', domain: 'global', message: 'The resource was not found (simulated)' },
  'invalid': { code: 400, status: 'INVALID_ARGUMENT', reason: 'invalid', domain: 'global', message: 'Invalid value (simulated)' },
} satisfies Record<string, GcpErrorSpec>;

/** 200 bodies that are not the listing `listKind` asked for: no scanner may take them for one. */
export function gcpNotListing(body: 'not-json' | 'no-kind' | 'wrong-kind', listKind: string): string {
  switch (body) {
    case 'not-json':
      return '<?xml version="1.0" encoding="UTF-8"?>\n<Response><Status>OK</Status></Response>\n';
    case 'no-kind':
      return JSON.stringify({ status: 'ok' });
    case 'wrong-kind':
      // Another listing, empty: right shape, wrong listing.
      return JSON.stringify({
        kind: listKind === 'compute#instanceAggregatedList' ? 'compute#diskAggregatedList' : 'compute#instanceAggregatedList',
        items: {},
      });
  }
}

/** A static address (regional or global), as Compute v1 renders it. */
export function gceAddressJson(r: SimResource): Record<string, unknown> {
  const a = r.attrs;
  const region = a['region'] as string | null;
  const base = `https://www.googleapis.com/compute/v1/projects/${r.account}`;
  return {
    kind: 'compute#address',
    id: a['numericId'],
    name: r.id,
    address: a['address'],
    addressType: a['addressType'],
    status: a['status'],
    users: [...(a['users'] as string[])],
    networkTier: a['networkTier'],
    labels: { ...r.tags },
    creationTimestamp: a['creationTimestamp'],
    ...(region !== null ? { region } : {}),
    selfLink: region !== null ? `${region}/addresses/${r.id}` : `${base}/global/addresses/${r.id}`,
  };
}

/** A snapshot or an image of the project, as Compute v1 renders it. */
export function gceGlobalJson(r: SimResource): Record<string, unknown> {
  const a = r.attrs;
  const snapshot = r.kind === 'gce.snapshot';
  const source = a['sourceDisk'] as string | null;
  const base = `https://www.googleapis.com/compute/v1/projects/${r.account}/global`;
  return {
    kind: snapshot ? 'compute#snapshot' : 'compute#image',
    id: a['numericId'],
    name: r.id,
    status: a['status'],
    diskSizeGb: String(a['diskSizeGb'] as number),
    ...(source !== null ? { sourceDisk: source, sourceDiskId: a['sourceDiskId'] } : {}),
    ...(snapshot
      ? { storageBytes: String(a['storageBytes'] as number), storageLocations: ['us'] }
      : { archiveSizeBytes: String(a['archiveSizeBytes'] as number), family: a['family'] }),
    labels: { ...r.tags },
    creationTimestamp: a['creationTimestamp'],
    selfLink: `${base}/${snapshot ? 'snapshots' : 'images'}/${r.id}`,
  };
}
