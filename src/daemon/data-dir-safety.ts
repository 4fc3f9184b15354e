/**
 * Whether a data directory is safe to trust: a directory that other users can write to
 * (group or world write bit) or that another user owns lets them replace segments,
 * checkpoints or the lock under the daemon. Elava warns and goes on (the directory may be
 * shared on purpose, e.g. a group-owned volume); the systemd unit and the Dockerfile create
 * it 0700. Nothing here changes the directory.
 */
import fs from 'node:fs';

export function dataDirUnsafeReason(dir: string): string | null {
  let st: fs.Stats;
  try {
    st = fs.statSync(dir);
  } catch {
    return null; // the open reports a missing or unreadable directory itself
  }
  const reasons: string[] = [];
  if ((st.mode & 0o002) !== 0) reasons.push('world-writable');
  else if ((st.mode & 0o020) !== 0) reasons.push('group-writable');
  const uid = typeof process.getuid === 'function' ? process.getuid() : null;
  if (uid !== null && st.uid !== uid) reasons.push(`owned by uid ${st.uid}, not ${uid}`);
  if (reasons.length === 0) return null;
  const mode = (st.mode & 0o777).toString(8).padStart(4, '0');
  return `data directory ${dir} is ${reasons.join(' and ')} (mode ${mode}): other users could change the log; \`chmod 700 ${dir}\``;
}
