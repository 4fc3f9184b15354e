/**
 * Record descriptions and filters: the `changed` summary is the diff, unknown or hostile
 * payloads are shown generically and safely, and --key matches whole key components.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { describeEvent } from '../../wal-tools/describe-event.js';
import { UsageError, parseOptions } from '../../wal-tools/options.js';
import { NO_FILTER, keyMatches, recordPasses, typeOfKey } from '../../wal-tools/record-filter.js';
import type { EventItem } from '../../wal-tools/walk-items.js';

describe('describeEvent', () => {
  test('a changed event is summarised by its diff, missing values as (none)', () => {
    const d = describeEvent({ type: 'changed', key: 'aws/1/us-east-1/ec2.volume/v', record: {}, diff: [{ path: 'tags.Owner', before: 'platform', after: null }, { path: 'attrs.sizeGiB', before: 100, after: 200 }] });
    assert.deepEqual(d, { kind: 'changed', key: 'aws/1/us-east-1/ec2.volume/v', summary: 'tags.Owner: platform → (none), attrs.sizeGiB: 100 → 200' });
  });

  test('a scope-scanned event is keyed by its scope and shows its error', () => {
    const d = describeEvent({ type: 'scope-scanned', scope: 'aws/1/eu-west-1/rds.instance', status: 'failed', listed: 0, durationMs: 12, error: { code: 'access-denied', message: 'no' } });
    assert.equal(d.key, 'aws/1/eu-west-1/rds.instance');
    assert.equal(d.summary, 'failed listed=0 in 12 ms error=access-denied: no');
  });

  const odd: { name: string; payload: unknown; kind: string }[] = [
    { name: 'a number', payload: 42, kind: 'event' },
    { name: 'null', payload: null, kind: 'event' },
    { name: 'an object without type', payload: { a: 1 }, kind: 'event' },
    { name: 'an unknown type', payload: { type: 'resource-teleported', key: 'k' }, kind: 'resource-teleported' },
    { name: 'a bigint and bytes', payload: { v: 2n ** 70n, b: new Uint8Array([1, 2]) }, kind: 'event' },
    { name: 'known type with wrong field types', payload: { type: 'changed', key: 7, diff: 'x' }, kind: 'changed' },
  ];
  for (const c of odd) {
    test(`${c.name} is described generically without throwing`, () => {
      const d = describeEvent(c.payload);
      assert.equal(d.kind, c.kind);
      assert.ok(d.summary.length <= 240);
    });
  }

  test('control characters in keys and values are escaped', () => {
    const d = describeEvent({ type: 'disappeared', key: 'aws/\u001b[31m/x' });
    assert.equal(d.key, 'aws/\\x1b[31m/x');
  });
});

describe('filters', () => {
  const vectors: [pattern: string, key: string, matches: boolean][] = [
    ['aws/123456789012', 'aws/123456789012/us-east-1/ec2.volume/vol-1', true],
    ['aws/123456789012', 'aws/1234567890123/us-east-1/ec2.volume/vol-1', false],
    ['aws/123456789012/us-east-1/', 'aws/123456789012/us-east-1/ec2.volume/vol-1', true],
    ['aws/123456789012/us-east-1/ec2.volume/vol-1', 'aws/123456789012/us-east-1/ec2.volume/vol-1', true],
    ['aws/1234*', 'aws/123456789012/us-east-1/ec2.volume/vol-1', true],
    ['gcp', 'aws/1/r/t/i', false],
  ];
  for (const [pattern, key, matches] of vectors) {
    test(`--key ${pattern} ${matches ? 'matches' : 'does not match'} ${key}`, () => {
      assert.equal(keyMatches(pattern, key), matches);
    });
  }

  test('--type reads the fourth key component', () => {
    assert.equal(typeOfKey('aws/1/us-east-1/ec2.volume/vol-1'), 'ec2.volume');
    assert.equal(typeOfKey('aws/1'), null);
  });

  test('time filters drop uncommitted events, whose time is unknown', () => {
    const item: EventItem = { kind: 'event', segment: 's', offsetBytes: 64, bodyBytes: 20, main: 5, sub: 0, timeMs: null, committed: false, key: null, tag: 0, payload: {}, payloadError: false };
    assert.equal(recordPasses(NO_FILTER, item, describeEvent({})), true);
    assert.equal(recordPasses({ ...NO_FILTER, sinceMs: 0 }, item, describeEvent({})), false);
  });

  test('options: ISO and millisecond times parse; bad values are usage errors', () => {
    const parsed = parseOptions(['--since', '2024-05-01T12:00:00Z', '--until', '1714600000000', '--kind', 'changed,commit', 'dir']);
    assert.ok(!parsed.help);
    assert.equal(parsed.options.filter.sinceMs, Date.UTC(2024, 4, 1, 12));
    assert.equal(parsed.options.filter.untilMs, 1714600000000);
    assert.deepEqual([...parsed.options.filter.kinds!], ['changed', 'commit']);
    for (const bad of [['--since', 'yesterday', 'd'], ['--limit', '-1', 'd'], ['--from', '9', '--to', '3', 'd'], ['--follow', '--stats', 'd']]) {
      assert.throws(() => parseOptions(bad), UsageError, bad.join(' '));
    }
  });
});
