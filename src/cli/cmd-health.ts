/**
 * `elava health`: the health page's answer from a data directory, for a terminal or a
 * script (the console's /v1/health has the same shape): every scope's last listing (failed
 * with its reason, suspect with what it withholds), the log's segments and size on disk,
 * and the newest checkpoint. Cycle durations and fdatasync latencies belong to a running
 * daemon's process: they are on its /v1/health and /metrics. Read-only, no lock.
 */
import { healthReport, type HealthReport } from '../daemon/health.js';
import { formatTime, table } from '../query/format.js';
import { Store } from '../store/store.js';
import { parseArgs, UsageError, type FlagKind } from './args.js';
import { dataDirOf, requireLog } from './data-dir.js';
import { HEALTH_HELP } from './help.js';
import { EXIT_OK, type CliIo } from './io.js';

const OPTIONS = new Map<string, FlagKind>([['help', 'boolean'], ['data-dir', 'string'], ['json', 'boolean']]);

export async function healthCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const { flags, positionals } = parseArgs(argv, OPTIONS);
  if (flags.has('help')) {
    io.out(HEALTH_HELP);
    return EXIT_OK;
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument ${positionals[0]}`);
  const dir = dataDirOf(flags, io);
  requireLog(dir);
  const { projections } = await Store.open(dir, { readOnly: true });
  const report = healthReport({
    dataDir: dir, startedMs: null, wal: () => null, projections: () => projections, cycles: () => [],
  });
  io.out(flags.has('json') ? JSON.stringify(report) : healthText(report).join('\n'));
  return EXIT_OK;
}

type Outcome = HealthReport['scopes'][number];
const ORDER = { failed: 0, suspect: 1, complete: 2 } as const;

function reason(s: Outcome): string {
  if (s.status === 'failed') return `${s.error?.code ?? '?'}: ${s.error?.message ?? ''}`;
  return s.status === 'suspect' ? `${s.withheld} disappearance(s) withheld` : '';
}

function healthText(h: HealthReport): string[] {
  const t = h.scopeTotals;
  const scopes = [...h.scopes].sort((a, b) => ORDER[a.status] - ORDER[b.status] || (a.scope < b.scope ? -1 : 1));
  const head = `revision ${h.revision}: ${h.scopes.length} scope(s), `
    + `${t.complete} complete, ${t.failed} failed, ${t.suspect} suspect`;
  const rows = scopes.map((s) => [
    { text: s.scope, max: Number.MAX_SAFE_INTEGER }, s.status, String(s.listed), String(s.durationMs),
    String(s.main), formatTime(s.timeMs), s.lastCompleteMain === null ? 'never' : String(s.lastCompleteMain),
    { text: reason(s), max: 100 },
  ]);
  const lines = [head, '', ...table(['SCOPE', 'STATUS', 'LISTED', 'MS', 'REVISION', 'TIME', 'LAST COMPLETE', 'REASON'], rows), ''];
  const log = h.log;
  if (log !== null) lines.push(`log: ${log.segments} segment(s), ${log.diskBytes} bytes on disk, newest ${log.currentSegment}`);
  const c = h.checkpoint;
  lines.push(c === null
    ? 'checkpoint: none yet'
    : `checkpoint: ${c.file} covers revision ${c.coversMain} (${formatTime(c.timeMs)}), ${c.bytes} bytes`);
  lines.push('cycle durations and fdatasync latencies: ask the running daemon (GET /v1/health, /metrics)');
  return lines;
}
