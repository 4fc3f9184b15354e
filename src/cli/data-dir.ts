/**
 * The data directory of an operations command (--data-dir, else ELAVA_DATA_DIR, else
 * ./elava-data) and opening its Store as the single writer, with start-up errors as one line.
 */
import fs from 'node:fs';
import type { Logger } from 'pino';
import { DEFAULT_DATA_DIR } from '../daemon/config.js';
import { DaemonError } from '../daemon/errors.js';
import { dataDirUnsafeReason } from '../daemon/data-dir-safety.js';
import { logOpenError, storeOpenError } from '../daemon/open-store.js';
import type { RecoveryProgress } from '../store/recover.js';
import { Store } from '../store/store.js';
import { nodeFileSystem } from '../wal/file-system.js';
import { listSegments } from '../wal/segment.js';
import type { CliIo } from './io.js';

export function dataDirOf(flags: ReadonlyMap<string, string>, io: CliIo): string {
  const dir = flags.get('data-dir') ?? io.env['ELAVA_DATA_DIR'] ?? DEFAULT_DATA_DIR;
  return dir === '' ? DEFAULT_DATA_DIR : dir;
}

/** For read-only commands: the directory must exist and be a directory. */
export function requireDataDir(dir: string): void {
  let isDir = false;
  try {
    isDir = fs.statSync(dir).isDirectory();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new DaemonError('DATA_DIR', code === 'ENOENT' ? `data directory ${dir} does not exist` : `data directory ${dir}: ${code ?? 'cannot access it'}`, { cause: err });
  }
  if (!isDir) throw new DaemonError('DATA_DIR', `data directory ${dir} is not a directory`);
}

/**
 * For commands that operate on an existing log (checkpoint, compact, rebuild, repair,
 * verify): the directory must hold one. They never create a log by accident.
 */
export function requireLog(dir: string): void {
  requireDataDir(dir);
  let segments = 0;
  try {
    segments = listSegments(nodeFileSystem, dir).length;
  } catch (err) {
    throw logOpenError(dir, err, '');
  }
  if (segments === 0) throw new DaemonError('DATA_DIR', `data directory ${dir} holds no log (no *.wal segment): nothing to do; has the daemon run here?`);
}

/** Opens the data directory's Store as the single writer, for an operations command. */
export async function openForOps(dir: string, logger: Logger, options: { rebuild?: boolean; onProgress?: (p: RecoveryProgress) => void } = {}): Promise<Store> {
  requireLog(dir);
  const unsafe = dataDirUnsafeReason(dir);
  if (unsafe !== null) logger.warn({ dataDir: dir }, unsafe);
  try {
    return await Store.open(dir, { logger, ...options });
  } catch (err) {
    throw storeOpenError(dir, err, ' (stop the daemon first; it checkpoints by itself)');
  }
}
