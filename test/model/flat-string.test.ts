/**
 * flatString copies a kept string so it pins no decoded message (the memory it saves is
 * measured by `npm run bench -- index`; which copy a string is cannot be seen from
 * JavaScript). What is checked: the value never changes — ASCII, other scripts, characters
 * outside the BMP, short strings, and a lone surrogate (which UTF-8 cannot carry: kept as is).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { flatString } from '../../src/model/flat-string.js';
import { PayloadDecoder, PayloadEncoder } from '../../src/wal/codec.js';

describe('flatString', () => {
  it('returns an equal string for every kind of text', () => {
    const parent = `aws/123456789012/eu-west-1/ec2.instance/i-0abc ünïcødé 東京 🚀 ${'x'.repeat(200)}`;
    for (const s of ['', 'short', 'exactly13char', parent, parent.slice(4, 60), parent.slice(40, 70), '\ud800 lone surrogate here', 'a\udfffb'.repeat(5)]) {
      assert.equal(flatString(s), s);
    }
  });

  it('keeps strings decoded from the log equal (the case it exists for)', () => {
    const encoder = new PayloadEncoder();
    const event = { type: 'appeared', key: 'aws/123456789012/us-east-1/ec2.instance/i-0123456789abcdef0', record: { id: 'i-0123456789abcdef0', name: 'ünïcødé-name-over-thirteen' } };
    const bytes = Buffer.from(encoder.encode(event));
    const decoded = new PayloadDecoder(encoder.structures).decode(bytes) as typeof event;
    assert.equal(flatString(decoded.key), event.key);
    assert.equal(flatString(decoded.record.name), event.record.name);
  });
});
