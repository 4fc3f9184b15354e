/**
 * The daemon's log lines never carry secrets: tokens, AWS keys, authorization headers and
 * credential objects are redacted wherever they sit in a logged object.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from '../../src/daemon/logger.js';
import { captureLogs } from './daemon-harness.js';

describe('daemon logger', () => {
  it('redacts secrets at any of the first levels of a logged object', async () => {
    const logs = captureLogs();
    const logger = createLogger('info', logs.stream);
    const secret = 'S3CR3T-value-that-must-not-leak';
    logger.info({
      token: secret,
      config: { http: { token: secret }, aws: { accounts: [{ id: '123456789012', externalId: secret }] } },
      credentials: { accessKeyId: secret, secretAccessKey: secret, sessionToken: secret },
      req: { headers: { authorization: `Bearer ${secret}` } },
      keep: 'visible',
    }, 'config loaded');
    await new Promise((r) => setImmediate(r));
    assert.equal(logs.lines.length, 1);
    const line = JSON.stringify(logs.lines[0]);
    assert.equal(line.includes('S3CR3T'), false, line);
    assert.match(line, /"keep":"visible"/);
    assert.match(line, /\[redacted\]/);
  });
});
