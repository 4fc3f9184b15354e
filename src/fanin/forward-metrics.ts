/**
 * The forwarder's Prometheus metrics, on a registry given to it (the daemon's when it runs
 * in the daemon, its own under `elava forward`).
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** Upper bounds of one publish's round trip to its acknowledgement: 100 µs .. 10 s. */
const PUBLISH_BUCKETS_SECONDS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10];

export class ForwardMetrics {
  readonly forwarded: Counter;
  readonly duplicates: Counter;
  readonly reconnects: Counter;
  readonly publishSeconds: Histogram;
  readonly lagRevisions: Gauge;
  readonly lagBytes: Gauge;
  readonly cursorRevision: Gauge;

  constructor(registry: Registry) {
    const registers = [registry];
    this.forwarded = new Counter({ name: 'elava_forward_events_total', help: 'events of the local log acknowledged by the JetStream stream (duplicates included)', registers });
    this.duplicates = new Counter({ name: 'elava_forward_duplicate_acks_total', help: 'publishes the stream acknowledged as duplicates (already stored: counted as delivered)', registers });
    this.reconnects = new Counter({ name: 'elava_forward_reconnects_total', help: 'times the forwarder lost its NATS connection or session and started again', registers });
    this.publishSeconds = new Histogram({ name: 'elava_forward_publish_duration_seconds', help: 'time from publishing one event to the stream\'s acknowledgement', buckets: PUBLISH_BUCKETS_SECONDS, registers });
    this.lagRevisions = new Gauge({ name: 'elava_forward_lag_revisions', help: 'revisions of the local log not yet acknowledged by the stream', registers });
    this.lagBytes = new Gauge({ name: 'elava_forward_lag_bytes', help: 'bytes of the local log after the cursor (segments between counted whole)', registers });
    this.cursorRevision = new Gauge({ name: 'elava_forward_cursor_revision', help: 'the last local revision whose events the stream has acknowledged', registers });
  }
}
