/**
 * The JSON query endpoints, over the daemon's live projections (src/query's functions on a
 * queryStateFrom() state, so the answers are the CLI's answers):
 *
 *   GET /v1/status                              revision, live resources, changes by kind
 *   GET /v1/resources?provider=&account=&region=&type=&owner=&unowned&tag=K[=V]&untagged&state=&at=
 *   GET /v1/resources/{key}?at=REV|TIME
 *   GET /v1/history/{key}?field=tags.Owner
 *   GET /v1/at/{REV|TIME}?<filters as for /v1/resources>
 *   GET /v1/diff?from=A&to=B
 *   GET /v1/disappeared?since=&until=
 *   GET /v1/waste?stoppedDays=30&now=TIME
 *   GET /v1/sources                             fan-in sources of an aggregate (query/sources.ts)
 *
 * Keys hold slashes: everything after `/v1/resources/` (or `/v1/history/`) is the key,
 * percent-decoded. Query errors map to HTTP statuses: unknown key 404, compacted 410,
 * a bad point or filter 400, a time before the first revision or a future revision 404.
 */
import { sourcesReport, withSources } from '../query/sources.js';
import { isMvccError } from '../mvcc/errors.js';
import type { Projection } from '../projection/projection.js';
import { filterFrom, nonNegativeNumber, UsageError } from '../query/command-args.js';
import { QueryError, type QueryErrorCode } from '../query/errors.js';
import { granularityOf } from '../query/granularity.js';
import { parseTime, resolvePoint } from '../query/point.js';
import { diffRevisions, disappearedBetween, getResource, listResources, resourceHistory, wasteReport } from '../query/queries.js';
import { closeQueryState, queryStateFrom, type QueryState } from '../query/query-state.js';
import type { StructureTable } from '../wal/codec.js';
import type { JsonAnswer } from './http-server.js';

export interface QueryEndpoints {
  handle(path: string, params: URLSearchParams): Promise<JsonAnswer | null>;
  close(): void;
}

const STATUS_OF: Readonly<Record<QueryErrorCode, number>> = {
  'unknown-key': 404,
  compacted: 410,
  future: 404,
  'before-first': 404,
  'bad-point': 400,
  'bad-filter': 400,
  'no-data': 404,
  'bad-data-dir': 500,
  'damaged-log': 500,
};

/** Boolean query parameters: present (`?untagged` or `?untagged=true`) means true. */
const FLAGS = new Set(['unowned', 'untagged']);
const FILTERS = new Set(['provider', 'account', 'region', 'type', 'owner', 'tag', 'state', ...FLAGS]);

export function queryEndpoints(dir: string, projections: () => readonly Projection[], structures: () => StructureTable): QueryEndpoints {
  let state: QueryState | null = null;
  const stateNow = (): QueryState => (state ??= queryStateFrom(dir, projections(), structures));
  return {
    async handle(path, params) {
      try {
        const body = route(stateNow(), path, params);
        return body === undefined ? null : { status: 200, body };
      } catch (err) {
        return errorAnswer(err);
      }
    },
    close() {
      if (state !== null) closeQueryState(state);
      state = null;
    },
  };
}

function route(state: QueryState, path: string, params: URLSearchParams): unknown {
  const point = (text: string): number => resolvePoint(state, text);
  const opt = (name: string): string | undefined => params.get(name) ?? undefined;
  const rest = (prefix: string): string | null => (path.startsWith(prefix) && path.length > prefix.length ? decodeURIComponent(path.slice(prefix.length)) : null);
  if (path === '/v1/status') return { revision: state.lastMain, compactedRevision: state.compactedMain, live: state.counts.live, liveByType: Object.fromEntries(state.counts.liveByType()), changes: state.counts.changesByKind() };
  if (path === '/v1/resources') {
    const at = opt('at') === undefined ? undefined : point(opt('at') as string);
    const granularity = at === undefined ? null : granularityOf(state, [at]);
    return { revision: at ?? state.lastMain, resources: withSources(state, listResources(state, filterOf(params), at)), granularity };
  }
  const key = rest('/v1/resources/');
  if (key !== null) return getResource(state, key, opt('at') === undefined ? undefined : point(opt('at') as string));
  const historyKey = rest('/v1/history/');
  if (historyKey !== null) {
    const field = opt('field');
    const entries = field === undefined ? resourceHistory(state, historyKey) : resourceHistory(state, historyKey, field);
    const mains = state.index.keyIndex(historyKey)?.history().map((r) => r.main) ?? [];
    return { key: historyKey, field: field ?? null, entries, granularity: granularityOf(state, mains) };
  }
  const atText = rest('/v1/at/');
  if (atText !== null) {
    const at = point(atText);
    return { revision: at, resources: withSources(state, listResources(state, filterOf(params), at)), granularity: granularityOf(state, [at]) };
  }
  switch (path) {
    case '/v1/diff': {
      const from = point(required(params, 'from'));
      const to = point(required(params, 'to'));
      return { from, to, ...diffRevisions(state, from, to), granularity: granularityOf(state, [from, to]) };
    }
    case '/v1/disappeared': {
      const since = point(required(params, 'since'));
      const until = opt('until') === undefined ? state.lastMain : point(opt('until') as string);
      return { since, until, disappeared: disappearedBetween(state, since, until) };
    }
    case '/v1/sources':
      return { revision: state.lastMain, sources: sourcesReport(state) };
    case '/v1/waste': {
      const stoppedDays = nonNegativeNumber(opt('stoppedDays') ?? '30', 'stoppedDays');
      const nowText = opt('now');
      const nowMs = nowText === undefined ? Date.now() : parseTime(nowText);
      if (nowMs === null) throw new QueryError('bad-point', `now "${nowText}" is not a time (2026-11-20T10:00Z)`);
      return wasteReport(state, { stoppedDays, nowMs });
    }
  }
  return undefined;
}

function filterOf(params: URLSearchParams): ReturnType<typeof filterFrom> {
  const values: Record<string, string | boolean | undefined> = {};
  for (const [name, value] of params) {
    if (name === 'at') continue;
    if (!FILTERS.has(name)) throw new QueryError('bad-filter', `unknown filter "${name}" (known: ${[...FILTERS].join(', ')}, at)`);
    values[name] = FLAGS.has(name) ? value === '' || value === 'true' : value;
  }
  return filterFrom(values);
}

function required(params: URLSearchParams, name: string): string {
  const v = params.get(name);
  if (v === null || v === '') throw new QueryError('bad-point', `needs ?${name}=REV|TIME`);
  return v;
}

function errorAnswer(err: unknown): JsonAnswer {
  let q: QueryError | null = null;
  if (err instanceof QueryError) q = err;
  else if (err instanceof UsageError) q = new QueryError('bad-filter', err.message);
  else if (isMvccError(err, 'MVCC_COMPACTED')) q = new QueryError('compacted', err.message);
  else if (isMvccError(err, 'MVCC_FUTURE_REV')) q = new QueryError('future', err.message);
  else if (err instanceof URIError) q = new QueryError('bad-filter', 'malformed percent-encoding in the path');
  if (q === null) throw err;
  return { status: STATUS_OF[q.code], body: { error: q.code, message: q.message } };
}
