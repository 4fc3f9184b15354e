/**
 * The JSON query endpoints, over the daemon's live projections (src/query's functions on a
 * queryStateFrom() state, so the answers are the CLI's answers):
 *
 *   GET /v1/status                              revision (and its time), live resources, changes by kind
 *   GET /v1/resources?provider=&account=&region=&type=&owner=&unowned&tag=K[=V]&untagged&state=&at=
 *                    [&limit=N[&after=KEY]]     one page (N ≤ LIST_PAGE_RESOURCES_MAX), `next` cursor
 *   GET /v1/summary?<filters as for /v1/resources>   total, counts by type and by owner
 *   GET /v1/resources/{key}?at=REV|TIME
 *   GET /v1/history/{key}?field=tags.Owner
 *   GET /v1/at/{REV|TIME}?<filters as for /v1/resources>
 *   GET /v1/diff?from=A&to=B[&<filters>][&limit=N]   with `totals` per kind; N items per kind
 *   GET /v1/health                              scopes, cycles, fsync histograms, log, checkpoint
 *   GET /v1/disappeared?since=&until=
 *   GET /v1/waste?stoppedDays=30&idleDays=30&now=TIME[&limit=N]   every rule (cut to its N
 *                    oldest with limit; `counts` per rule), totals by rule/owner/account,
 *                    prices; without `now`, as of the current minute (answered from a cache)
 *   GET /v1/sources                             fan-in sources of an aggregate (query/sources.ts)
 *
 * Keys hold slashes: everything after `/v1/resources/` (or `/v1/history/`) is the key,
 * percent-decoded. Query errors map to HTTP statuses: unknown key 404, compacted 410,
 * a bad point or filter 400, a time before the first revision or a future revision 404.
 */
import { RESOURCE_TYPES } from '../model/resource.js';
import { sourcesReport, withSource, withSources } from '../query/sources.js';
import { isMvccError } from '../mvcc/errors.js';
import type { Projection } from '../projection/projection.js';
import { filterFrom, nonNegativeNumber, UsageError } from '../query/command-args.js';
import { QueryError, type QueryErrorCode } from '../query/errors.js';
import { granularityOf } from '../query/granularity.js';
import { parseTime, resolvePoint } from '../query/point.js';
import { getResource, resourceHistory } from '../query/queries.js';
import { disappearedSteps } from '../query/diff.js';
import { listResourcesSteps, pastResourcesSteps } from '../query/resources.js';
import { pageSteps } from '../query/page.js';
import { historyUnchanged, runSteps, runStepsYielding, type Drive, type Steps } from '../query/steps.js';
import { HEAVY_ANSWERS_AT_ONCE } from '../limits.js';
import { HeavyAnswers } from './heavy-answers.js';
import { JsonItems } from './json-stream.js';
import { closeQueryState, queryStateFrom, type QueryState } from '../query/query-state.js';
import type { StructureTable } from '../wal/codec.js';
import { cutWaste, parseDiffLimit, parseLimit, parseWasteLimit, wasteCounts } from '../query/queries.js';
import { filterDiffSteps } from '../query/diff-filter.js';
import { DiffCache } from '../query/diff-cache.js';
import { SummaryCache } from '../query/summary-cache.js';
import { WasteCache } from '../query/waste-cache.js';
import type { HealthReport } from './health.js';
import type { JsonAnswer } from './http-server.js';
import { DEFAULT_PRICES, type PriceTable } from '../cost/prices.js';
import type { WasteTotals } from '../query/waste-totals.js';

export interface QueryEndpoints {
  handle(path: string, params: URLSearchParams): Promise<JsonAnswer | null>;
  /**
   * Waste totals with the default thresholds (30 days), for the metrics: computed in steps,
   * at most one report per revision and minute; null: none yet.
   */
  wasteTotals(): Promise<WasteTotals | null>;
  /** Runs `compute` in its turn among the long reads (HEAVY_ANSWERS_AT_ONCE at once): the query socket's answers take theirs here too. */
  takeTurn<T>(compute: () => Promise<T>): Promise<T>;
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

export function queryEndpoints(
  dir: string,
  projections: () => readonly Projection[],
  structures: () => StructureTable,
  prices: PriceTable = DEFAULT_PRICES,
  health?: () => HealthReport,
): QueryEndpoints {
  let state: QueryState | null = null;
  const caches: Caches = { diffs: new DiffCache(), waste: new WasteCache(), summaries: new SummaryCache(), heavy: new HeavyAnswers(HEAVY_ANSWERS_AT_ONCE) };
  const stateNow = (): QueryState => (state ??= queryStateFrom(dir, projections(), structures));
  let lastTotals: WasteTotals | null = null;
  return {
    async wasteTotals() {
      const s = stateNow();
      if (s.lastMain === 0) return null;
      try {
        // The waste page's default report: one computation per revision and minute serves both.
        lastTotals = (await caches.waste.get(s, { stoppedDays: 30, idleDays: 30, prices }, null, wasteDrive(s))).totals;
      } catch {
        // a damaged read-back: keep the last figures
      }
      return lastTotals;
    },
    takeTurn(compute) {
      return caches.heavy.run(compute);
    },
    async handle(path, params) {
      try {
        if (path === '/v1/health' && health !== undefined) return { status: 200, body: health() };
        const body = await route(stateNow(), path, params, prices, caches);
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

interface Caches {
  diffs: DiffCache;
  waste: WasteCache;
  summaries: SummaryCache;
  /** Turns for long reads of the past. */
  heavy: HeavyAnswers;
}

/**
 * A long read of the past: its turn among HEAVY_ANSWERS_AT_ONCE, then
 * its steps with pauses, checked against compaction and retention (steps.ts).
 */
function driveWith(heavy: HeavyAnswers, state: QueryState): Drive {
  return (steps) => heavy.run(() => runStepsYielding(steps, historyUnchanged(state)));
}

/**
 * The waste report's steps, with pauses but no turn among the long reads of the past: a
 * `/metrics` scrape waiting behind two whole-fleet reads (~10 s each at a million
 * resources) would outlast Prometheus's scrape timeout, and the page and the scrape share
 * one computation (waste-cache.ts), so neither may wait. Asks for the same report share it.
 */
function wasteDrive(state: QueryState): Drive {
  return (steps) => runStepsYielding(steps, historyUnchanged(state));
}

async function route(state: QueryState, path: string, params: URLSearchParams, prices: PriceTable, caches: Caches): Promise<unknown> {
  const point = (text: string): number => resolvePoint(state, text);
  const opt = (name: string): string | undefined => params.get(name) ?? undefined;
  const drive = driveWith(caches.heavy, state);
  const rest = (prefix: string): string | null => (path.startsWith(prefix) && path.length > prefix.length ? decodeURIComponent(path.slice(prefix.length)) : null);
  if (path === '/v1/status') {
    return {
      revision: state.lastMain, compactedRevision: state.compactedMain, live: state.counts.live,
      liveByType: Object.fromEntries(state.counts.liveByType()), changes: state.counts.changesByKind(),
      revisionTimeMs: state.times.timeOf(state.lastMain), firstTimeMs: state.times.firstTimeMs, resourceTypes: RESOURCE_TYPES,
    };
  }
  if (path === '/v1/resources') return await resourceList(state, params, drive);
  if (path === '/v1/summary') {
    const at = opt('at') === undefined ? undefined : point(opt('at') as string);
    return { revision: at ?? state.lastMain, ...(await caches.summaries.get(state, filterOf(params, ['at']), at, drive)) };
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
    const resources = await fleetAnswer(state, filterOf(params), at, drive);
    return { revision: at, resources, granularity: granularityOf(state, [at]) };
  }
  switch (path) {
    case '/v1/diff': {
      const from = point(required(params, 'from'));
      const to = point(required(params, 'to'));
      const limit = opt('limit') === undefined ? undefined : parseDiffLimit(opt('limit') as string, 'limit');
      const fromMs = state.times.timeOf(from);
      const toMs = state.times.timeOf(to);
      const filter = filterOf(params, ['from', 'to', 'limit']);
      const d = await drive(filterDiffSteps(state, await caches.diffs.get(state, from, to, drive), filter, limit));
      return { from, to, fromMs, toMs, ...d, granularity: granularityOf(state, [from, to]) };
    }
    case '/v1/disappeared': {
      const since = point(required(params, 'since'));
      const until = opt('until') === undefined ? state.lastMain : point(opt('until') as string);
      return { since, until, disappeared: await drive(disappearedSteps(state, since, until)) };
    }
    case '/v1/sources':
      return { revision: state.lastMain, sources: sourcesReport(state) };
    case '/v1/waste': {
      const stoppedDays = nonNegativeNumber(opt('stoppedDays') ?? '30', 'stoppedDays');
      const idleDays = nonNegativeNumber(opt('idleDays') ?? '30', 'idleDays');
      const nowText = opt('now');
      const nowMs = nowText === undefined ? null : parseTime(nowText);
      if (nowText !== undefined && nowMs === null) throw new QueryError('bad-point', `now "${nowText}" is not a time (2026-11-20T10:00Z)`);
      const report = await caches.waste.get(state, { stoppedDays, idleDays, prices }, nowMs, wasteDrive(state));
      const limit = opt('limit') === undefined ? undefined : parseWasteLimit(opt('limit') as string, 'limit');
      return { ...(limit === undefined ? report : cutWaste(report, limit)), counts: wasteCounts(report) };
    }
  }
  return undefined;
}

/**
 * `/v1/resources`: the whole list, or one page of it with `limit` (and `after`); at an older
 * revision read in steps the daemon pauses between (steps.ts).
 */
async function resourceList(state: QueryState, params: URLSearchParams, drive: <T>(steps: Steps<T>) => Promise<T>): Promise<unknown> {
  const at = params.get('at') === null ? undefined : resolvePoint(state, params.get('at') as string);
  // The newest revision from memory in one piece; an older one read with pauses.
  const run = <T>(steps: Steps<T>): T | Promise<T> => (at === undefined || at === state.lastMain ? runSteps(steps) : drive(steps));
  const filter = filterOf(params, ['at', 'limit', 'after']);
  const revision = at ?? state.lastMain;
  const limitText = params.get('limit');
  if (limitText === null) {
    if (params.get('after') !== null) throw new QueryError('bad-filter', 'after needs limit');
    return { revision, resources: await fleetAnswer(state, filter, revision, drive) };
  }
  const limit = parseLimit(limitText, 'limit');
  const after = params.get('after') ?? undefined;
  const page = await run(pageSteps(state, filter, after === undefined ? { limit } : { limit, after }, at));
  return { revision, ...page, resources: withSources(state, page.resources) };
}

/**
 * The whole fleet at `at` matching `filter`, as an answer holds it: the newest revision from
 * memory in one piece; an older one read in steps, each record read from the log kept as its
 * JSON text until written (query/fleet.ts).
 */
async function fleetAnswer(state: QueryState, filter: ReturnType<typeof filterFrom>, at: number, drive: Drive): Promise<unknown> {
  if (at === state.lastMain) return withSources(state, runSteps(listResourcesSteps(state, filter, at)));
  const items = await drive(pastResourcesSteps(state, filter, at, (r, fromLog) => (fromLog ? JSON.stringify(withSource(state, r)) : withSource(state, r))));
  return new JsonItems(items);
}

/** The filters in `params`; `allowed` names the other parameters the endpoint takes. */
function filterOf(params: URLSearchParams, allowed: readonly string[] = ['at']): ReturnType<typeof filterFrom> {
  const values: Record<string, string | boolean | undefined> = {};
  const seen = new Set<string>();
  for (const [name, value] of params) {
    if (seen.has(name)) throw new QueryError('bad-filter', `parameter "${name}" given twice`);
    seen.add(name);
    if (allowed.includes(name)) continue;
    if (!FILTERS.has(name)) throw new QueryError('bad-filter', `unknown filter "${name}" (known: ${[...FILTERS].join(', ')}, ${allowed.join(', ')})`);
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
