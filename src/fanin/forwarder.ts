/**
 * The forwarder: tails the local log from its durable cursor and publishes every event to
 * the JetStream stream (subjects and ids: wire.ts), in passes:
 *
 *   read whole commits after the cursor (log-tail.ts) → publish their events, at most
 *   `inFlightMax` awaiting acknowledgement → as the acknowledgements come back in order,
 *   the cursor moves past each commit whose every event is acknowledged → the cursor file
 *   is written (temp + fsync + rename) at the end of the pass, or when the pass fails.
 *
 * A duplicate acknowledgement (the stream already holds that Nats-Msg-Id) counts as
 * delivered. Any failure (connection lost, a publish timing out, the server restarting)
 * ends the session: the client is closed, the forwarder waits its backoff and starts again
 * from the cursor; what was published but not acknowledged is published again and the
 * stream drops it. The log is the buffer: the daemon's scan cycle never waits for this.
 */
import { performance } from 'node:perf_hooks';
import { setImmediate as yieldTurn } from 'node:timers/promises';
import { connect, Events, StorageType, type JetStreamClient, type NatsConnection, type PubAck } from 'nats';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { FANIN_DUPLICATE_WINDOW_MS, FORWARD_IN_FLIGHT_MAX, FORWARD_POLL_MS, FORWARD_READ_EVENTS_MAX } from '../limits.js';
import type { RecordLocation } from '../wal/types.js';
import { Backoff, pause } from './backoff.js';
import { readCursor, writeCursor, type ForwardCursor } from './cursor-file.js';
import { FaninError, isFaninError } from './errors.js';
import { ForwardMetrics } from './forward-metrics.js';
import { bytesBetween, logMark, readCommitsAfter, sameMark, type LogMark, type TailCommit } from './log-tail.js';
import { connectionOptions, type NatsOptions } from './nats-options.js';
import { sourceIdOf } from './source-id.js';
import { encodeWire, msgIdOf, subjectOf, SUBJECT_ROOT, WIRE_VERSION } from './wire.js';

export interface ForwarderOptions {
  dir: string;
  nats: NatsOptions;
  logger: Logger;
  registry: Registry;
  inFlightMax?: number;
  pollMs?: number;
  readEventsMax?: number;
  /** Create the stream when it does not exist (default true). */
  createStream?: boolean;
  /** Return from run() once everything in the log is acknowledged (`--once`). */
  exitWhenCaughtUp?: boolean;
}

/** One publish's outcome; never a rejected promise (an unawaited rejection would crash). */
type Outcome = { ok: true; ack: PubAck } | { ok: false; err: unknown };

interface Slot {
  outcome: Promise<Outcome> | null;
  /** The cursor once this slot is acknowledged, when it ends a commit; else null. */
  after: { cursor: ForwardCursor; end: RecordLocation } | null;
}

export class Forwarder {
  readonly source: string;
  readonly metrics: ForwardMetrics;
  private cursor: ForwardCursor;
  private cursorEnd: RecordLocation | null = null;
  private knownEndMain = 0;
  private knownEnd: RecordLocation | null = null;
  private readonly inFlightMax: number;

  private constructor(private readonly options: ForwarderOptions) {
    this.source = sourceIdOf(options.dir);
    this.cursor = readCursor(options.dir, this.source);
    this.metrics = new ForwardMetrics(options.registry);
    this.metrics.cursorRevision.set(this.cursor.main);
    this.inFlightMax = options.inFlightMax ?? FORWARD_IN_FLIGHT_MAX;
    if (!(this.inFlightMax >= 1 && this.inFlightMax <= FORWARD_IN_FLIGHT_MAX)) {
      throw new FaninError('FANIN_CONFIG', `in-flight publishes must be 1..${FORWARD_IN_FLIGHT_MAX}`);
    }
  }

  /** Reads (or creates) the source id and the cursor. Throws FaninError. */
  static open(options: ForwarderOptions): Forwarder {
    return new Forwarder(options);
  }

  get cursorMain(): number {
    return this.cursor.main;
  }

  /** Forwards until `signal` (or, with exitWhenCaughtUp, until caught up). */
  async run(signal: AbortSignal): Promise<void> {
    const { logger } = this.options;
    const backoff = new Backoff();
    logger.info({ source: this.source, cursor: this.cursor.main, stream: this.options.nats.stream }, 'forwarder starting');
    while (!signal.aborted) {
      let nc: NatsConnection | null = null;
      try {
        nc = await connect(connectionOptions(this.options.nats, `elava-forward-${this.source}`));
        this.watch(nc);
        await ensureStream(nc, this.options.nats.stream, this.options.createStream ?? true);
        backoff.reset();
        if (await this.pump(nc, nc.jetstream(), signal, backoff)) return;
      } catch (err) {
        if (signal.aborted) break;
        if (isFaninError(err) && err.code !== 'FANIN_CONNECT' && err.code !== 'FANIN_LOG') throw err;
        this.metrics.reconnects.inc();
        const waitMs = await backoff.wait(signal);
        logger.warn({ err: describe(err), cursor: this.cursor.main, retryAfterMs: waitMs }, 'forwarder session ended; starting again from the cursor');
      } finally {
        await nc?.close().catch(() => undefined);
      }
    }
    logger.info({ source: this.source, cursor: this.cursor.main }, 'forwarder stopped');
  }

  private watch(nc: NatsConnection): void {
    void (async () => {
      for await (const s of nc.status()) {
        if (s.type === Events.Reconnect) this.metrics.reconnects.inc();
        if (s.type === Events.Disconnect) this.options.logger.warn({ server: s.data }, 'NATS connection lost; reconnecting');
      }
    })().catch(() => undefined);
  }

  /** Passes until stopped; true when caught up and asked to exit then. */
  private async pump(nc: NatsConnection, js: JetStreamClient, signal: AbortSignal, backoff: Backoff): Promise<boolean> {
    const pollMs = this.options.pollMs ?? FORWARD_POLL_MS;
    let seen: LogMark | null = null;
    while (!signal.aborted) {
      const mark = logMark(this.options.dir); // before the read: a later write changes it
      if (seen !== null && sameMark(mark, seen)) {
        if (this.options.exitWhenCaughtUp) return true;
        await pause(pollMs, signal);
        continue;
      }
      const pass = this.readPass();
      if (pass.caughtUp) seen = mark;
      this.updateLag();
      if (pass.commits.length > 0) {
        await this.publishPass(nc, js, pass.commits);
        backoff.reset();
        this.updateLag();
      }
      if (pass.caughtUp && this.options.exitWhenCaughtUp) return true;
      await yieldTurn(); // a long catch-up never holds the event loop for more than a pass
    }
    return false;
  }

  private readPass(): { commits: TailCommit[]; caughtUp: boolean } {
    let pass;
    try {
      pass = readCommitsAfter(this.options.dir, this.cursor.main, this.options.readEventsMax ?? FORWARD_READ_EVENTS_MAX);
    } catch (err) {
      throw new FaninError('FANIN_LOG', `cannot read the log in ${this.options.dir}: ${(err as Error).message}`, { cause: err });
    }
    if (pass.endMain !== null) {
      this.knownEndMain = pass.endMain;
      this.knownEnd = pass.end;
    }
    const last = pass.commits[pass.commits.length - 1];
    if (last !== undefined && last.main > this.knownEndMain) {
      this.knownEndMain = last.main;
      this.knownEnd = last.end;
    }
    return { commits: pass.commits, caughtUp: pass.endMain !== null };
  }

  private async publishPass(nc: NatsConnection, js: JetStreamClient, commits: readonly TailCommit[]): Promise<void> {
    const slots: Slot[] = [];
    let head = 0;
    let acked: Slot['after'] = null;
    let failure: unknown = null;
    const settle = async (): Promise<void> => {
      const slot = slots[head++] as Slot;
      const outcome = slot.outcome === null ? null : await slot.outcome;
      if (outcome !== null && !outcome.ok) throw outcome.err;
      if (outcome !== null) this.acknowledged(outcome.ack);
      if (slot.after !== null) acked = slot.after;
    };
    try {
      let prev = this.cursor.prev;
      const maxPayload = nc.info?.max_payload ?? Number.MAX_SAFE_INTEGER;
      for (const c of commits) {
        const count = c.events.length;
        for (let sub = 0; sub < count; sub++) {
          while (slots.length - head >= this.inFlightMax) await settle();
          const event = c.events[sub]!;
          const data = encodeWire({ v: WIRE_VERSION, source: this.source, main: c.main, sub, count, prev, timeMs: c.timeMs, event });
          if (data.length > maxPayload) {
            throw new FaninError('FANIN_TOO_LARGE', `event ${c.main}.${sub} encodes to ${data.length} bytes, over the server's max_payload ${maxPayload}`);
          }
          const outcome = this.publish(js, subjectOf(this.source, event), data, msgIdOf(this.source, c.main, sub));
          slots.push({ outcome, after: sub === count - 1 ? { cursor: { main: c.main, prev: c.main }, end: c.end } : null });
        }
        if (count > 0) prev = c.main;
        else slots.push({ outcome: null, after: { cursor: { main: c.main, prev }, end: c.end } });
      }
      while (head < slots.length) await settle();
    } catch (err) {
      failure = err;
    }
    const done = acked as Slot['after'];
    if (done !== null) this.advance(done.cursor, done.end);
    if (failure !== null) throw failure;
  }

  private publish(js: JetStreamClient, subject: string, data: Uint8Array, msgID: string): Promise<Outcome> {
    const startedMs = performance.now();
    const expect = { streamName: this.options.nats.stream };
    return js.publish(subject, data, { msgID, expect }).then(
      (ack): Outcome => {
        this.metrics.publishSeconds.observe((performance.now() - startedMs) / 1000);
        return { ok: true, ack };
      },
      (err: unknown): Outcome => ({ ok: false, err }),
    );
  }

  private acknowledged(ack: PubAck): void {
    if (ack.stream !== this.options.nats.stream) {
      throw new FaninError('FANIN_STREAM', `the acknowledgement came from stream ${ack.stream}, not ${this.options.nats.stream}`);
    }
    this.metrics.forwarded.inc();
    if (ack.duplicate) this.metrics.duplicates.inc();
  }

  private advance(cursor: ForwardCursor, end: RecordLocation): void {
    writeCursor(this.options.dir, this.source, cursor);
    this.cursor = cursor;
    this.cursorEnd = end;
    this.metrics.cursorRevision.set(cursor.main);
  }

  private updateLag(): void {
    this.metrics.lagRevisions.set(Math.max(0, this.knownEndMain - this.cursor.main));
    this.metrics.lagBytes.set(this.knownEndMain <= this.cursor.main ? 0 : bytesBetween(this.options.dir, this.cursorEnd, this.knownEnd));
  }
}

/** The stream must exist and take `elava.>`; created (file storage, dedupe window) if allowed. */
export async function ensureStream(nc: NatsConnection, stream: string, create: boolean): Promise<void> {
  const jsm = await nc.jetstreamManager();
  const wanted = `${SUBJECT_ROOT}.>`;
  try {
    const info = await jsm.streams.info(stream);
    if (!info.config.subjects.includes(wanted)) {
      throw new FaninError('FANIN_STREAM', `stream ${stream} does not take the subjects ${wanted} (it takes ${info.config.subjects.join(', ')})`);
    }
    return;
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  if (!create) throw new FaninError('FANIN_STREAM', `stream ${stream} does not exist on the NATS server`);
  await jsm.streams.add({
    name: stream,
    subjects: [wanted],
    storage: StorageType.File,
    duplicate_window: FANIN_DUPLICATE_WINDOW_MS * 1_000_000,
  });
}

function isNotFound(err: unknown): boolean {
  return (err as { api_error?: { err_code?: number } } | null)?.api_error?.err_code === 10059;
}

/** An error for a log line: its code and message, never options or credentials. */
export function describe(err: unknown): { code: string | null; message: string } {
  const code = (err as { code?: unknown } | null)?.code;
  return { code: typeof code === 'string' ? code : null, message: (err as Error)?.message ?? String(err) };
}
