/**
 * Writing a JSON answer without stalling the daemon. A whole-fleet answer (100 k records)
 * is tens of megabytes: one JSON.stringify of it holds the event loop for a second, and
 * sixteen of them at once held `/v1/status` for seconds (scale bench). Here each long
 * top-level array of the answer goes out in pieces of JSON_STREAM_ITEMS_PER_PIECE items;
 * between pieces the writer waits for the socket to drain and yields to the event loop,
 * so other requests, `/healthz` and the scan cycle are served in between. The bytes are
 * exactly JSON.stringify's (keys in order, `undefined` fields left out). Small answers go
 * out in one write, with a content-length. A client that takes no bytes for `stallMs`
 * (ANSWER_STALL_MS_MAX) is dropped, so it does not hold the answer's records for ever.
 */
import type http from 'node:http';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { drainedOrClosed } from './drained.js';
import { ANSWER_STALL_MS_MAX, JSON_STREAM_ITEMS_PER_PIECE } from '../limits.js';

/**
 * An array of an answer some of whose items are already JSON text: an item that is a string
 * is its item's JSON text, any other is written as JSON.stringify writes it. Written as the
 * array of the items the texts are of. (A whole-fleet answer of the past keeps each record
 * it read from the log as its text while the rest is read: query/fleet.ts.) JSON.stringify
 * of an answer holding one, as `HEAD` makes for its content-length, parses the texts back.
 */
export class JsonItems {
  constructor(readonly items: readonly unknown[]) {}

  toJSON(): unknown[] {
    return this.items.map((item) => (typeof item === 'string' ? (JSON.parse(item) as unknown) : item));
  }

  /** Items [from, to) as JSON, joined with commas. */
  joined(from: number, to: number): string {
    return this.items.slice(from, to).map((item) => (typeof item === 'string' ? item : JSON.stringify(item))).join(',');
  }
}

/**
 * Writes `body` as `status` JSON; resolves when the last byte is handed to the socket (or
 * the client left): true, or false when the client stalled and was dropped.
 */
export async function writeJson(res: http.ServerResponse, status: number, body: unknown, stallMs: number = ANSWER_STALL_MS_MAX): Promise<boolean> {
  const head = res.req.method === 'HEAD';
  if (head || !hasLongArray(body)) {
    const text = JSON.stringify(body) + '\n';
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
    res.end(head ? undefined : text);
    return true;
  }
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  let first = true;
  res.write('{');
  for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
    if (value === undefined || typeof value === 'function') continue; // as JSON.stringify
    res.write(`${first ? '' : ','}${JSON.stringify(key)}:`);
    first = false;
    const prepared = value instanceof JsonItems ? value : null;
    if (prepared === null && (!Array.isArray(value) || value.length <= JSON_STREAM_ITEMS_PER_PIECE)) {
      res.write(JSON.stringify(value));
      continue;
    }
    const length = prepared === null ? (value as unknown[]).length : prepared.items.length;
    if (length === 0) res.write('[');
    for (let i = 0; i < length; i += JSON_STREAM_ITEMS_PER_PIECE) {
      // The piece's items, joined with commas (JSON.stringify's piece without its brackets).
      const items = prepared === null
        ? JSON.stringify((value as unknown[]).slice(i, i + JSON_STREAM_ITEMS_PER_PIECE)).slice(1, -1)
        : prepared.joined(i, i + JSON_STREAM_ITEMS_PER_PIECE);
      const ok = res.write(`${i === 0 ? '[' : ','}${items}`);
      if (res.destroyed) return true; // the client went away: stop serialising for nobody
      // A client that takes nothing for stallMs is dropped (drained.ts): the answer is let go.
      if (!ok && !(await drainedOrClosed(res, stallMs))) return false;
      await yieldToLoop();
    }
    res.write(']');
  }
  res.end('}\n');
  return true;
}

/** A plain object with an array longer than one piece, or JsonItems, at its top level. */
function hasLongArray(body: unknown): boolean {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return false;
  if (typeof (body as { toJSON?: unknown }).toJSON === 'function') return false;
  return Object.values(body).some((v) => v instanceof JsonItems || (Array.isArray(v) && v.length > JSON_STREAM_ITEMS_PER_PIECE));
}
