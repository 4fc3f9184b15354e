/**
 * A standalone aggregator's log (its own Store) checkpoints by the same policy as a daemon,
 * and counts the tail it recovered at open toward the next checkpoint: an aggregator that
 * is killed before it stops cleanly (no shutdown checkpoint) and commits less than a
 * checkpoint's worth per run must still take checkpoints, or each restart replays more.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pino from 'pino';
import { AggregateLog, type LocalCommit } from '../../src/fanin/aggregate-log.js';
import type { ElavaEvent } from '../../src/model/events.js';
import { captureLogs } from '../daemon/daemon-harness.js';
import { tempDir } from '../helpers/tmp.js';

const SOURCE = 'source-a';

function sourceCommit(sourceMain: number, events: number): LocalCommit {
  const scanned: ElavaEvent[] = Array.from({ length: events }, (_, n) => ({
    type: 'scope-scanned', scope: `aws/123456789012/eu-north-1/ec2.volume/${n}`, status: 'complete', listed: 0, durationMs: 1, error: null,
  }));
  return {
    marker: { type: 'source-commit', source: SOURCE, sourceMain, sourceTimeMs: Date.now(), sourceEvents: events, conflicts: [] },
    events: scanned,
  };
}

describe('aggregate log checkpoints', () => {
  it('counts the tail recovered at open toward its next checkpoint', async () => {
    const dir = `${tempDir('elava-agg-tail-')}/data`;
    const first = await AggregateLog.open(dir, { create: true, logger: pino({ level: 'silent' }), checkpointEveryEvents: 1000 });
    for (let m = 1; m <= 3; m++) await first.commit([sourceCommit(m, 20)], Date.now());
    await first.store.close(); // as a kill leaves it: no shutdown checkpoint

    const logs = captureLogs();
    // 63 events recovered (three markers and their 60 events): one more commit of 2 is due at 64.
    const second = await AggregateLog.open(dir, { create: false, logger: pino({ level: 'info' }, logs.stream), checkpointEveryEvents: 64 });
    try {
      assert.equal(second.store.recovery.checkpoint, null);
      assert.equal(second.store.recovery.eventsReplayed, 63);
      await second.commit([sourceCommit(4, 1)], Date.now());
      const taken = logs.lines.filter((l) => l['msg'] === 'checkpoint taken' && l['reason'] === 'policy');
      assert.equal(taken.length, 1, 'the recovered tail and one small commit together made a checkpoint due');
    } finally {
      await second.close();
    }
  });
});
