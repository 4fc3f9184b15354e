/**
 * The price table the waste report estimates monthly costs from: public LIST prices in USD,
 * recorded by hand in this file — never fetched live. Cloud prices change and differ by
 * region and by contract (discounts, savings plans, credits are not applied), so every
 * report prints `PRICES_SOURCE` and `asOf` under its figures, and a user overrides any
 * part with a JSON file of the same shape (price-file.ts: `elava waste --prices FILE`,
 * daemon config `cost.pricesFile`).
 *
 * Shape: per provider, `default` prices plus entries for regions where the list price
 * differs. A GCP zone (`us-central1-a`) is priced as its region (`us-central1`); a global
 * GCP resource (snapshots, images, global addresses) as `default`.
 *
 * What is priced (per month = 730 hours, as AWS and Google bill):
 * - AWS: EBS storage per GB-month by volume type (provisioned IOPS/throughput not
 *   included), EBS snapshot storage per GB-month (standard tier), public IPv4 per hour
 *   (charged for every public IPv4 since 2024-02-01, attached or idle), RDS storage per
 *   GB-month by storage type (single-AZ; Multi-AZ is twice), RDS snapshot (backup) storage
 *   per GB-month beyond the free allowance;
 * - GCP: persistent disk per GB-month by type, standard snapshot storage per GB-month,
 *   a static external IP address reserved but unused per hour, custom image storage per
 *   GB-month.
 */

export const HOURS_PER_MONTH = 730;

export interface AwsPrices {
  ebsGbMonthByType: Record<string, number>;
  ebsSnapshotGbMonth: number;
  publicIpv4Hour: number;
  rdsStorageGbMonthByType: Record<string, number>;
  rdsSnapshotGbMonth: number;
}

export interface GcpPrices {
  diskGbMonthByType: Record<string, number>;
  snapshotGbMonth: number;
  staticIpUnusedHour: number;
  imageGbMonth: number;
}

export interface PriceTable {
  /** Where the figures come from (page titles and URLs). */
  source: string;
  /** The date the figures were recorded, ISO (YYYY-MM-DD). */
  asOf: string;
  aws: { default: AwsPrices; regions: Record<string, Partial<AwsPrices>> };
  gcp: { default: GcpPrices; regions: Record<string, Partial<GcpPrices>> };
}

export const PRICES_SOURCE =
  'public list prices (USD), recorded by hand from aws.amazon.com/ebs/pricing, ' +
  'aws.amazon.com/vpc/pricing (public IPv4), aws.amazon.com/rds/pricing, ' +
  'cloud.google.com/compute/disks-image-pricing and cloud.google.com/vpc/network-pricing; ' +
  'not fetched live, no discounts applied';

export const DEFAULT_PRICES: PriceTable = {
  source: PRICES_SOURCE,
  asOf: '2026-12-05',
  aws: {
    // us-east-1 list prices
    default: {
      ebsGbMonthByType: { gp3: 0.08, gp2: 0.1, io1: 0.125, io2: 0.125, st1: 0.045, sc1: 0.015, standard: 0.05 },
      ebsSnapshotGbMonth: 0.05,
      publicIpv4Hour: 0.005,
      rdsStorageGbMonthByType: { gp2: 0.115, gp3: 0.115, io1: 0.125, io2: 0.125, standard: 0.1, aurora: 0.1 },
      rdsSnapshotGbMonth: 0.095,
    },
    regions: {
      'eu-west-1': {
        ebsGbMonthByType: { gp3: 0.088, gp2: 0.11, io1: 0.138, io2: 0.138, st1: 0.05, sc1: 0.0168, standard: 0.055 },
        rdsStorageGbMonthByType: { gp2: 0.127, gp3: 0.127, io1: 0.138, io2: 0.138, standard: 0.11, aurora: 0.11 },
      },
    },
  },
  gcp: {
    // us-central1 list prices
    default: {
      diskGbMonthByType: { 'pd-standard': 0.04, 'pd-balanced': 0.1, 'pd-ssd': 0.17, 'pd-extreme': 0.125 },
      snapshotGbMonth: 0.05,
      staticIpUnusedHour: 0.01,
      imageGbMonth: 0.05,
    },
    regions: {},
  },
};

/** A GCP zone's region (`us-central1-a` → `us-central1`); regions and `global` unchanged. */
export function priceRegionOf(provider: 'aws' | 'gcp', region: string): string {
  if (provider === 'aws') return region;
  return /-[a-z]$/.test(region) ? region.slice(0, region.lastIndexOf('-')) : region;
}

/**
 * Each table's merged prices per provider and region, built once: a report prices tens of
 * thousands of rows and merging per row was a tenth of its time. Tables are never changed
 * after they are made (loaded or built in), so a merge made once stays right.
 */
const merged = new WeakMap<PriceTable, Map<string, AwsPrices | GcpPrices>>();

function once<T extends AwsPrices | GcpPrices>(table: PriceTable, key: string, make: () => T): T {
  let byRegion = merged.get(table);
  if (byRegion === undefined) merged.set(table, (byRegion = new Map()));
  let prices = byRegion.get(key);
  if (prices === undefined) byRegion.set(key, (prices = make()));
  return prices as T;
}

/** A region's prices: its entry over the default, by-type maps merged type by type. */
export function awsPricesFor(table: PriceTable, region: string): AwsPrices {
  return once(table, `aws/${region}`, () => mergeAws(table, region));
}

export function gcpPricesFor(table: PriceTable, region: string): GcpPrices {
  return once(table, `gcp/${region}`, () => mergeGcp(table, region));
}

function mergeAws(table: PriceTable, region: string): AwsPrices {
  const d = table.aws.default;
  const r = table.aws.regions[region] ?? {};
  return {
    ...d,
    ...r,
    ebsGbMonthByType: { ...d.ebsGbMonthByType, ...(r.ebsGbMonthByType ?? {}) },
    rdsStorageGbMonthByType: { ...d.rdsStorageGbMonthByType, ...(r.rdsStorageGbMonthByType ?? {}) },
  };
}

function mergeGcp(table: PriceTable, region: string): GcpPrices {
  const d = table.gcp.default;
  const r = table.gcp.regions[priceRegionOf('gcp', region)] ?? {};
  return { ...d, ...r, diskGbMonthByType: { ...d.diskGbMonthByType, ...(r.diskGbMonthByType ?? {}) } };
}
