/**
 * Where GCP scanners get their Compute clients: the seam between real projects and the
 * simulated cloud. With no options the clients use application default credentials and
 * the REST transport; the simulator passes `{ apiEndpoint, port, protocol, authClient }`
 * (see `simGcpClientOptions`). One client per resource type serves every project, since
 * the project travels in each request.
 */
import {
  AddressesClient,
  DisksClient,
  GlobalAddressesClient,
  ImagesClient,
  InstancesClient,
  SnapshotsClient,
} from '@google-cloud/compute';
import { guardEmptyBodies } from './empty-body-guard.js';
import { shareProtoRoots } from './proto-cache.js';

export interface GcpClientFactory {
  instances(): InstancesClient;
  disks(): DisksClient;
  addresses(): AddressesClient;
  globalAddresses(): GlobalAddressesClient;
  snapshots(): SnapshotsClient;
  images(): ImagesClient;
}

export type GcpClientOptions = NonNullable<ConstructorParameters<typeof InstancesClient>[0]>;

interface Closable {
  close(): Promise<void>;
}

export function createGcpClientFactory(options: GcpClientOptions = {}): GcpClientFactory & { close(): Promise<void> } {
  const made = new Map<string, Closable>();
  const once = <C extends Closable & { auth: object }>(name: string, make: () => C): C => {
    let client = made.get(name) as C | undefined;
    if (client === undefined) {
      client = guarded(make());
      made.set(name, client);
    }
    return client;
  };
  const o = { fallback: true, ...options };
  return {
    instances: () => once('instances', () => new InstancesClient(o)),
    disks: () => once('disks', () => new DisksClient(o)),
    addresses: () => once('addresses', () => new AddressesClient(o)),
    globalAddresses: () => once('globalAddresses', () => new GlobalAddressesClient(o)),
    snapshots: () => once('snapshots', () => new SnapshotsClient(o)),
    images: () => once('images', () => new ImagesClient(o)),
    async close() {
      const clients = [...made.values()];
      made.clear();
      await Promise.all(clients.map((c) => c.close()));
    },
  };
}

/** Every client's answers pass the empty-body check (see empty-body-guard.ts). */
function guarded<C extends { auth: object }>(client: C): C {
  guardEmptyBodies(client.auth);
  shareProtoRoots(client);
  return client;
}
