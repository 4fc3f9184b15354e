/**
 * Pipelined JetStream publishes on the core NATS connection: many publishes in flight, their
 * acknowledgements matched by reply subject, and one question for the caller — how many of
 * the first publishes are acknowledged, in order.
 *
 * Why not nats.js `js.publish()`: it is a request per message, and per message it builds an
 * Error for a stack, a timer and a promise, and flushes the socket on its own; a profile of
 * the forwarder showed those (and the garbage they make) as about three quarters of its CPU,
 * at about 5 k events/s. Here a publish is a core `HPUB` with the same headers js.publish
 * sends (`Nats-Msg-Id`, `Nats-Expected-Stream`) and a reply subject `<inbox>.<seq>`; the
 * server's PubAck comes back on one wildcard subscription. Publishes issued in one turn of
 * the event loop leave in one socket write.
 *
 *   publish() → seq 0, 1, 2, …   (at most `capacity` unacknowledged: the caller waits first)
 *   ack of seq k → slot k marked; `acknowledged` moves over every leading marked slot
 *   any failure (an error ack, no stream answering, the oldest publish older than
 *   `timeoutMs`, the connection closing) → `failure` is set, waiters are rejected, and the
 *   window takes nothing more; what was not acknowledged is the caller's to publish again.
 *
 * Duplicates: a PubAck with `duplicate: true` (the stream already holds that Nats-Msg-Id)
 * counts as acknowledged.
 */
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { createInbox, headers, type Msg, type MsgHdrs, type NatsConnection, type NatsError, type Subscription } from 'nats';
import { FaninError } from './errors.js';

export interface PublishWindowOptions {
  stream: string;
  /** Publishes awaiting acknowledgement, at most. */
  capacity: number;
  /** The oldest unacknowledged publish may wait this long before the window fails. */
  timeoutMs: number;
  /** Called per acknowledgement (duplicate or not) with its round trip. */
  onAck: (roundTripMs: number, duplicate: boolean) => void;
}

/** An error the next session may mend (the server restarting, a lost connection). */
export class PublishFailure extends Error {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause !== undefined ? { cause: options.cause } : undefined);
    this.name = 'PublishFailure';
  }
}

interface Waiter {
  inFlightMax: number;
  resolve: () => void;
  reject: (err: unknown) => void;
}

const decoder = new TextDecoder();

export class PublishWindow {
  /** How many publishes (from the first) are acknowledged, all of them. */
  acknowledged = 0;
  /** Publishes issued. */
  published = 0;
  failure: Error | null = null;
  private readonly acked: Uint8Array;
  private readonly sentMs: Float64Array;
  private readonly inbox = createInbox();
  private readonly sub: Subscription;
  private readonly hdrs: MsgHdrs = headers();
  private readonly timer: NodeJS.Timeout;
  private waiter: Waiter | null = null;

  constructor(
    private readonly nc: NatsConnection,
    private readonly options: PublishWindowOptions,
  ) {
    assert.ok(Number.isSafeInteger(options.capacity) && options.capacity >= 1);
    assert.ok(options.timeoutMs > 0);
    this.acked = new Uint8Array(options.capacity);
    this.sentMs = new Float64Array(options.capacity);
    this.hdrs.set('Nats-Expected-Stream', options.stream);
    this.sub = nc.subscribe(`${this.inbox}.*`, { callback: (err, m) => this.onReply(err, m) });
    this.timer = setInterval(() => this.checkTimeout(), Math.max(10, Math.floor(options.timeoutMs / 4)));
    this.timer.unref();
    nc.closed().then(
      (err) => this.fail(new PublishFailure('the NATS connection closed', { cause: err ?? undefined })),
      (err: unknown) => this.fail(new PublishFailure('the NATS connection closed', { cause: err })),
    );
  }

  get inFlight(): number {
    return this.published - this.acknowledged;
  }

  /**
   * Publishes one message; returns its seq. The caller keeps `inFlight` under `capacity`
   * (await `untilInFlightAtMost` first). Throws the window's failure, or the client's
   * error (a closed connection, a payload over max_payload) as a PublishFailure.
   */
  publish(subject: string, data: Uint8Array, msgId: string): number {
    if (this.failure !== null) throw this.failure;
    assert.ok(this.inFlight < this.options.capacity, 'publish window overfull');
    const seq = this.published;
    this.hdrs.set('Nats-Msg-Id', msgId); // encoded inside publish(): one headers object serves all
    try {
      this.nc.publish(subject, data, { headers: this.hdrs, reply: `${this.inbox}.${seq}` });
    } catch (err) {
      throw this.fail(new PublishFailure(`publish of ${msgId} failed: ${(err as Error).message}`, { cause: err }));
    }
    this.sentMs[seq % this.options.capacity] = performance.now();
    this.published = seq + 1;
    return seq;
  }

  /** Resolves once at most `n` publishes are unacknowledged; rejects with the failure. */
  untilInFlightAtMost(n: number): Promise<void> {
    assert.ok(this.waiter === null, 'one waiter at a time');
    if (this.failure !== null) return Promise.reject(this.failure);
    if (this.inFlight <= n) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.waiter = { inFlightMax: n, resolve, reject };
    });
  }

  /** Fails the window from outside (the connection was lost): waiters are rejected. */
  abort(reason: string): void {
    this.fail(new PublishFailure(reason));
  }

  /** Stops listening; publishes still unacknowledged stay so. */
  close(): void {
    clearInterval(this.timer);
    this.fail(new PublishFailure('the publish window is closed'));
    try {
      this.sub.unsubscribe();
    } catch {
      // the connection is already closed
    }
  }

  private onReply(err: NatsError | null, m: Msg): void {
    if (this.failure !== null) return;
    if (err !== null) {
      this.fail(new PublishFailure(`the acknowledgement subscription failed: ${err.message}`, { cause: err }));
      return;
    }
    const seq = Number(m.subject.slice(this.inbox.length + 1));
    if (!(seq >= this.acknowledged && seq < this.published)) return; // not ours, or long done
    const slot = seq % this.options.capacity;
    if (this.acked[slot] === 1) return;
    if (m.data.length === 0 && m.headers?.code === 503) {
      this.fail(new PublishFailure(`no JetStream stream answered (503): is stream ${this.options.stream} there, and JetStream up?`));
      return;
    }
    let ack: { stream?: unknown; duplicate?: unknown; error?: { code?: unknown; description?: unknown } };
    try {
      ack = JSON.parse(decoder.decode(m.data)) as typeof ack;
    } catch (cause) {
      this.fail(new PublishFailure('the server\'s acknowledgement is not JSON', { cause }));
      return;
    }
    if (ack.error !== undefined) {
      this.fail(new PublishFailure(`the stream refused a publish: ${String(ack.error.description)} (${String(ack.error.code)})`));
      return;
    }
    if (ack.stream !== this.options.stream) {
      this.fail(new FaninError('FANIN_STREAM', `the acknowledgement came from stream ${String(ack.stream)}, not ${this.options.stream}`));
      return;
    }
    this.acked[slot] = 1;
    this.options.onAck(performance.now() - this.sentMs[slot]!, ack.duplicate === true);
    this.advance();
  }

  private advance(): void {
    const capacity = this.options.capacity;
    while (this.acknowledged < this.published && this.acked[this.acknowledged % capacity] === 1) {
      this.acked[this.acknowledged % capacity] = 0;
      this.acknowledged++;
    }
    const w = this.waiter;
    if (w !== null && this.inFlight <= w.inFlightMax) {
      this.waiter = null;
      w.resolve();
    }
  }

  private checkTimeout(): void {
    if (this.failure !== null || this.inFlight === 0) return;
    const oldestMs = performance.now() - this.sentMs[this.acknowledged % this.options.capacity]!;
    if (oldestMs > this.options.timeoutMs) {
      this.fail(new PublishFailure(`no acknowledgement for ${Math.round(oldestMs)} ms (${this.inFlight} publishes waiting)`));
    }
  }

  /** Records the first failure, rejects the waiter; returns the failure in force. */
  private fail(err: Error): Error {
    if (this.failure === null) this.failure = err;
    clearInterval(this.timer);
    const w = this.waiter;
    this.waiter = null;
    w?.reject(this.failure);
    return this.failure;
  }
}
