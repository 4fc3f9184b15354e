/**
 * The configuration of `elava daemon --simulate`: presets (a short interval, so a person
 * watching sees cycles go by) and what the scenario fixes (its accounts, regions, projects
 * and zones, every resource type). Kept apart from simulate.ts so that validating a config
 * does not load the cloud SDKs.
 */
import type { SimScenario } from '../sim/scenario.js';
import { AWS_TYPES, GCP_TYPES } from '../daemon/config-keys.js';

/** Defaults of the simulate mode; the file, env and flags still override them. */
export const SIMULATE_PRESETS: Readonly<Record<string, unknown>> = {
  interval: '10s',
  jitter: '1s',
  requestTimeout: '10s',
  'checkpoint.everyEvents': 2000,
  'aws.retry.maxAttempts': 3,
  'gcp.retry.maxAttempts': 3,
};

/** What the scenario fixes: the simulated accounts and projects, every resource type. */
export function simulateForced(scenario: SimScenario): Record<string, unknown> {
  return {
    'aws.accounts': scenario.aws.accounts.map((id) => ({ id })),
    'aws.regions': [...scenario.aws.regions],
    'aws.types': [...AWS_TYPES],
    'gcp.projects': [...scenario.gcp.projects],
    'gcp.zones': [...scenario.gcp.zones],
    'gcp.types': [...GCP_TYPES],
  };
}

