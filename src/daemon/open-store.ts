/**
 * Opens the data directory's Store for writing, turning the log's and recovery's errors
 * into one-line start-up errors. The directory is created (0700) only when it is the default
 * (`./elava-data`) or `--create` was given; an explicitly configured directory that does
 * not exist is an error, since a typo in a path must not silently start an empty history.
 * Even with --create the parent must exist.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { isSnapshotError } from '../checkpoint/errors.js';
import { isProjectionError } from '../projection/errors.js';
import type { RecoveryProgress } from '../store/recover.js';
import { Store } from '../store/store.js';
import { isDamageCode, isWalError } from '../wal/errors.js';
import type { WalFileSystem } from '../wal/file-system.js';
import type { DaemonConfig } from './config.js';
import { dataDirUnsafeReason } from './data-dir-safety.js';
import { DaemonError } from './errors.js';

export interface OpenStoreOptions {
  create: boolean;
  logger: Logger;
  segmentSizeBytes?: number;
  /** The file-system seam (tests inject failing fdatasync / ENOSPC through it). */
  fs?: WalFileSystem;
  onProgress?: (progress: RecoveryProgress) => void;
}

export async function openStore(config: DaemonConfig, options: OpenStoreOptions): Promise<Store> {
  const dir = config.dataDir;
  const create = options.create || !config.dataDirExplicit;
  if (create && !fs.existsSync(dir)) {
    const parent = path.dirname(path.resolve(dir));
    if (!fs.existsSync(parent)) throw new DaemonError('DATA_DIR', `data directory ${dir}: its parent ${parent} does not exist`, { key: 'dataDir' });
  }
  const unsafe = dataDirUnsafeReason(dir);
  if (unsafe !== null) options.logger.warn({ dataDir: dir }, unsafe);
  try {
    return await Store.open(dir, {
      create,
      fsyncWarnMs: config.fsyncWarnMs,
      brokenCopiesKept: config.brokenCopiesKept,
      logger: options.logger,
      ...(options.segmentSizeBytes !== undefined ? { segmentSizeBytes: options.segmentSizeBytes } : {}),
      ...(options.fs !== undefined ? { fs: options.fs } : {}),
      ...(options.onProgress !== undefined ? { onProgress: options.onProgress } : {}),
    });
  } catch (err) {
    throw startError(dir, err);
  }
}

function startError(dir: string, err: unknown): Error {
  if (isWalError(err, 'WAL_NOT_FOUND')) {
    return new DaemonError('DATA_DIR', `data directory ${dir} does not exist (create it with \`mkdir -m 700 ${dir}\`, or pass --create)`, { key: 'dataDir', cause: err });
  }
  return storeOpenError(dir, err, '');
}

/**
 * A failed open of the Store for writing, as one line: the log's errors as logOpenError
 * says them; recovery's own (a checkpoint or projection that cannot be used, a log that
 * does not replay) as RECOVERY_FAILED. Programmer errors (assertions) pass through.
 */
export function storeOpenError(dir: string, err: unknown, lockHint: string): Error {
  if (isSnapshotError(err) || isProjectionError(err)) {
    return new DaemonError('RECOVERY_FAILED', `cannot recover state from ${dir} [${err.code}]: ${err.message}`, { cause: err });
  }
  return logOpenError(dir, err, lockHint);
}

/**
 * A failed open of the log for writing, as one line: damage (exit 3, nothing changed),
 * a held lock or an unusable directory (exit 1). `lockHint` follows the lock message.
 */
export function logOpenError(dir: string, err: unknown, lockHint: string): Error {
  if (isWalError(err, 'WAL_LOCKED')) return new DaemonError('DATA_DIR_LOCKED', `data directory ${err.message}${lockHint}`, { key: 'dataDir', cause: err });
  if (isWalError(err, 'WAL_NOT_FOUND')) return new DaemonError('DATA_DIR', `data directory ${dir} does not exist`, { key: 'dataDir', cause: err });
  if (isWalError(err) && isDamageCode(err.code)) {
    return new DaemonError('LOG_DAMAGED', `the log in ${dir} is damaged [${err.code}]: ${err.message}. Nothing was changed; \`elava repair --data-dir ${dir}\` shows what a cut would lose`, { cause: err });
  }
  if (isWalError(err)) return new DaemonError('DATA_DIR', `data directory ${dir} [${err.code}]: ${err.message}`, { key: 'dataDir', cause: err });
  const code = (err as NodeJS.ErrnoException).code;
  if (typeof code !== 'string') return err as Error;
  const text = (err as Error).message;
  // node's own messages begin with the code already ("ENOSPC: no space left ..."): say it once.
  return new DaemonError('DATA_DIR', `data directory ${dir}: ${text.startsWith(code) ? text : `${code}: ${text}`}`, { key: 'dataDir', cause: err });
}
