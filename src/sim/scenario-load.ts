/**
 * Making a scenario: the defaults, the demo's, and one read from a TOML or JSON file, each
 * checked by scenario-validate.ts. Apart from scenario.ts (the types and constants), so
 * that the validator depends on the types and the loader on both, with no circle.
 */
import { readFileSync } from 'node:fs';
import { parse as parseToml } from 'smol-toml';
import { validateScenario } from './scenario-validate.js';
import type { SimFleet, SimScenario } from './scenario.js';

export { SIM_OPTIONAL_FLEET_KEYS } from './scenario-validate.js';
export type { SimScenario };

/** A small fleet of every leftover kind, for the demo (`elava daemon --simulate`, `elava sim`). */
export const SIM_DEMO_LEFTOVERS: Partial<SimFleet> = {
  ec2Addresses: 8, ec2Snapshots: 30, ec2Images: 6, rdsClusters: 3, rdsSnapshots: 12,
  gceAddresses: 4, gceSnapshots: 20, gceImages: 5,
};

/** The default scenario with a few of every leftover kind: what the demo shows. */
export function demoScenario(): SimScenario {
  const base = defaultScenario();
  return defaultScenario({ fleet: { ...base.fleet, ...SIM_DEMO_LEFTOVERS } });
}

export function defaultScenario(overrides: Partial<SimScenario> = {}): SimScenario {
  const base: SimScenario = {
    seed: 42,
    aws: { accounts: ['111111111111'], regions: ['us-east-1', 'eu-west-1'] },
    gcp: { projects: ['sim-project-a'], zones: ['us-central1-a', 'europe-west1-b'] },
    fleet: {
      ec2Instances: 50, ec2Volumes: 60, rdsInstances: 10, gceInstances: 40, gceDisks: 50,
      ec2Addresses: 0, ec2Snapshots: 0, ec2Images: 0, rdsClusters: 0, rdsSnapshots: 0,
      gceAddresses: 0, gceSnapshots: 0, gceImages: 0,
    },
    churn: { appearPerTick: 1, changePerTick: 2, disappearPerTick: 1, recreatePerTick: 1 },
    faults: [],
    // The real services' defaults are: EC2 all results, RDS 100, Compute 500. Smaller
    // defaults make pagination happen even in small simulated fleets.
    pageSize: { ec2: 100, rds: 100, gcp: 500 },
    // A few ticks of the hour AWS keeps listing a terminated instance.
    linger: { ec2InstanceTicks: 3, ec2VolumeTicks: 0 },
    massDeletions: [],
    dropouts: [],
  };
  const merged: SimScenario = { ...base, ...overrides };
  return validateScenario(merged as unknown as Record<string, unknown>);
}

/**
 * Reads a scenario from a TOML (`.toml`) or JSON file. Sections left out take the
 * defaults; keys inside a section that is given but incomplete also take the defaults.
 * Unknown keys and bad values are errors naming the key (`fleet.ec2Instances`).
 */
export function loadScenario(path: string): SimScenario {
  const text = readFileSync(path, 'utf8');
  let raw: unknown;
  try {
    raw = path.endsWith('.json') ? JSON.parse(text) : parseToml(text);
  } catch (err) {
    throw new Error(`sim scenario ${path}: cannot parse: ${(err as Error).message}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new Error(`sim scenario ${path}: top level must be a table`);
  }
  const base = defaultScenario() as unknown as Record<string, unknown>;
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    const def = base[key];
    const isSection = typeof def === 'object' && def !== null && !Array.isArray(def);
    const isTable = typeof value === 'object' && value !== null && !Array.isArray(value);
    merged[key] = isSection && isTable ? { ...(def as object), ...(value as object) } : value;
  }
  try {
    return validateScenario(merged);
  } catch (err) {
    throw new Error(`sim scenario ${path}: ${(err as Error).message}`);
  }
}
