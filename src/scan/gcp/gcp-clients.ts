/**
 * Where GCP scanners get their Compute clients: the seam between real projects and the
 * simulated cloud. With no options the clients use application default credentials and
 * the REST transport; the simulator passes `{ apiEndpoint, port, protocol, authClient }`
 * (see `simGcpClientOptions`). One client per resource type serves every project, since
 * the project travels in each request.
 */
import { DisksClient, InstancesClient } from '@google-cloud/compute';

export interface GcpClientFactory {
  instances(): InstancesClient;
  disks(): DisksClient;
}

export type GcpClientOptions = NonNullable<ConstructorParameters<typeof InstancesClient>[0]>;

export function createGcpClientFactory(options: GcpClientOptions = {}): GcpClientFactory & { close(): Promise<void> } {
  let instances: InstancesClient | null = null;
  let disks: DisksClient | null = null;
  return {
    instances: () => (instances ??= new InstancesClient({ fallback: true, ...options })),
    disks: () => (disks ??= new DisksClient({ fallback: true, ...options })),
    async close() {
      await Promise.all([instances?.close(), disks?.close()]);
      instances = null;
      disks = null;
    },
  };
}
