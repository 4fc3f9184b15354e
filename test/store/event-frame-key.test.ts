/**
 * The key and tag the Store frames its events with (src/projection/event-frame-key.ts): a table
 * of events and what they are framed as, then a real Store whose log reads them back
 * without decoding a payload.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { ElavaEvent } from '../../src/model/events.js';
import type { ResourceRecord, ResourceType } from '../../src/model/resource.js';
import {
  EVENT_TAG_AGED, EVENT_TAG_APPEARED, EVENT_TAG_CHANGED, EVENT_TAG_DISAPPEARED, EVENT_TAG_NONE, eventFrameKey, eventFrameTag,
} from '../../src/projection/event-frame-key.js';
import { readLog } from '../../src/wal/reader.js';
import type { LogEventRead } from '../../src/wal/types.js';
import { tempDir } from '../helpers/tmp.js';
import { openStore } from './store-harness.js';

function record(type: ResourceType, id: string, state: string, attrs: ResourceRecord['attrs'] = {}): ResourceRecord {
  return { key: `aws/1/us-east-1/${type}/${id}`, provider: 'aws', account: '1', region: 'us-east-1', type, id, name: null, state, owner: null, tags: {}, attrs };
}

const running = record('ec2.instance', 'i-1', 'running');
const stopped = record('ec2.instance', 'i-2', 'stopped');
const available = record('ec2.volume', 'vol-1', 'available');
const inUse = record('ec2.volume', 'vol-2', 'in-use', { attachments: ['i-1'] });

const vectors: { name: string; event: unknown; key: string | null; tag: number }[] = [
  { name: 'appeared, running', event: { type: 'appeared', key: running.key, record: running }, key: running.key, tag: EVENT_TAG_APPEARED },
  { name: 'appeared, stopped (aged)', event: { type: 'appeared', key: stopped.key, record: stopped }, key: stopped.key, tag: EVENT_TAG_APPEARED | EVENT_TAG_AGED },
  { name: 'changed, unattached (aged)', event: { type: 'changed', key: available.key, record: available, diff: [] }, key: available.key, tag: 0x12 },
  { name: 'changed, attached', event: { type: 'changed', key: inUse.key, record: inUse, diff: [] }, key: inUse.key, tag: EVENT_TAG_CHANGED },
  { name: 'disappeared, key only', event: { type: 'disappeared', key: inUse.key }, key: inUse.key, tag: EVENT_TAG_DISAPPEARED },
  { name: 'disappeared, last record stopped', event: { type: 'disappeared', key: stopped.key, record: stopped }, key: stopped.key, tag: EVENT_TAG_DISAPPEARED | EVENT_TAG_AGED },
  { name: 'scope-scanned', event: { type: 'scope-scanned', scope: 'aws/1/us-east-1/ec2.volume', status: 'complete', listed: 2, durationMs: 5, error: null }, key: null, tag: EVENT_TAG_NONE },
  { name: 'checkpoint', event: { type: 'checkpoint', file: 'c', coversMain: 3 }, key: null, tag: EVENT_TAG_NONE },
  { name: 'a change event whose key is not a string', event: { type: 'appeared', key: 7 }, key: null, tag: EVENT_TAG_APPEARED },
  { name: 'not an object', event: 'appeared', key: null, tag: EVENT_TAG_NONE },
  { name: 'null', event: null, key: null, tag: EVENT_TAG_NONE },
];

describe('event frame key and tag', () => {
  for (const v of vectors) {
    it(`frames ${v.name} with key ${String(v.key)} and tag 0x${v.tag.toString(16)}`, () => {
      assert.equal(eventFrameKey(v.event), v.key);
      assert.equal(eventFrameTag(v.event), v.tag);
    });
  }

  it("a Store's log carries each event's key and tag, readable without decoding payloads", async () => {
    // Given a Store, when it commits change and control events
    const dir = path.join(tempDir(), 'data');
    const store = await openStore(dir);
    const events = vectors.slice(0, 8).map((v) => v.event as ElavaEvent);
    await store.commit(events, 1_790_000_000_000);
    await store.close();
    // Then its log hands them out with the key and tag of the table, payloads untouched
    const read = [...readLog(dir, { decode: false })].filter((e): e is LogEventRead => e.kind === 'event');
    const mine = read.slice(-events.length);
    assert.deepEqual(mine.map((e) => [e.key, e.tag]), vectors.slice(0, 8).map((v) => [v.key, v.tag]));
    assert.ok(mine.every((e) => e.payload === undefined));
  });
});
