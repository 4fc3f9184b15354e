/**
 * Events whose payload is decoded only when first read (LogReader with `payloads:
 * 'on-demand'`): a replay that needs only positions, keys and tags never pays for the
 * payloads it does not look at.
 *
 * Invariant: the bytes such an event would decode are the reader's window, valid only
 * while the reader stands at that event. So `payload` may be read for the first time only
 * before the reader is asked for its next entry; after that it throws (an assertion: the
 * caller's bug, never garbage). Once decoded, the payload stays with the event.
 *
 *   const it = reader.entries();
 *   const a = it.next().value;   // turn 0: a.payload decodes
 *   const b = it.next().value;   // turn 1: a.payload throws unless a read it in turn 0
 */
import assert from 'node:assert/strict';
import type { PayloadDecoder } from './codec.js';
import type { SegmentDecoder } from './decoder.js';
import { WalError } from './errors.js';
import type { LogEvent, LogEventRead, RecordLocation } from './types.js';

/** Decodes a payload read from the log; bad bytes are damage, named by where they are. */
export function decodePayload(payloads: PayloadDecoder, bytes: Uint8Array, segment: string, offsetBytes: number): unknown {
  try {
    return payloads.decode(bytes);
  } catch (err) {
    throw new WalError('WAL_BAD_PAYLOAD', 'event payload does not decode', { segment, offsetBytes, cause: err });
  }
}

/**
 * The reader's current event, numbered by turns: one turn per entry handed out. An
 * on-demand event remembers its turn and may decode only while it is still current.
 */
export class PayloadTurns {
  turn = 0;
  private decoder: SegmentDecoder | null = null;
  private segment = '';
  private offsetBytes = 0;

  constructor(private readonly payloads: PayloadDecoder) {}

  /** The reader stands at the event `decoder` just read; returns the turn it is handed out in. */
  enter(decoder: SegmentDecoder, segment: string, offsetBytes: number): number {
    this.decoder = decoder;
    this.segment = segment;
    this.offsetBytes = offsetBytes;
    return this.turn;
  }

  /** The reader moves on (or stops): the current bytes are no longer there. */
  leave(): void {
    this.decoder = null;
    this.turn++;
  }

  /** The payload of `event`, which must be the current one. */
  decode(event: OnDemandEvent, turn: number): unknown {
    if (turn !== this.turn || this.decoder === null) {
      assert.fail(`payload of event ${event.main}.${event.sub} (${event.location.segment} at byte ${event.location.offsetBytes}) read for the first time after the reader moved on: with payloads 'on-demand', read it before asking for the next entry`);
    }
    return decodePayload(this.payloads, this.decoder.payload(), this.segment, this.offsetBytes);
  }
}

/**
 * The payload of `event` when it is decoded already (an eager reader's always is);
 * undefined when reading it would decode it now.
 */
export function payloadIfDecoded(event: LogEvent): unknown {
  return event instanceof OnDemandEvent && !event.payloadDecoded ? undefined : event.payload;
}

export class OnDemandEvent implements LogEventRead {
  readonly kind = 'event' as const;
  private decoded = false;
  private value: unknown = undefined;

  constructor(
    readonly main: number,
    readonly sub: number,
    readonly timeMs: number,
    /** Not readonly: a projection may hand on an equal string it keeps (KeyIndexProjection). */
    public key: string | null,
    readonly tag: number,
    readonly location: RecordLocation,
    private readonly turns: PayloadTurns,
    private readonly turn: number,
  ) {}

  get payloadDecoded(): boolean {
    return this.decoded;
  }

  /** Decoded on first read, in the reader's turn at this event (see the file comment). */
  get payload(): unknown {
    if (!this.decoded) {
      this.value = this.turns.decode(this, this.turn);
      this.decoded = true;
    }
    return this.value;
  }
}
