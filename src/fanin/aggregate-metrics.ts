/**
 * The aggregator's Prometheus metrics, beside the daemon's (log, counts) on one registry.
 * Per-source revisions are read from the `sources` projection at scrape time.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { Sources } from '../projection/sources.js';

/** Source commit → durable here: 5 ms .. 5 min. */
const LAG_BUCKETS_SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

export class AggregateMetrics {
  readonly commits: Counter;
  readonly events: Counter;
  readonly stale: Counter;
  readonly conflicts: Counter;
  readonly badMessages: Counter;
  readonly reconnects: Counter;
  readonly held: Gauge;
  readonly lagSeconds: Histogram;

  constructor(registry: Registry, sources: () => Sources | null) {
    const registers = [registry];
    this.commits = new Counter({ name: 'elava_aggregate_source_commits_total', help: 'source commits committed to the aggregate log', registers });
    this.events = new Counter({ name: 'elava_aggregate_events_total', help: 'source events applied to the aggregate log', registers });
    this.stale = new Counter({ name: 'elava_aggregate_duplicate_messages_total', help: 'messages of source revisions already applied (redelivered or republished), acknowledged and dropped', registers });
    this.conflicts = new Counter({ name: 'elava_aggregate_scope_conflicts_total', help: 'scope reports refused because another source reports the scope', registers });
    this.badMessages = new Counter({ name: 'elava_aggregate_bad_messages_total', help: 'messages on the stream that are not Elava fan-in events (terminated, not applied)', registers });
    this.reconnects = new Counter({ name: 'elava_aggregate_reconnects_total', help: 'times the aggregator started its NATS session again', registers });
    this.held = new Gauge({ name: 'elava_aggregate_held_messages', help: 'messages held: commits not whole yet, or waiting for an earlier commit of their source', registers });
    this.lagSeconds = new Histogram({ name: 'elava_aggregate_lag_seconds', help: 'from a source commit (its commit time) to its durable commit here', buckets: LAG_BUCKETS_SECONDS, registers });
    new Gauge({
      name: 'elava_aggregate_source_revision', help: 'last revision of each source applied here', labelNames: ['source'], registers,
      collect() {
        this.reset();
        for (const s of sources()?.list() ?? []) this.set({ source: s.source }, s.lastSourceMain);
      },
    });
  }
}
