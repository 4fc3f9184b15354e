/**
 * The forwarder's durable cursor, the file `forward.cursor` in the data directory (JSON):
 *
 *   { "version": 1, "source": "<id>", "main": M, "prev": P }
 *
 * `main`: every commit of the local log up to revision M has been acknowledged by the
 * server (or held no events). `prev`: the last of those that held events (the `prev` of
 * the next message published). The file only moves forward, after acknowledgements; a
 * cursor rolled back (restored from a backup, deleted) makes the forwarder publish again,
 * which the stream's dedupe (Nats-Msg-Id) and the aggregator's (source, revision) absorb.
 */
import { FaninError } from './errors.js';
import { readSmallFile, writeSmallFile } from './small-file.js';

export const CURSOR_FILE = 'forward.cursor';
const CURSOR_VERSION = 1;

export interface ForwardCursor {
  main: number;
  prev: number;
}

export const CURSOR_START: ForwardCursor = { main: 0, prev: 0 };

/** The cursor (CURSOR_START when there is none). Throws FaninError FANIN_STATE. */
export function readCursor(dir: string, source: string): ForwardCursor {
  let text: string | null;
  try {
    text = readSmallFile(dir, CURSOR_FILE);
  } catch (err) {
    throw new FaninError('FANIN_STATE', `cannot read ${CURSOR_FILE} in ${dir}: ${(err as Error).message}`, { cause: err });
  }
  if (text === null) return { ...CURSOR_START };
  let v: Record<string, unknown>;
  try {
    v = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new FaninError('FANIN_STATE', `${CURSOR_FILE} in ${dir} is not JSON; delete it to forward the whole log again (the stream drops duplicates)`);
  }
  const { version, main, prev } = v;
  if (version !== CURSOR_VERSION || !isCount(main) || !isCount(prev) || prev > main) {
    throw new FaninError('FANIN_STATE', `${CURSOR_FILE} in ${dir} is not a version-${CURSOR_VERSION} cursor; delete it to forward the whole log again`);
  }
  if (v['source'] !== source) {
    throw new FaninError('FANIN_STATE', `${CURSOR_FILE} in ${dir} belongs to source ${String(v['source'])}, not ${source}; delete it to forward this directory from the start`);
  }
  return { main, prev };
}

export function writeCursor(dir: string, source: string, cursor: ForwardCursor): void {
  const text = `${JSON.stringify({ version: CURSOR_VERSION, source, main: cursor.main, prev: cursor.prev })}\n`;
  try {
    writeSmallFile(dir, CURSOR_FILE, text);
  } catch (err) {
    throw new FaninError('FANIN_STATE', `cannot write ${CURSOR_FILE} in ${dir}: ${(err as Error).message}`, { cause: err });
  }
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}
