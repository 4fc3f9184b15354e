/**
 * The SIMULATED cloud: loopback HTTP servers (EC2 Query, RDS Query, Compute REST, and STS
 * Query for account identity and assumed roles) serving one deterministic `SimWorld`, with
 * the scenario's faults applied per listing request.
 *
 * Every server binds 127.0.0.1 on an ephemeral port and labels its answers
 * (`server: ElavaSimulatedCloud/1 …`, `x-elava-simulated: true`). Nothing here talks to a
 * real cloud.
 */

import type { Server } from 'node:http';
import { awsQueryHandler } from './aws-query.js';
import { EC2_QUERY_SERVICE } from './ec2-protocol.js';
import { FaultPlan } from './fault-plan.js';
import { gcpHandler } from './gcp-server.js';
import { RDS_QUERY_SERVICE } from './rds-protocol.js';
import { RequestLog, type SimRequestLogEntry } from './request-log.js';
import type { SimScenario } from './scenario.js';
import type { SimDeps } from './sim-deps.js';
import { closeServer, listen, SIM_HOST } from './sim-http.js';
import { stsHandler } from './sts-protocol.js';
import { SimWorld, type SimChurnEvent, type SimResource } from './world.js';

export interface SimCloud {
  /** `http://127.0.0.1:PORT`, EC2 Query protocol; region from the SigV4 credential scope. */
  ec2Endpoint: string;
  /** `http://127.0.0.1:PORT`, RDS Query protocol. */
  rdsEndpoint: string;
  /** `http://127.0.0.1:PORT`, STS Query protocol (GetCallerIdentity, AssumeRole). */
  stsEndpoint: string;
  /** Options for `InstancesClient` / `DisksClient`: `{ apiEndpoint, port, protocol }`. */
  gcp: { apiEndpoint: string; port: number; protocol: 'http' };
  world: SimWorld;
  /** Next tick: one round of churn. */
  advance(): void;
  /** Ground truth right now, deep copies. */
  truth(): SimResource[];
  /** What the last `advance()` changed. */
  lastChurn(): SimChurnEvent[];
  requestLog(): SimRequestLogEntry[];
  clearRequestLog(): void;
  close(): Promise<void>;
}

export interface SimCloudPorts { ec2?: number; rds?: number; gcp?: number; sts?: number }

export async function startSimCloud(scenario: SimScenario, ports: SimCloudPorts = {}): Promise<SimCloud> {
  const world = new SimWorld(scenario);
  const log = new RequestLog();
  let requestCount = 0;
  const deps: SimDeps = {
    world,
    faults: new FaultPlan(scenario),
    log,
    nextRequestId: () => `00000000-0000-4000-8000-${(++requestCount).toString(16).padStart(12, '0')}`,
  };
  const servers: Server[] = [];
  try {
    const ec2 = await listen(awsQueryHandler(EC2_QUERY_SERVICE, deps), ports.ec2 ?? 0);
    servers.push(ec2.server);
    const rds = await listen(awsQueryHandler(RDS_QUERY_SERVICE, deps), ports.rds ?? 0);
    servers.push(rds.server);
    const gcp = await listen(gcpHandler(deps), ports.gcp ?? 0);
    servers.push(gcp.server);
    const sts = await listen(stsHandler(deps), ports.sts ?? 0);
    servers.push(sts.server);
    return {
      ec2Endpoint: `http://${SIM_HOST}:${ec2.port}`,
      rdsEndpoint: `http://${SIM_HOST}:${rds.port}`,
      stsEndpoint: `http://${SIM_HOST}:${sts.port}`,
      gcp: { apiEndpoint: SIM_HOST, port: gcp.port, protocol: 'http' },
      world,
      advance: () => world.advance(),
      truth: () => structuredClone(world.resources()),
      lastChurn: () => world.lastChurn().map((e) => ({ ...e })),
      requestLog: () => log.snapshot(),
      clearRequestLog: () => log.clear(),
      close: () => Promise.all(servers.map(closeServer)).then(() => undefined),
    };
  } catch (err) {
    await Promise.all(servers.map(closeServer));
    throw err;
  }
}
