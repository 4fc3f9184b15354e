/**
 * The aggregator: a durable pull consumer on the stream, feeding the aggregator's own log.
 *
 *   message → decode → already applied (source, revision)? acknowledge, drop
 *           → else hold it until its source commit is whole and its predecessor applied
 *   ready commits → one local commit each (one group, one fdatasync; aggregate-log.ts)
 *           → only then acknowledge their messages to JetStream.
 *
 * Sessions: each session starts the durable consumer again at its acknowledgement floor
 * (everything not acknowledged is delivered again at once, in stream order, rather than
 * after the ack wait), so a restart of the aggregator or of the server, or a lost
 * connection, costs one redelivery of what was in flight, and the (source, revision) check
 * drops what had already been applied. One aggregator per durable consumer name.
 */
import { setImmediate as yieldTurn } from 'node:timers/promises';
import {
  AckPolicy, connect, DeliverPolicy, Events, type ConsumerConfig, type JetStreamManager, type JsMsg, type NatsConnection,
} from 'nats';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { AGGREGATE_ACK_PENDING_MAX, AGGREGATE_ACK_WAIT_MS, AGGREGATE_FETCH_MESSAGES } from '../limits.js';
import type { Store } from '../store/store.js';
import { AggregateLog, type StoreHost } from './aggregate-log.js';
import { AggregateMetrics } from './aggregate-metrics.js';
import { Assembler } from './assembly.js';
import { Backoff } from './backoff.js';
import { FaninError, isFaninError } from './errors.js';
import { describe, ensureStream } from './forwarder.js';
import { checkDurableName, connectionOptions, type NatsOptions } from './nats-options.js';
import { planCommits } from './plan-commits.js';
import { decodeWire, SUBJECT_ROOT, type WireEvent } from './wire.js';

export interface AggregatorOptions {
  dir: string;
  nats: NatsOptions;
  /** The durable consumer's name. */
  durable: string;
  logger: Logger;
  registry: Registry;
  create: boolean;
  ackWaitMs?: number;
  checkpointEveryEvents?: number;
  /** Called for each source commit once it is durable here (benchmarks measure lag with it). */
  onCommitted?: (c: { source: string; sourceMain: number; sourceTimeMs: number; events: number; durableMs: number }) => void;
}

export class Aggregator {
  readonly metrics: AggregateMetrics;
  private readonly assembler = new Assembler<JsMsg>();
  private flushing: Promise<void> | null = null;
  private flushAgain = false;
  private failure: unknown = null;
  private session: AbortController | null = null;

  private constructor(private readonly options: AggregatorOptions, readonly log: AggregateLog) {
    this.metrics = new AggregateMetrics(options.registry, () => log.sources);
  }

  static async open(options: AggregatorOptions): Promise<Aggregator> {
    checkDurableName(options.durable);
    const log = await AggregateLog.open(options.dir, {
      logger: options.logger, create: options.create,
      ...(options.checkpointEveryEvents !== undefined ? { checkpointEveryEvents: options.checkpointEveryEvents } : {}),
    });
    return new Aggregator(options, log);
  }

  /** An aggregator writing through a daemon's open Store (a daemon with [aggregate]). */
  static over(store: Store, host: StoreHost, options: Omit<AggregatorOptions, 'dir' | 'create' | 'checkpointEveryEvents'>): Aggregator {
    checkDurableName(options.durable);
    return new Aggregator({ ...options, dir: store.dir, create: false }, AggregateLog.over(store, host, options.logger));
  }

  /** Consumes until `signal`; throws on what a retry cannot mend (the log refusing appends). */
  async run(signal: AbortSignal): Promise<void> {
    const { logger } = this.options;
    const backoff = new Backoff();
    logger.info({ stream: this.options.nats.stream, durable: this.options.durable, sources: this.log.sources.size }, 'aggregator starting');
    while (!signal.aborted) {
      let nc: NatsConnection | null = null;
      const session = new AbortController();
      this.session = session;
      const stop = (): void => session.abort();
      signal.addEventListener('abort', stop);
      try {
        nc = await connect(connectionOptions(this.options.nats, `elava-aggregate-${this.options.durable}`));
        this.watch(nc, session);
        await ensureStream(nc, this.options.nats.stream, true);
        await this.resetConsumer(await nc.jetstreamManager());
        backoff.reset();
        await this.consume(nc, session.signal);
      } catch (err) {
        if (isFaninError(err) && err.code !== 'FANIN_CONNECT') throw err;
        if (signal.aborted) break;
        this.metrics.reconnects.inc();
        const waitMs = await backoff.wait(signal);
        logger.warn({ err: describe(err), retryAfterMs: waitMs }, 'aggregator session ended; starting again from the consumer\'s acknowledgement floor');
      } finally {
        signal.removeEventListener('abort', stop);
        await this.flushing?.catch(() => undefined);
        this.assembler.clear(); // not acknowledged: the next session gets it again
        this.metrics.held.set(0);
        await nc?.close().catch(() => undefined);
      }
      if (this.failure !== null) throw this.failure;
    }
    logger.info({ revision: this.log.wal.lastMain }, 'aggregator stopped');
  }

  async close(): Promise<void> {
    await this.log.close();
  }

  /** A lost connection ends the session: the next one redelivers from the floor at once. */
  private watch(nc: NatsConnection, session: AbortController): void {
    void (async () => {
      for await (const s of nc.status()) {
        if (s.type === Events.Disconnect || s.type === Events.Reconnect) {
          this.options.logger.warn({ server: s.data, status: s.type }, 'NATS connection lost; starting a new session');
          session.abort();
          return;
        }
      }
    })().catch(() => undefined);
  }

  private async resetConsumer(jsm: JetStreamManager): Promise<void> {
    const { stream } = this.options.nats;
    const durable = this.options.durable;
    let floor = 0;
    try {
      const info = await jsm.consumers.info(stream, durable);
      floor = info.ack_floor.stream_seq;
      await jsm.consumers.delete(stream, durable);
    } catch (err) {
      if ((err as { api_error?: { err_code?: number } }).api_error?.err_code !== 10014) throw err;
    }
    const config: Partial<ConsumerConfig> = {
      durable_name: durable,
      ack_policy: AckPolicy.Explicit,
      ack_wait: (this.options.ackWaitMs ?? AGGREGATE_ACK_WAIT_MS) * 1_000_000,
      max_ack_pending: AGGREGATE_ACK_PENDING_MAX,
      filter_subject: `${SUBJECT_ROOT}.>`,
      ...(floor > 0 ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: floor + 1 } : { deliver_policy: DeliverPolicy.All }),
    };
    await jsm.consumers.add(stream, config);
    this.options.logger.info({ stream, durable, fromStreamSeq: floor + 1 }, 'consumer ready');
  }

  private async consume(nc: NatsConnection, signal: AbortSignal): Promise<void> {
    const consumer = await nc.jetstream().consumers.get(this.options.nats.stream, this.options.durable);
    const messages = await consumer.consume({ max_messages: AGGREGATE_FETCH_MESSAGES, expires: 5000 });
    const onAbort = (): void => messages.stop();
    signal.addEventListener('abort', onAbort);
    if (signal.aborted) messages.stop();
    try {
      let n = 0;
      for await (const m of messages) {
        this.receive(m);
        if (this.failure !== null) break;
        this.scheduleFlush();
        if (++n % AGGREGATE_FETCH_MESSAGES === 0) await yieldTurn(); // let the flush run
        if (this.assembler.heldMessages >= AGGREGATE_ACK_PENDING_MAX) {
          throw new FaninError('FANIN_TOO_LARGE', `${this.assembler.heldMessages} messages held without a whole commit to apply (a source commit over ${AGGREGATE_ACK_PENDING_MAX} events, or a gap in a source's revisions: ${JSON.stringify(this.assembler.waiting().slice(0, 3))})`);
        }
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
      messages.stop();
    }
  }

  private receive(m: JsMsg): void {
    let w: WireEvent;
    try {
      w = decodeWire(m.data); // the headers are parsed only for a bad message: ~5 % of the aggregator's time
    } catch (err) {
      this.metrics.badMessages.inc();
      const msgId = m.headers?.get('Nats-Msg-Id');
      this.options.logger.error({ err: describe(err), subject: m.subject, streamSeq: m.seq, msgId }, 'message is not an Elava fan-in event; terminated, not applied');
      terminate(m);
      return;
    }
    const outcome = this.assembler.add(w, m, this.log.lastSourceMain(w.source));
    if (outcome === 'stale') {
      this.metrics.stale.inc();
      ack(m);
    } else if (outcome === 'mismatch') {
      this.metrics.badMessages.inc();
      this.options.logger.error({ source: w.source, revision: w.main, sub: w.sub, streamSeq: m.seq }, 'message disagrees with the rest of its source commit (event count or previous revision); terminated, not applied');
      terminate(m);
    }
    this.metrics.held.set(this.assembler.heldMessages);
  }

  /** One flush at a time; messages arriving meanwhile are taken by the next one. */
  private scheduleFlush(): void {
    if (this.flushing !== null) {
      this.flushAgain = true;
      return;
    }
    this.flushing = this.flushLoop();
  }

  /**
   * Flushes until no message arrived during the last flush. `flushing` is cleared in the
   * same turn as the last look at `flushAgain`: a message arriving after that look finds
   * `flushing` null and starts a loop of its own. (Clearing it in a `.finally()` callback a
   * few microtasks later lost such a message's flush: a whole source commit sat held until
   * JetStream redelivered it, after the ack wait of 30 s.)
   */
  private async flushLoop(): Promise<void> {
    try {
      do {
        this.flushAgain = false;
        await this.flush();
      } while (this.flushAgain && this.failure === null);
    } catch (err) {
      this.failure = err;
      this.session?.abort(); // the log refused an append: nothing more is written
    } finally {
      this.flushing = null;
    }
  }

  private async flush(): Promise<void> {
    const { ready, stale } = this.assembler.takeReady((s) => this.log.lastSourceMain(s));
    for (const m of stale) ack(m);
    this.metrics.stale.inc(stale.length);
    if (ready.length === 0) return;
    const planned = planCommits(ready, this.log.sources);
    await this.log.commit(planned, Date.now());
    const nowMs = Date.now();
    for (let i = 0; i < ready.length; i++) {
      const c = ready[i]!;
      for (const m of c.messages) ack(m);
      const conflicts = planned[i]!.marker.conflicts;
      this.metrics.commits.inc();
      this.metrics.events.inc(planned[i]!.events.length);
      this.metrics.lagSeconds.observe(Math.max(0, nowMs - c.timeMs) / 1000);
      this.options.onCommitted?.({ source: c.source, sourceMain: c.main, sourceTimeMs: c.timeMs, events: c.count, durableMs: nowMs });
      if (conflicts.length > 0) {
        this.metrics.conflicts.inc(conflicts.length);
        this.options.logger.warn({ source: c.source, revision: c.main, scopes: conflicts.slice(0, 10), count: conflicts.length }, 'scopes reported by another source too: this source\'s events for them were not applied');
      }
    }
    this.metrics.held.set(this.assembler.heldMessages);
  }
}

/**
 * Acknowledges without ever throwing: an acknowledgement that cannot be sent (the
 * connection went away) only means JetStream delivers the message again, and the
 * (source, revision) check drops it then.
 */
function ack(m: JsMsg): void {
  try {
    m.ack();
  } catch {
    // redelivered later; recognised as already applied
  }
}

/** Terminates (never redelivered) without ever throwing. */
function terminate(m: JsMsg): void {
  try {
    m.term();
  } catch {
    // delivered again later and terminated then
  }
}
