/**
 * Reading a checkpoint for recovery. A damaged one (bad header, CRC or body) is set aside
 * as `NAME.broken` with a warning, so the next start does not trip on it again; read-only
 * callers (query commands, verify) only skip it and warn.
 */
import path from 'node:path';
import type { Logger } from 'pino';
import type { WalFileSystem } from '../wal/file-system.js';
import { LoadedCheckpoint } from './checkpoint-body.js';
import { CHECKPOINT_BROKEN_SUFFIX } from './checkpoint-name.js';
import { SnapshotError } from './errors.js';

export interface LoadContext {
  dir: string;
  wfs: WalFileSystem;
  readOnly: boolean;
  logger: Logger | undefined;
  /** Names of files found broken (renamed unless read-only). */
  broken: string[];
}

/**
 * The checkpoint, open, its meta read and checked (its projections' parts are read as
 * restore asks for them: close it after); null when the file is damaged (and then set aside).
 */
export function loadCheckpoint(ctx: LoadContext, name: string): LoadedCheckpoint | null {
  try {
    const loaded = LoadedCheckpoint.open(ctx.wfs, ctx.dir, name);
    if (loaded.body.projections.length === 0) {
      loaded.close();
      throw new SnapshotError('SNAPSHOT_BAD_BODY', 'checkpoint holds no projection', { file: name });
    }
    return loaded;
  } catch (err) {
    if (!(err instanceof SnapshotError) || err.code === 'SNAPSHOT_IO') throw err;
    setAside(ctx, name, err);
    return null;
  }
}

export function setAside(ctx: LoadContext, name: string, err: SnapshotError): void {
  ctx.broken.push(name);
  if (ctx.readOnly) {
    ctx.logger?.warn({ file: name, code: err.code, err: err.message }, 'damaged checkpoint skipped (read-only: left in place)');
    return;
  }
  const from = path.join(ctx.dir, name);
  ctx.wfs.renameSync(from, from + CHECKPOINT_BROKEN_SUFFIX);
  ctx.logger?.warn({ file: name, code: err.code, err: err.message, renamedTo: name + CHECKPOINT_BROKEN_SUFFIX }, 'damaged checkpoint set aside; using an older one or a full replay');
}
