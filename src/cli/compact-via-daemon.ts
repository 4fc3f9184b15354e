/**
 * `elava compact` while a daemon holds the writer lock: the daemon is asked to compact
 * between its cycles (POST /v1/admin/compact on the address it left in the data
 * directory), with ELAVA_HTTP_TOKEN as the bearer token when set. Without an address (the
 * daemon runs with HTTP off) the lock error stands, with that said.
 */
import { readAdminAddress } from '../daemon/admin-address.js';
import { DaemonError } from '../daemon/errors.js';

export interface DaemonCompaction {
  status: number;
  body: Record<string, unknown>;
}

export async function compactViaDaemon(
  dir: string, locked: DaemonError, target: { before?: string; keep?: string }, token: string | undefined,
): Promise<DaemonCompaction> {
  const address = readAdminAddress(dir);
  if (address === null) {
    throw new DaemonError('DATA_DIR_LOCKED', `${locked.message}; it serves no HTTP (http.listen off), so it cannot be asked to compact: stop it first`, { cause: locked });
  }
  const params = new URLSearchParams();
  if (target.before !== undefined) params.set('before', target.before);
  if (target.keep !== undefined) params.set('keep', target.keep);
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  let res: Response;
  try {
    res = await fetch(`http://${address}/v1/admin/compact?${params.toString()}`, { method: 'POST', headers });
  } catch (err) {
    throw new DaemonError('DATA_DIR_LOCKED', `${locked.message}; asking it to compact at ${address} failed: ${(err as Error).message}`, { cause: err });
  }
  const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  if (res.status === 401) {
    throw new DaemonError('DATA_DIR_LOCKED', `the running daemon at ${address} wants its HTTP token: set ELAVA_HTTP_TOKEN`);
  }
  return { status: res.status, body };
}
