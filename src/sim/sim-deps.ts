/** What every SIMULATED endpoint handler needs: the world, the fault plan and the log. */

import type { FaultPlan } from './fault-plan.js';
import type { RequestLog } from './request-log.js';
import type { SimWorld } from './world.js';

export interface SimDeps {
  world: SimWorld;
  faults: FaultPlan;
  log: RequestLog;
  nextRequestId(): string;
}
