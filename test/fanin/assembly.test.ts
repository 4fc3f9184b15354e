/**
 * The aggregator's bookkeeping without a server: source commits reassembled from single
 * events, applied in chain order and never over a gap; stale revisions recognised; two
 * sources reporting one scope is a conflict, not interleaving.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Assembler } from '../../src/fanin/assembly.js';
import { planCommits } from '../../src/fanin/plan-commits.js';
import type { WireEvent } from '../../src/fanin/wire.js';
import { decodeWire, encodeWire, msgIdOf, SubjectCache, subjectOf } from '../../src/fanin/wire.js';
import type { ElavaEvent } from '../../src/model/events.js';
import { Sources } from '../../src/projection/sources.js';

const SCOPE = 'aws/111111111111/us-east-1/ec2.instance';

function scanned(scope = SCOPE): ElavaEvent {
  return { type: 'scope-scanned', scope, status: 'complete', listed: 1, durationMs: 1, error: null };
}

function appeared(id: string, scope = SCOPE): ElavaEvent {
  const [provider, account, region, type] = scope.split('/') as ['aws', string, string, 'ec2.instance'];
  const key = `${scope}/${id}`;
  return { type: 'appeared', key, record: { key, provider, account, region, type, id, name: null, state: 'running', owner: null, tags: {}, attrs: {} } };
}

function wire(source: string, main: number, prev: number, events: ElavaEvent[]): WireEvent[] {
  return events.map((event, sub) => ({ v: 1, source, main, sub, count: events.length, prev, timeMs: main * 1000, event }));
}

describe('reassembly of source commits', () => {
  it('applies a source\'s commits in chain order, whatever order they arrive in', () => {
    const a = new Assembler<string>();
    const c3 = wire('s', 3, 0, [scanned(), appeared('i-1')]);
    const c5 = wire('s', 5, 3, [scanned(), appeared('i-2')]);
    for (const w of [c5[1]!, c3[0]!, c5[0]!]) assert.equal(a.add(w, msgIdOf(w.source, w.main, w.sub), 0), 'held');
    assert.deepEqual(a.takeReady(() => 0).ready, [], '3 is not whole, 5 waits for it');
    a.add(c3[1]!, 's:3.1', 0);
    assert.deepEqual(a.takeReady(() => 0).ready.map((c) => c.main), [3, 5]);
    assert.equal(a.heldMessages, 0);
  });

  it('never applies over a gap', () => {
    const a = new Assembler<string>();
    for (const w of wire('s', 9, 7, [scanned()])) a.add(w, 'm', 5);
    assert.deepEqual(a.takeReady(() => 5).ready, [], 'revision 7 is missing');
    assert.deepEqual(a.waiting(), [{ source: 's', main: 9, prev: 7, received: 1, count: 1 }]);
  });

  it('recognises revisions already applied, arriving or held', () => {
    const a = new Assembler<string>();
    assert.equal(a.add(wire('s', 4, 0, [scanned()])[0]!, 'old', 4), 'stale');
    a.add(wire('s', 6, 4, [scanned()])[0]!, 'held-6', 4);
    const { ready, stale } = a.takeReady(() => 6); // applied meanwhile (another delivery)
    assert.deepEqual([ready.length, stale], [0, ['held-6']]);
  });

  it('a second delivery of one event is held once and acknowledged with the first', () => {
    const a = new Assembler<string>();
    const [w] = wire('s', 2, 0, [scanned()]);
    a.add(w!, 'first', 0);
    a.add(w!, 'again', 0);
    const [c] = a.takeReady(() => 0).ready;
    assert.deepEqual([c?.received, c?.messages], [1, ['first', 'again']]);
  });
});

describe('a message that disagrees with its commit', () => {
  it('is not held (another event count or previous revision for the same source revision)', () => {
    const a = new Assembler<string>();
    a.add(wire('s', 2, 0, [scanned(), scanned()])[0]!, 'ok', 0);
    assert.equal(a.add(wire('s', 2, 0, [scanned()])[0]!, 'bad-count', 0), 'mismatch');
    assert.equal(a.add(wire('s', 2, 1, [scanned(), scanned()])[1]!, 'bad-prev', 0), 'mismatch');
    assert.equal(a.heldMessages, 1);
  });
});

describe('conflicts: two sources reporting one scope', () => {
  it('the first keeps the scope; the other\'s events for it are not applied and are named', () => {
    const sources = new Sources();
    const a = new Assembler<string>();
    for (const w of wire('first', 1, 0, [scanned(), appeared('i-1')])) a.add(w, 'm', 0);
    const other = 'aws/222222222222/us-east-1/ec2.instance';
    for (const w of wire('second', 1, 0, [scanned(), scanned(other), appeared('i-2'), appeared('i-3', other)])) a.add(w, 'm', 0);
    const plan = planCommits(a.takeReady(() => 0).ready, sources);
    const byName = new Map(plan.map((p) => [p.marker.source, p]));
    assert.deepEqual(byName.get('first')?.marker.conflicts, []);
    assert.deepEqual(byName.get('second')?.marker.conflicts, [SCOPE]);
    assert.deepEqual(byName.get('second')?.events.map((e) => (e.type === 'appeared' ? e.key : e.type)), ['scope-scanned', `${other}/i-3`]);
  });
});

describe('wire format', () => {
  it('round-trips, names the scope in the subject, and refuses what is not a fan-in event', () => {
    const [w] = wire('0123456789abcdef', 7, 3, [appeared('i-9')]);
    assert.deepEqual(decodeWire(encodeWire(w!), 'x'), w);
    assert.equal(subjectOf('0123456789abcdef', w!.event), 'elava.0123456789abcdef.aws.111111111111.us-east-1.ec2_instance');
    assert.equal(subjectOf('0123456789abcdef', { type: 'checkpoint', file: 'f', coversMain: 1 }), 'elava.0123456789abcdef._._._.checkpoint');
    assert.throws(() => decodeWire(encodeWire({ ...w!, v: 2 }), 'x'), { code: 'FANIN_BAD_MESSAGE' });
    assert.throws(() => decodeWire(new Uint8Array([0xc1]), 'x'), { code: 'FANIN_BAD_MESSAGE' });
  });

  it('subjects from the per-scope cache are the ones subjectOf builds (table)', () => {
    const other = 'aws/222222222222/eu-west-1/rds.instance';
    const events: ElavaEvent[] = [
      appeared('i-1'), appeared('i-2'), scanned(), appeared('i-3', other), scanned(other), appeared('i-1'),
      { type: 'checkpoint', file: 'f', coversMain: 1 }, { type: 'disappeared', key: `${other}/db-1` },
    ];
    const cache = new SubjectCache('0123456789abcdef');
    for (const e of [...events, ...events]) assert.equal(cache.subjectOf(e), subjectOf('0123456789abcdef', e));
  });
});
