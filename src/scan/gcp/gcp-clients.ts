/**
 * Where GCP scanners get their Compute clients: the seam between real projects and the
 * simulated cloud. With no options the clients use application default credentials and
 * the REST transport; the simulator passes `{ apiEndpoint, port, protocol, authClient }`
 * (see `simGcpClientOptions`). One client per resource type serves every project, since
 * the project travels in each request.
 */
import { DisksClient, InstancesClient } from '@google-cloud/compute';
import { guardEmptyBodies } from './empty-body-guard.js';

export interface GcpClientFactory {
  instances(): InstancesClient;
  disks(): DisksClient;
}

export type GcpClientOptions = NonNullable<ConstructorParameters<typeof InstancesClient>[0]>;

export function createGcpClientFactory(options: GcpClientOptions = {}): GcpClientFactory & { close(): Promise<void> } {
  let instances: InstancesClient | null = null;
  let disks: DisksClient | null = null;
  return {
    instances: () => (instances ??= guarded(new InstancesClient({ fallback: true, ...options }))),
    disks: () => (disks ??= guarded(new DisksClient({ fallback: true, ...options }))),
    async close() {
      await Promise.all([instances?.close(), disks?.close()]);
      instances = null;
      disks = null;
    },
  };
}

/** Every client's answers pass the empty-body check (see empty-body-guard.ts). */
function guarded<C extends { auth: object }>(client: C): C {
  guardEmptyBodies(client.auth);
  return client;
}
