/**
 * `wal_fsync_duration_seconds`: the log's own fdatasync histogram (src/wal/metrics.ts)
 * exported as a Prometheus histogram with the same bucket bounds. The log keeps the counts;
 * this metric only reads them at scrape time (no second copy to drift).
 */
import { Histogram, type MetricType, type Registry } from 'prom-client';
import type { FsyncHistogram } from '../wal/metrics.js';

type Exported = Awaited<ReturnType<Histogram['get']>>;

export const FSYNC_METRIC_NAME = 'wal_fsync_duration_seconds';
export const PREPARE_FSYNC_METRIC_NAME = 'wal_prepare_fsync_duration_seconds';
/** prom-client's typings declare a numeric enum, but its registry prints this string. */
const HISTOGRAM_TYPE = 'histogram' as unknown as MetricType;
const FSYNC_METRIC_HELP = 'fdatasync latency of the write-ahead log (every commit and segment roll-over)';
const PREPARE_FSYNC_METRIC_HELP = 'fdatasync latency of the next log segment zero-filled ahead of need, in the background';

export class FsyncDurationMetric extends Histogram {
  private source: () => FsyncHistogram | null;
  private readonly metricName: string;
  private readonly metricHelp: string;

  /** `prepare`: the background syncs of the next segment's zero fill, not the commits'. */
  constructor(registry: Registry, source: () => FsyncHistogram | null, boundsSeconds: readonly number[], kind: 'commit' | 'prepare' = 'commit') {
    const name = kind === 'commit' ? FSYNC_METRIC_NAME : PREPARE_FSYNC_METRIC_NAME;
    const help = kind === 'commit' ? FSYNC_METRIC_HELP : PREPARE_FSYNC_METRIC_HELP;
    super({ name, help, buckets: [...boundsSeconds], registers: [registry] });
    this.source = source;
    this.metricName = name;
    this.metricHelp = help;
  }

  override async get(): Promise<Exported> {
    return this.exported();
  }

  /** prom-client's registry prefers this to get() for histograms. */
  async getForPromString(): Promise<Exported> {
    return this.exported();
  }

  private exported(): Exported {
    const h = this.source();
    const values: Exported['values'] = [];
    const name = this.metricName;
    let cumulative = 0;
    const bounds = h?.boundsSeconds ?? [];
    for (let i = 0; i < bounds.length; i++) {
      cumulative += h?.counts[i] ?? 0;
      values.push({ metricName: `${name}_bucket`, labels: { le: bounds[i] as number }, value: cumulative });
    }
    cumulative += h?.counts[bounds.length] ?? 0;
    values.push({ metricName: `${name}_bucket`, labels: { le: '+Inf' }, value: cumulative });
    values.push({ metricName: `${name}_sum`, labels: {}, value: h?.sumSeconds ?? 0 });
    values.push({ metricName: `${name}_count`, labels: {}, value: h?.count ?? 0 });
    return { name, help: this.metricHelp, type: HISTOGRAM_TYPE, values, aggregator: 'sum', collect: () => undefined };
  }
}
