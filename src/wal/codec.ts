/**
 * Payload encoding of event records: MessagePack via msgpackr, as plain maps, so every
 * record decodes on its own (no structure table to carry between segments).
 */
import { Packr, Unpackr } from 'msgpackr';

const packr = new Packr({ useRecords: false, variableMapSize: true });
// copyBuffers: binary values must not alias the reader's reused window.
const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: true, copyBuffers: true });

/** Encodes a payload; the returned bytes are only valid until the next call. */
export function encodePayload(payload: unknown): Buffer {
  return packr.pack(payload);
}

export function decodePayload(bytes: Uint8Array): unknown {
  return unpackr.unpack(bytes);
}
