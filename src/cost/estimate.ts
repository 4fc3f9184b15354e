/**
 * Monthly cost estimates (USD) of single resources from a PriceTable: storage by size and
 * type, addresses by the hour. null where the table has no price (an unknown volume type)
 * or the record lacks the size: an unknown cost is shown as unknown, never as 0.
 *
 * - ec2.volume: sizeGiB × EBS price of its volumeType;
 * - ec2.snapshot: sizeGiB (the source volume's size: an upper bound, since snapshots are
 *   incremental) × snapshot price; ec2.image: the sum of its snapshots' sizes, likewise;
 * - ec2.address: public IPv4 hours of a month;
 * - rds.instance: storageGiB × RDS storage price of its storageType, twice if Multi-AZ;
 * - rds.snapshot: sizeGiB × RDS snapshot price;
 * - gce.disk: sizeGb × disk price of its type; gce.snapshot: storageBytes (else the disk
 *   size) × snapshot price; gce.image: archiveSizeBytes (else diskSizeGb) × image price;
 * - gce.address: EXTERNAL: unused static IP hours of a month; INTERNAL: free.
 * Stopped instances cost their volumes: the caller sums those (see waste.ts).
 */
import type { ResourceRecord } from '../model/resource.js';
import { awsPricesFor, gcpPricesFor, HOURS_PER_MONTH, type PriceTable } from './prices.js';

const GIB = 1024 ** 3;

function num(r: ResourceRecord, attr: string): number | null {
  const v = r.attrs[attr];
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function str(r: ResourceRecord, attr: string): string | null {
  const v = r.attrs[attr];
  return typeof v === 'string' ? v : null;
}

function times(size: number | null, price: number | undefined): number | null {
  return size === null || price === undefined ? null : size * price;
}

/** Cents are the unit shown: round half away from zero to 0.01. */
export function roundUsd(value: number): number {
  return Math.round(value * 100) / 100;
}

export function monthlyUsd(r: ResourceRecord, table: PriceTable): number | null {
  const value = rawMonthlyUsd(r, table);
  return value === null ? null : roundUsd(value);
}

function rawMonthlyUsd(r: ResourceRecord, table: PriceTable): number | null {
  if (r.provider === 'aws') {
    const p = awsPricesFor(table, r.region);
    switch (r.type) {
      case 'ec2.volume':
        return times(num(r, 'sizeGiB'), p.ebsGbMonthByType[str(r, 'volumeType') ?? '']);
      case 'ec2.snapshot':
        return times(num(r, 'sizeGiB'), p.ebsSnapshotGbMonth);
      case 'ec2.image':
        return times(num(r, 'snapshotSizeGiB'), p.ebsSnapshotGbMonth);
      case 'ec2.address':
        return p.publicIpv4Hour * HOURS_PER_MONTH;
      case 'rds.instance': {
        const perAz = times(num(r, 'storageGiB'), p.rdsStorageGbMonthByType[str(r, 'storageType') ?? '']);
        return perAz === null ? null : perAz * (r.attrs['multiAz'] === true ? 2 : 1);
      }
      case 'rds.snapshot':
        return times(num(r, 'sizeGiB'), p.rdsSnapshotGbMonth);
      default:
        return null;
    }
  }
  const g = gcpPricesFor(table, r.region);
  switch (r.type) {
    case 'gce.disk':
      return times(num(r, 'sizeGb'), g.diskGbMonthByType[str(r, 'type') ?? '']);
    case 'gce.snapshot': {
      const bytes = num(r, 'storageBytes');
      return times(bytes !== null ? bytes / GIB : num(r, 'diskSizeGb'), g.snapshotGbMonth);
    }
    case 'gce.image': {
      const bytes = num(r, 'archiveSizeBytes');
      return times(bytes !== null ? bytes / GIB : num(r, 'diskSizeGb'), g.imageGbMonth);
    }
    case 'gce.address':
      return str(r, 'addressType') === 'INTERNAL' ? 0 : g.staticIpUnusedHour * HOURS_PER_MONTH;
    default:
      return null;
  }
}
