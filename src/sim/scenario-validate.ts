/**
 * Checks a scenario value key by key. Every error names the offending key
 * (`churn.appearPerTick`, `faults[2].page`) so a typo in a scenario file is found at once.
 */

import type { SimBadBody, SimFault, SimMassEvent, SimScenario } from './scenario.js';
import { SIM_BAD_BODIES, SIM_FAULT_KINDS } from './scenario.js';

/** The fleet keys a scenario may leave out (0): the leftover kinds, added later. */
export const SIM_OPTIONAL_FLEET_KEYS = [
  'ec2Addresses', 'ec2Snapshots', 'ec2Images', 'rdsClusters', 'rdsSnapshots',
  'gceAddresses', 'gceSnapshots', 'gceImages',
] as const;

export class SimScenarioError extends Error {
  readonly code = 'SIM_SCENARIO_INVALID';
  constructor(readonly key: string, problem: string) {
    super(`${key}: ${problem}`);
    this.name = 'SimScenarioError';
  }
}

type Table = Record<string, unknown>;

const SECTIONS: Record<string, readonly string[]> = {
  aws: ['accounts', 'regions'],
  gcp: ['projects', 'zones'],
  fleet: ['ec2Instances', 'ec2Volumes', 'rdsInstances', 'gceInstances', 'gceDisks', ...SIM_OPTIONAL_FLEET_KEYS],
  churn: ['appearPerTick', 'changePerTick', 'disappearPerTick', 'recreatePerTick'],
  pageSize: ['ec2', 'rds', 'gcp'],
  linger: ['ec2InstanceTicks', 'ec2VolumeTicks'],
};
const TOP_KEYS = ['seed', 'faults', 'massDeletions', 'dropouts', ...Object.keys(SECTIONS)];
const SERVICES = ['ec2', 'rds', 'gcp'];
/** Upper bound on any one count, so a typo cannot ask for a fleet that eats the machine. */
const COUNT_MAX = 10_000_000;

function table(value: unknown, key: string): Table {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new SimScenarioError(key, 'must be a table');
  }
  return value as Table;
}

function onlyKeys(t: Table, allowed: readonly string[], prefix: string): void {
  for (const k of Object.keys(t)) {
    if (!allowed.includes(k)) throw new SimScenarioError(prefix + k, `unknown key (expected one of ${allowed.join(', ')})`);
  }
}

function int(value: unknown, key: string, min: number, max = COUNT_MAX): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new SimScenarioError(key, `must be an integer in [${min}, ${max}], got ${JSON.stringify(value)}`);
  }
  return value;
}

function str(value: unknown, key: string, pattern?: RegExp): string {
  if (typeof value !== 'string' || value.length === 0) throw new SimScenarioError(key, 'must be a non-empty string');
  if (pattern && !pattern.test(value)) throw new SimScenarioError(key, `must match ${pattern}, got ${JSON.stringify(value)}`);
  return value;
}

function strList(value: unknown, key: string, pattern: RegExp): string[] {
  if (!Array.isArray(value)) throw new SimScenarioError(key, 'must be a list of strings');
  const out = value.map((v, i) => str(v, `${key}[${i}]`, pattern));
  if (new Set(out).size !== out.length) throw new SimScenarioError(key, 'must not repeat a value');
  return out;
}

export function validateScenario(raw: Table): SimScenario {
  onlyKeys(raw, TOP_KEYS, '');
  for (const [section, keys] of Object.entries(SECTIONS)) {
    const t = table(raw[section], section);
    onlyKeys(t, keys, `${section}.`);
    for (const k of keys) {
      if (k in t) continue;
      if (section === 'fleet' && (SIM_OPTIONAL_FLEET_KEYS as readonly string[]).includes(k)) continue;
      throw new SimScenarioError(`${section}.${k}`, 'is missing');
    }
  }
  const aws = raw['aws'] as Table;
  const gcp = raw['gcp'] as Table;
  const fleet = raw['fleet'] as Table;
  const churn = raw['churn'] as Table;
  const page = raw['pageSize'] as Table;
  const linger = raw['linger'] as Table;
  const scenario: SimScenario = {
    seed: int(raw['seed'], 'seed', 0, 0xffffffff),
    aws: {
      accounts: strList(aws['accounts'], 'aws.accounts', /^\d{12}$/),
      regions: strList(aws['regions'], 'aws.regions', /^[a-z]{2}(-[a-z]+)+-\d$/),
    },
    gcp: {
      projects: strList(gcp['projects'], 'gcp.projects', /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/),
      zones: strList(gcp['zones'], 'gcp.zones', /^[a-z]+-[a-z]+\d+-[a-z]$/),
    },
    fleet: {
      ec2Instances: int(fleet['ec2Instances'], 'fleet.ec2Instances', 0),
      ec2Volumes: int(fleet['ec2Volumes'], 'fleet.ec2Volumes', 0),
      rdsInstances: int(fleet['rdsInstances'], 'fleet.rdsInstances', 0),
      gceInstances: int(fleet['gceInstances'], 'fleet.gceInstances', 0),
      gceDisks: int(fleet['gceDisks'], 'fleet.gceDisks', 0),
      ec2Addresses: int(fleet['ec2Addresses'] ?? 0, 'fleet.ec2Addresses', 0),
      ec2Snapshots: int(fleet['ec2Snapshots'] ?? 0, 'fleet.ec2Snapshots', 0),
      ec2Images: int(fleet['ec2Images'] ?? 0, 'fleet.ec2Images', 0),
      rdsClusters: int(fleet['rdsClusters'] ?? 0, 'fleet.rdsClusters', 0),
      rdsSnapshots: int(fleet['rdsSnapshots'] ?? 0, 'fleet.rdsSnapshots', 0),
      gceAddresses: int(fleet['gceAddresses'] ?? 0, 'fleet.gceAddresses', 0),
      gceSnapshots: int(fleet['gceSnapshots'] ?? 0, 'fleet.gceSnapshots', 0),
      gceImages: int(fleet['gceImages'] ?? 0, 'fleet.gceImages', 0),
    },
    churn: {
      appearPerTick: int(churn['appearPerTick'], 'churn.appearPerTick', 0),
      changePerTick: int(churn['changePerTick'], 'churn.changePerTick', 0),
      disappearPerTick: int(churn['disappearPerTick'], 'churn.disappearPerTick', 0),
      recreatePerTick: int(churn['recreatePerTick'], 'churn.recreatePerTick', 0),
    },
    faults: faultList(raw['faults']),
    pageSize: {
      ec2: int(page['ec2'], 'pageSize.ec2', 5, 1000),
      rds: int(page['rds'], 'pageSize.rds', 20, 100),
      gcp: int(page['gcp'], 'pageSize.gcp', 1, 500),
    },
    linger: {
      ec2InstanceTicks: int(linger['ec2InstanceTicks'], 'linger.ec2InstanceTicks', 0, 1000),
      ec2VolumeTicks: int(linger['ec2VolumeTicks'], 'linger.ec2VolumeTicks', 0, 1000),
    },
    massDeletions: massEvents(raw['massDeletions'] ?? [], 'massDeletions'),
    dropouts: massEvents(raw['dropouts'] ?? [], 'dropouts'),
  };
  return scenario;
}

const MASS_KINDS = [
  'ec2.instance', 'ec2.volume', 'ec2.address', 'ec2.snapshot', 'ec2.image',
  'rds.instance', 'rds.cluster', 'rds.snapshot',
  'gce.instance', 'gce.disk', 'gce.address', 'gce.snapshot', 'gce.image',
];

function massEvents(value: unknown, key: string): SimMassEvent[] {
  if (!Array.isArray(value)) throw new SimScenarioError(key, 'must be a list of tables');
  return value.map((raw, i) => {
    const at = `${key}[${i}]`;
    const t = table(raw, at);
    onlyKeys(t, ['tick', 'kind', 'count', 'account', 'region'], `${at}.`);
    const kind = str(t['kind'], `${at}.kind`) as SimMassEvent['kind'];
    if (!MASS_KINDS.includes(kind)) {
      throw new SimScenarioError(`${at}.kind`, `must be one of ${MASS_KINDS.join(', ')}`);
    }
    const tick = int(t['tick'], `${at}.tick`, 1);
    const event: SimMassEvent = { tick, kind, count: int(t['count'], `${at}.count`, 1) };
    if (t['account'] !== undefined) event.account = str(t['account'], `${at}.account`);
    if (t['region'] !== undefined) event.region = str(t['region'], `${at}.region`);
    return event;
  });
}

function faultList(value: unknown): SimFault[] {
  if (!Array.isArray(value)) throw new SimScenarioError('faults', 'must be a list of tables');
  return value.map((f, i) => fault(table(f, `faults[${i}]`), `faults[${i}]`));
}

const FAULT_KEYS: Record<SimFault['kind'], readonly string[]> = {
  'throttle': ['service', 'region', 'times'],
  'access-denied': ['service', 'region'],
  'error-on-page': ['service', 'region', 'page'],
  'malformed': ['service', 'region'],
  'slow': ['service', 'region', 'delayMs'],
  'unreachable-zone': ['zone'],
  'bad-body': ['service', 'region', 'body', 'page'],
  'repeated-token': ['service', 'region', 'page'],
};

function fault(t: Table, key: string): SimFault {
  const kind = str(t['kind'], `${key}.kind`) as SimFault['kind'];
  if (!SIM_FAULT_KINDS.includes(kind)) {
    throw new SimScenarioError(`${key}.kind`, `must be one of ${SIM_FAULT_KINDS.join(', ')}`);
  }
  onlyKeys(t, ['kind', 'ticks', 'account', ...FAULT_KEYS[kind]], `${key}.`);
  const where: { ticks?: number[]; account?: string } = {};
  if (t['ticks'] !== undefined) {
    if (!Array.isArray(t['ticks'])) throw new SimScenarioError(`${key}.ticks`, 'must be a list of integers');
    where.ticks = t['ticks'].map((n, i) => int(n, `${key}.ticks[${i}]`, 0));
  }
  if (t['account'] !== undefined) where.account = str(t['account'], `${key}.account`);
  if (kind === 'unreachable-zone') return { kind, zone: str(t['zone'], `${key}.zone`), ...where };
  const service = str(t['service'], `${key}.service`) as 'ec2' | 'rds' | 'gcp';
  if (!SERVICES.includes(service)) throw new SimScenarioError(`${key}.service`, 'must be ec2, rds or gcp');
  const region = t['region'] === undefined ? undefined : str(t['region'], `${key}.region`);
  const at = region === undefined ? where : { ...where, region };
  switch (kind) {
    case 'throttle': return { kind, service, times: int(t['times'], `${key}.times`, 1, 1000), ...at };
    case 'access-denied': return { kind, service, region: str(t['region'], `${key}.region`), ...where };
    case 'error-on-page': return { kind, service, page: int(t['page'], `${key}.page`, 1), ...at };
    case 'malformed': return { kind, service, ...at };
    case 'slow': return { kind, service, delayMs: int(t['delayMs'], `${key}.delayMs`, 0, 600_000), ...at };
    case 'bad-body': {
      const body = badBody(t['body'], `${key}.body`, service);
      if (t['page'] === undefined) return { kind, service, body, ...at };
      return { kind, service, body, page: int(t['page'], `${key}.page`, 1), ...at };
    }
    // Page 1 is asked for without a token, so only a later page can hand one back.
    case 'repeated-token': return { kind, service, page: int(t['page'], `${key}.page`, 2), ...at };
  }
}

function badBody(value: unknown, key: string, service: 'ec2' | 'rds' | 'gcp'): SimBadBody {
  const allowed = SIM_BAD_BODIES[service === 'gcp' ? 'gcp' : 'aws'];
  const body = str(value, key) as SimBadBody;
  if (!allowed.includes(body)) {
    throw new SimScenarioError(key, `must be one of ${allowed.join(', ')} for ${service}`);
  }
  return body;
}
