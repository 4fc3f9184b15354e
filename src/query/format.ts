/**
 * Output of the query commands: human tables (aligned columns, long cells cut with an
 * ellipsis; keys are never cut, since they are what the next command takes) or NDJSON
 * (`--json`: one JSON object per line, the query layer's own data, nothing added but a
 * `change`/`section` tag where one result mixes kinds). Each function returns lines.
 */
import type { FieldChange } from '../model/events.js';
import type { AttrValue, ResourceRecord } from '../model/resource.js';
import type { FieldHistoryEntry, FleetSummary, HistoryEntry, ResourceAtPoint, RevisionDiff, Disappearance } from './queries.js';

const CELL_CHARS_MAX = 40;
const DETAIL_CHARS_MAX = 100;

export type Cell = string | { text: string; max: number };

/** Aligned columns; the last column is not padded. */
export function table(headers: readonly string[], rows: ReadonlyArray<readonly Cell[]>): string[] {
  const cells = rows.map((row) => row.map((c) => (typeof c === 'string' ? cut(c, CELL_CHARS_MAX) : cut(c.text, c.max))));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: readonly string[]): string =>
    r
      .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] as number)))
      .join('  ')
      .trimEnd();
  return [line(headers), ...cells.map(line)];
}

/** Cells that must never be cut (keys). */
export function whole(text: string): Cell {
  return { text, max: Number.MAX_SAFE_INTEGER };
}

export function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;
}

export function ndjson(values: Iterable<unknown>): string[] {
  const out: string[] = [];
  for (const v of values) out.push(JSON.stringify(v));
  return out;
}

export function formatTime(ms: number | null): string {
  return ms === null ? '-' : new Date(ms).toISOString().replace('.000Z', 'Z');
}

export function formatValue(v: AttrValue | undefined): string {
  if (v === null || v === undefined) return '-';
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/**
 * `sourceOf`: on an aggregate (fan-in), the source reporting each record, shown as a column
 * (and a `source` field in JSON); absent on a single daemon's data.
 */
export function formatRecords(
  records: readonly ResourceRecord[], json: boolean, sourceOf?: (key: string) => string | undefined,
): string[] {
  if (sourceOf === undefined) {
    if (json) return ndjson(records);
    return table(
      ['KEY', 'STATE', 'OWNER', 'NAME'],
      records.map((r) => [whole(r.key), r.state ?? '-', r.owner ?? '-', r.name ?? '-']),
    );
  }
  if (json) return ndjson(records.map((r) => ({ ...r, source: sourceOf(r.key) ?? null })));
  return table(
    ['KEY', 'SOURCE', 'STATE', 'OWNER', 'NAME'],
    records.map((r) => [whole(r.key), whole(sourceOf(r.key) ?? '-'), r.state ?? '-', r.owner ?? '-', r.name ?? '-']),
  );
}

/** `list --counts`: totals per type and per owner; --json: the summary as one object. */
export function formatSummary(s: FleetSummary, json: boolean, where: string): string[] {
  if (json) return ndjson([s]);
  const lines = [`${s.total} resource(s) ${where}`, '', ...table(['TYPE', 'COUNT'], s.byType.map((t) => [t.type, String(t.count)])), ''];
  const owners = s.byOwner.map((o): Cell[] => [o.owner ?? '(unowned)', String(o.count)]);
  if (s.otherOwners > 0) owners.push(['(other owners)', String(s.otherOwners)]);
  lines.push(...table(['OWNER', 'COUNT'], owners));
  return lines;
}

export function formatResource(r: ResourceAtPoint, json: boolean): string[] {
  if (json) return ndjson([r]);
  const rev = r.revision === null ? '-' : `${r.revision.main}.${r.revision.sub}`;
  const lines = [`key       ${r.key}`, `revision  ${rev}  ${formatTime(r.timeMs)}`, `alive     ${r.alive ? 'yes' : r.revision === null ? 'no (not yet seen at that point)' : 'no (disappeared)'}`];
  const rec = r.record;
  if (rec === null) return lines;
  lines.push(`name      ${rec.name ?? '-'}`, `state     ${rec.state ?? '-'}`, `owner     ${rec.owner ?? '-'}`);
  for (const [k, v] of Object.entries(rec.tags)) lines.push(`tag       ${k}=${v}`);
  for (const [k, v] of Object.entries(rec.attrs)) lines.push(`attr      ${k}=${formatValue(v)}`);
  return lines;
}

export function formatHistory(entries: readonly HistoryEntry[], json: boolean): string[] {
  if (json) return ndjson(entries);
  return table(
    ['REV', 'TIME', 'KIND', 'CHANGES'],
    entries.map((e) => [`${e.main}.${e.sub}`, formatTime(e.timeMs), e.kind, { text: e.kind === 'changed' ? describeDiff(e.diff ?? []) : e.kind === 'appeared' ? `state ${e.record?.state ?? '-'}, owner ${e.record?.owner ?? '-'}` : '', max: DETAIL_CHARS_MAX }]),
  );
}

export function formatFieldHistory(entries: readonly FieldHistoryEntry[], field: string, json: boolean): string[] {
  if (json) return ndjson(entries.map((e) => ({ field, ...e })));
  return table(
    ['REV', 'TIME', 'KIND', 'BEFORE', 'AFTER'],
    entries.map((e) => [`${e.main}.${e.sub}`, formatTime(e.timeMs), e.kind, formatValue(e.before), formatValue(e.after)]),
  );
}

export function formatDiff(diff: RevisionDiff, json: boolean): string[] {
  if (json) {
    return ndjson([
      ...diff.appeared.map((record) => ({ change: 'appeared', key: record.key, record })),
      ...diff.changed.map((c) => ({ change: 'changed', ...c })),
      ...diff.disappeared.map((d) => ({ change: 'disappeared', ...d })),
    ]);
  }
  const rows: Cell[][] = [
    ...diff.appeared.map((r) => ['appeared', whole(r.key), { text: `state ${r.state ?? '-'}, owner ${r.owner ?? '-'}`, max: DETAIL_CHARS_MAX }]),
    ...diff.changed.map((c) => ['changed', whole(c.key), { text: describeDiff(c.diff), max: DETAIL_CHARS_MAX }]),
    ...diff.disappeared.map((d) => ['disappeared', whole(d.key), { text: `was ${d.last.state ?? '-'}, owner ${d.last.owner ?? '-'}`, max: DETAIL_CHARS_MAX }]),
  ];
  return table(['CHANGE', 'KEY', 'DETAILS'], rows);
}

export function formatDisappeared(items: readonly Disappearance[], json: boolean): string[] {
  if (json) return ndjson(items);
  return table(
    ['REV', 'TIME', 'KEY', 'LAST STATE', 'OWNER', 'NAME'],
    items.map((d) => [String(d.main), formatTime(d.timeMs), whole(d.key), d.last.state ?? '-', d.last.owner ?? '-', d.last.name ?? '-']),
  );
}

function describeDiff(diff: readonly FieldChange[]): string {
  return diff.map((c) => `${c.path}: ${formatValue(c.before)} → ${formatValue(c.after)}`).join('; ');
}
