// Health: every scope's last listing (failed ones with the reason, suspect ones with what
// they withhold), the cycles this daemon process ran, the fdatasync latency histogram,
// the log's size and segments, and the newest checkpoint.
import { api } from './api.js';
import { bar, bytes, h, replace, table, time } from './dom.js';

export async function renderHealth(main) {
  const hl = await api('health');
  const t = hl.scopeTotals;
  const scopes = [...hl.scopes].sort((a, b) => rank(a.status) - rank(b.status) || (a.scope < b.scope ? -1 : 1));
  replace(main, 
    h('h1', null, 'Health'),
    h('p', { class: 'summary', 'data-testid': 'scope-totals' }, `${hl.scopes.length} scope(s): ${t.complete} complete, ${t.failed} failed, ${t.suspect} suspect · daemon up since ${time(hl.startedMs)}`),
    h('h2', null, 'Scopes'),
    table(['scope', 'status', 'reason', 'listed', 'took ms', 'revision', 'time', 'last complete'], scopes.map((s) => [
      s.scope, h('span', { class: `status-${s.status}` }, s.status),
      s.status === 'failed' ? `${s.error?.code ?? '?'}: ${s.error?.message ?? ''}` : s.status === 'suspect' ? `${s.withheld} disappearance(s) withheld` : '',
      s.listed, s.durationMs, s.main, time(s.timeMs), s.lastCompleteMain ?? 'never',
    ]), { 'data-testid': 'scopes' }),
    h('h2', null, `Cycles of this process (${hl.cycles.length})`),
    cycles(hl.cycles),
    h('h2', null, 'fdatasync latency (commits)'),
    histogram(hl.fsync, 'fsync'),
    h('h2', null, 'fdatasync latency (next segment, in the background)'),
    histogram(hl.prepareFsync, 'prepare-fsync'),
    h('h2', null, 'Log'),
    hl.log === null ? h('p', null, 'The log is not open.') : table(['segments', 'on disk', 'appended by this process', 'current segment'], [[hl.log.segments, bytes(hl.log.diskBytes), bytes(hl.log.appendedBytes), hl.log.currentSegment]], { 'data-testid': 'log' }),
    h('h2', null, 'Last checkpoint'),
    hl.checkpoint === null ? h('p', { 'data-testid': 'checkpoint' }, 'None yet.') : table(['file', 'covers revision', 'revision time', 'size'], [[hl.checkpoint.file, hl.checkpoint.coversMain, time(hl.checkpoint.timeMs), bytes(hl.checkpoint.bytes)]], { 'data-testid': 'checkpoint' }),
  );
}

function rank(status) {
  return status === 'failed' ? 0 : status === 'suspect' ? 1 : 2;
}

function cycles(list) {
  if (list.length === 0) return h('p', { class: 'muted' }, 'No cycle yet since this process started.');
  const longest = Math.max(1, ...list.map((c) => c.durationMs));
  const newestFirst = [...list].reverse();
  return table(['cycle', 'revision', 'ended', 'took ms', '', 'scopes', 'failed', 'appeared', 'changed', 'disappeared'], newestFirst.map((c) => [
    c.cycle, c.aborted ? 'aborted' : c.revision, time(c.endedMs), c.durationMs, bar(c.durationMs / longest), c.scopes, c.failedScopes, c.appeared, c.changed, c.disappeared,
  ]), { 'data-testid': 'cycles' });
}

function histogram(hist, testid) {
  if (hist === null) return h('p', null, 'The log is not open.');
  const most = Math.max(1, ...hist.counts);
  const label = (i) => (i < hist.boundsSeconds.length ? `≤ ${fmtSeconds(hist.boundsSeconds[i])}` : `> ${fmtSeconds(hist.boundsSeconds[hist.boundsSeconds.length - 1])}`);
  const p = (s) => (s === null ? '-' : fmtSeconds(s));
  return h('div', { 'data-testid': testid },
    h('p', null, `${hist.count} fdatasync(s), p50 ${p(hist.p50Seconds)}, p99 ${p(hist.p99Seconds)} (of the recent ones), mean ${hist.count === 0 ? '-' : fmtSeconds(hist.sumSeconds / hist.count)}`),
    table(['bucket', 'count', ''], hist.counts.map((n, i) => [label(i), n, bar(n / most)])));
}

function fmtSeconds(s) {
  if (s < 0.001) return `${(s * 1e6).toFixed(0)} µs`;
  if (s < 1) return `${(s * 1000).toFixed(s < 0.01 ? 2 : 1)} ms`;
  return `${s.toFixed(2)} s`;
}
