/**
 * wal-dump's one-line descriptions of what the guard and "terminated means gone" add to
 * the log: a disappeared event with its last record, one without (older logs), and a
 * suspect scope-scanned event with its withheld ids.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { describeEvent } from '../../wal-tools/describe-event.js';

const KEY = 'aws/1/us-east-1/ec2.instance/i-1';

describe('describeEvent for gone resources and suspect scopes', () => {
  const vectors: Array<[string, Record<string, unknown>, string]> = [
    ['a disappeared event with its last record shows its state',
      { type: 'disappeared', key: KEY, record: { key: KEY, state: 'terminated' } }, 'was terminated'],
    ['a disappeared event of an older log shows nothing more', { type: 'disappeared', key: KEY }, ''],
    ['a suspect scope shows how many disappearances it withholds',
      { type: 'scope-scanned', scope: 'aws/1/us-east-1/ec2.instance', status: 'suspect', listed: 4,
        durationMs: 9, error: null, withheld: ['i-1', 'i-2', 'i-3'] },
      'suspect listed=4 in 9 ms withheld=3'],
  ];
  for (const [name, payload, summary] of vectors) {
    test(name, () => assert.equal(describeEvent(payload).summary, summary));
  }
});
