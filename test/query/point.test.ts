import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CommitTimes } from '../../src/projection/commit-times.js';
import { isQueryError, type QueryErrorCode } from '../../src/query/errors.js';
import { parseTime, resolvePoint } from '../../src/query/point.js';
import type { LogEvent } from '../../src/wal/types.js';

const T0 = Date.parse('2026-11-20T00:00:00Z');
const HOUR = 3_600_000;

function timesOf(commits: Array<[main: number, timeMs: number]>): CommitTimes {
  const times = new CommitTimes();
  for (const [main, timeMs] of commits) {
    const event: LogEvent = { kind: 'event', main, sub: 0, timeMs, payload: { type: 'scope-scanned' }, location: { segment: 's', offsetBytes: 0 } };
    times.apply(event);
  }
  return times;
}

/** Revisions 1..6, an hour apart from T0. */
const state = { times: timesOf([1, 2, 3, 4, 5, 6].map((m) => [m, T0 + (m - 1) * HOUR])), lastMain: 6, compactedMain: 0 };

describe('resolving a revision or a time to a revision', () => {
  const cases: Array<[text: string, main: number]> = [
    ['3', 3],
    ['0', 0],
    ['6', 6],
    ['2026-11-20T00:00Z', 1],
    ['2026-11-20T02:30Z', 3],
    ['2026-11-20T02:59:59.999Z', 3],
    ['2026-11-20T03:00:00Z', 4],
    ['2026-11-20T04:00:00+01:00', 4],
    ['2026-11-20T02:30', 3],
    ['2026-11-20', 1],
    ['2026-12-01', 6],
  ];
  for (const [text, main] of cases) {
    it(`resolves ${text} to revision ${main}`, () => assert.equal(resolvePoint(state, text), main));
  }

  const errors: Array<[text: string, code: QueryErrorCode, s?: typeof state]> = [
    ['7', 'future'],
    ['2026-11-19T23:59Z', 'before-first'],
    ['2026-11-19', 'before-first'],
    ['yesterday', 'bad-point'],
    ['2026-02-30', 'bad-point'],
    ['2026-11-20T25:00Z', 'bad-point'],
    ['-1', 'bad-point'],
    ['2', 'compacted', { ...state, compactedMain: 3 }],
    ['2026-11-19', 'compacted', { times: timesOf([[4, T0 + 3 * HOUR]]), lastMain: 6, compactedMain: 3 }],
  ];
  for (const [text, code, s] of errors) {
    it(`reports ${text} as ${code}`, () => assert.throws(() => resolvePoint(s ?? state, text), (e) => isQueryError(e, code)));
  }

  it('parses a date as its midnight UTC and refuses a date that does not exist', () => {
    assert.equal(parseTime('2026-11-20'), T0);
    assert.equal(parseTime('2026-02-29'), null);
    assert.equal(parseTime('2028-02-29'), Date.parse('2028-02-29T00:00:00Z'));
  });
});
