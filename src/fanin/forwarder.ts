/**
 * The forwarder: tails the local log from its durable cursor and publishes every event to
 * the JetStream stream (subjects and ids: wire.ts), pipelined:
 *
 *   read whole commits after the last one sent (log-tail.ts) → publish their events
 *   through the publish window (publish-window.ts), at most `inFlightMax` awaiting
 *   acknowledgement; when the window is full, wait until half of it is acknowledged →
 *   read the next pass while the server works through the window → after each pass (and
 *   when caught up, once the window is empty) the cursor moves past every commit whose
 *   events are all acknowledged, and the cursor file is written (temp + fsync + rename):
 *   once per pass, never past an unacknowledged event.
 *
 * A duplicate acknowledgement (the stream already holds that Nats-Msg-Id) counts as
 * delivered. Any failure (connection lost, an acknowledgement not coming in time, the server
 * restarting) ends the session: the client is closed, the forwarder waits its backoff and
 * starts again from the cursor; what was published but not acknowledged is published again
 * and the stream drops it. The log is the buffer: the daemon's scan cycle never waits for this.
 */
import { setImmediate as yieldTurn } from 'node:timers/promises';
import { connect, Events, StorageType, type NatsConnection } from 'nats';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import {
  FANIN_DUPLICATE_WINDOW_MS, FORWARD_ACK_TIMEOUT_MS, FORWARD_DAMAGE_PATIENCE_MS, FORWARD_IN_FLIGHT_MAX, FORWARD_POLL_MS,
  FORWARD_READ_EVENTS_MAX,
} from '../limits.js';
import { damageError, type LogDamage } from '../wal/damage.js';
import type { ReadPosition } from '../wal/reader.js';
import type { RecordLocation } from '../wal/types.js';
import { Backoff, pause } from './backoff.js';
import { readCursor, writeCursor, type ForwardCursor } from './cursor-file.js';
import { FaninError, isFaninError } from './errors.js';
import { ForwardMetrics } from './forward-metrics.js';
import { bytesBetween, logMark, readCommitsAfter, sameMark, type LogMark, type TailCommit } from './log-tail.js';
import { connectionOptions, type NatsOptions } from './nats-options.js';
import { PublishWindow } from './publish-window.js';
import { sourceIdOf } from './source-id.js';
import { encodeWire, msgIdOf, SubjectCache, SUBJECT_ROOT, WIRE_VERSION } from './wire.js';

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

/** A commit whose events are all published, awaiting their acknowledgements. */
interface SentCommit {
  /** Acknowledged whole once the window's `acknowledged` count reaches this. */
  ackedAt: number;
  cursor: ForwardCursor;
  end: RecordLocation;
}

export class Forwarder {
  readonly source: string;
  readonly metrics: ForwardMetrics;
  private cursor: ForwardCursor;
  private cursorEnd: RecordLocation | null = null;
  private knownEndMain = 0;
  private knownEnd: RecordLocation | null = null;
  private readonly inFlightMax: number;
  private readonly subjects: SubjectCache;
  /** This session: the last local revision published whole, and the last of those with events. */
  private sentMain = 0;
  private sentPrev = 0;
  private sent: SentCommit[] = [];
  /** Where the next read resumes (just past sentMain); null: from the segment's start. */
  private readFrom: ReadPosition | null = null;
  /** The damage the last passes stopped at, and since when: believed after a while. */
  private damageSeen: { segment: string; offsetBytes: number; sinceMs: number } | null = null;
  private window: PublishWindow | null = null;
  /** Acknowledgements not yet added to the counters (added once per pass, not per event). */
  private acksUncounted = 0;
  private duplicatesUncounted = 0;

  private constructor(private readonly options: ForwarderOptions) {
    this.source = sourceIdOf(options.dir);
    this.subjects = new SubjectCache(this.source);
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
        if (await this.session(nc, signal, backoff)) return;
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

  /** A lost connection fails the window at once: the session ends and starts again from the cursor. */
  private watch(nc: NatsConnection): void {
    void (async () => {
      for await (const s of nc.status()) {
        if (s.type === Events.Reconnect) this.metrics.reconnects.inc();
        if (s.type === Events.Disconnect) {
          this.options.logger.warn({ server: s.data }, 'NATS connection lost; reconnecting');
          this.window?.abort('the NATS connection was lost');
        }
      }
    })().catch(() => undefined);
  }

  /** One connection's work: a fresh window, starting from the cursor. */
  private async session(nc: NatsConnection, signal: AbortSignal, backoff: Backoff): Promise<boolean> {
    const window = new PublishWindow(nc, {
      stream: this.options.nats.stream, capacity: this.inFlightMax, timeoutMs: FORWARD_ACK_TIMEOUT_MS,
      onAck: (roundTripMs, duplicate) => this.onAck(roundTripMs, duplicate),
    });
    this.window = window;
    this.sentMain = this.cursor.main;
    this.sentPrev = this.cursor.prev;
    this.sent = [];
    this.readFrom = null;
    try {
      return await this.pump(window, nc.info?.max_payload ?? Number.MAX_SAFE_INTEGER, signal, backoff);
    } finally {
      window.close();
      this.window = null;
      this.settle(window); // what was acknowledged before the end counts
    }
  }

  /** Passes until stopped; true when caught up and asked to exit then. */
  private async pump(window: PublishWindow, maxPayload: number, signal: AbortSignal, backoff: Backoff): Promise<boolean> {
    const pollMs = this.options.pollMs ?? FORWARD_POLL_MS;
    let seen: LogMark | null = null;
    while (!signal.aborted) {
      const mark = logMark(this.options.dir); // before the read: a later write changes it
      if (seen !== null && sameMark(mark, seen)) {
        await window.untilInFlightAtMost(0);
        this.settle(window);
        this.updateLag();
        if (this.options.exitWhenCaughtUp) return true;
        await pause(pollMs, signal);
        continue;
      }
      const pass = this.readPass();
      if (pass.caughtUp) seen = mark;
      if (pass.commits.length > 0) {
        await this.publishPass(window, maxPayload, pass.commits);
        backoff.reset();
      }
      this.settle(window);
      this.updateLag();
      if (pass.damage !== null) await pause(pollMs, signal); // look again once the writer is done
      else await yieldTurn(); // a long catch-up never holds the event loop for more than a pass
    }
    return false;
  }

  private readPass(): { commits: TailCommit[]; caughtUp: boolean; damage: LogDamage | null } {
    let pass;
    try {
      pass = readCommitsAfter(this.options.dir, this.sentMain, this.options.readEventsMax ?? FORWARD_READ_EVENTS_MAX, this.readFrom);
    } catch (err) {
      throw new FaninError('FANIN_LOG', `cannot read the log in ${this.options.dir}: ${(err as Error).message}`, { cause: err });
    }
    this.readFrom = pass.next;
    this.judgeDamage(pass.damage);
    if (pass.endMain !== null) {
      this.knownEndMain = pass.endMain;
      this.knownEnd = pass.end;
    }
    const last = pass.commits[pass.commits.length - 1];
    if (last !== undefined && last.main > this.knownEndMain) {
      this.knownEndMain = last.main;
      this.knownEnd = last.end;
    }
    return { commits: pass.commits, caughtUp: pass.endMain !== null, damage: pass.damage };
  }

  /**
   * A pass that stops at damage: the writer may be half-way through that commit, so the
   * same damage is believed only once it has stood FORWARD_DAMAGE_PATIENCE_MS; then it is
   * FANIN_LOG (logged, and looked at again after the backoff).
   */
  private judgeDamage(damage: LogDamage | null): void {
    if (damage === null) {
      this.damageSeen = null;
      return;
    }
    const seen = this.damageSeen;
    if (seen === null || seen.segment !== damage.segment || seen.offsetBytes !== damage.offsetBytes) {
      this.damageSeen = { segment: damage.segment, offsetBytes: damage.offsetBytes, sinceMs: Date.now() };
      return;
    }
    if (Date.now() - seen.sinceMs >= FORWARD_DAMAGE_PATIENCE_MS) {
      throw new FaninError('FANIN_LOG', `cannot read the log in ${this.options.dir} past revision ${damage.lastMain}: ${damageError(damage).message}`);
    }
  }

  /** Publishes every event of `commits`; waits only when the window is full. */
  private async publishPass(window: PublishWindow, maxPayload: number, commits: readonly TailCommit[]): Promise<void> {
    const lowWater = this.inFlightMax >> 1; // refill in bursts: many publishes per socket write
    for (const c of commits) {
      const count = c.events.length;
      for (let sub = 0; sub < count; sub++) {
        if (window.inFlight >= this.inFlightMax) await window.untilInFlightAtMost(lowWater);
        const event = c.events[sub]!;
        const data = encodeWire({ v: WIRE_VERSION, source: this.source, main: c.main, sub, count, prev: this.sentPrev, timeMs: c.timeMs, event });
        if (data.length > maxPayload) {
          throw new FaninError('FANIN_TOO_LARGE', `event ${c.main}.${sub} encodes to ${data.length} bytes, over the server's max_payload ${maxPayload}`);
        }
        window.publish(this.subjects.subjectOf(event), data, msgIdOf(this.source, c.main, sub));
      }
      if (count > 0) this.sentPrev = c.main;
      this.sentMain = c.main;
      this.sent.push({ ackedAt: window.published, cursor: { main: c.main, prev: this.sentPrev }, end: c.end });
    }
  }

  private onAck(roundTripMs: number, duplicate: boolean): void {
    this.metrics.publishSeconds.observe(roundTripMs / 1000);
    this.acksUncounted++;
    if (duplicate) this.duplicatesUncounted++;
  }

  /** Moves the cursor past every sent commit whose events are all acknowledged (one file write). */
  private settle(window: PublishWindow): void {
    this.metrics.forwarded.inc(this.acksUncounted);
    this.metrics.duplicates.inc(this.duplicatesUncounted);
    this.acksUncounted = 0;
    this.duplicatesUncounted = 0;
    let done = 0;
    while (done < this.sent.length && this.sent[done]!.ackedAt <= window.acknowledged) done++;
    if (done === 0) return;
    const last = this.sent[done - 1]!;
    this.sent = this.sent.slice(done);
    this.advance(last.cursor, last.end);
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
