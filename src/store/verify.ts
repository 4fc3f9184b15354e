/**
 * verify: the log reads end to end (every CRC, the chain, commit shapes), and the state
 * recovered the fast way (newest checkpoint + tail) hashes the same as a rebuild from the
 * kept history. Read-only: renames nothing, takes no lock.
 */
import type { Logger } from 'pino';
import type { Projection } from '../projection/projection.js';
import { stateHash } from '../projection/state-hash.js';
import { nodeFileSystem, type WalFileSystem } from '../wal/file-system.js';
import { isDamageCode, isWalError } from '../wal/errors.js';
import { LogReader } from '../wal/reader.js';
import { checkpointFloorMain } from '../checkpoint/checkpoint-name.js';
import { rebuild } from './rebuild.js';
import { recoverState } from './recover.js';

export interface VerifyOptions {
  projections?: () => Projection[];
  logger?: Logger;
  logDir?: string;
  fs?: WalFileSystem;
}

export interface VerifyResult {
  ok: boolean;
  /** `damaged`: the bytes are damaged (exit 3); otherwise the log could not be read (exit 1). */
  log: { ok: true; lastMain: number; torn: boolean } | { ok: false; code: string; message: string; damaged: boolean };
  /** Null when the log itself does not read. */
  state: {
    match: boolean;
    checkpoint: string | null;
    recoveredHash: string;
    rebuiltHash: string;
    lastMain: number;
  } | null;
}

export async function verify(dir: string, options: VerifyOptions = {}): Promise<VerifyResult> {
  const fs = options.fs ?? nodeFileSystem;
  const logDir = options.logDir ?? dir;
  const reader = new LogReader(logDir, { fs, emit: false, decode: false, knownDurableMain: checkpointFloorMain(fs, dir) });
  let log: VerifyResult['log'];
  try {
    for (const _ of reader.entries()) void _;
    log = { ok: true, lastMain: reader.tail.lastMain, torn: reader.tail.torn !== null };
  } catch (err) {
    const code = typeof (err as { code?: unknown }).code === 'string' ? (err as { code: string }).code : 'ERROR';
    const damaged = isWalError(err) && isDamageCode(err.code);
    return { ok: false, log: { ok: false, code, message: (err as Error).message, damaged }, state: null };
  }
  const common = { readOnly: true, logDir, fs, ...(options.projections ? { projections: options.projections } : {}), ...(options.logger ? { logger: options.logger } : {}) };
  const recovered = await recoverState(dir, common);
  const rebuilt = await rebuild(dir, { ...common, progress: false });
  const recoveredHash = stateHash(recovered.projections);
  const match = recoveredHash === rebuilt.hash && recovered.lastMain === rebuilt.lastMain;
  return {
    ok: match,
    log,
    state: { match, checkpoint: recovered.stats.checkpoint, recoveredHash, rebuiltHash: rebuilt.hash, lastMain: recovered.lastMain },
  };
}
