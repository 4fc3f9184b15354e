/**
 * The log's CRC-32 takes large inputs through zlib's native function and small ones through
 * crc-32: both paths must be one function, chained seeds included, on either side of the
 * switch and for the empty input (where zlib would answer 0 instead of the seed).
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { describe, it } from 'node:test';
import CRC32 from 'crc-32';
import { crc32 } from '../../src/wal/frame.js';

describe('crc32', () => {
  it('is CRC-32/ISO-HDLC: the check value of "123456789"', () => {
    assert.equal(crc32(Buffer.from('123456789'), 0), 0xcbf43926);
    assert.equal(crc32(Buffer.from('123456789'.repeat(200)), 0), CRC32.buf(Buffer.from('123456789'.repeat(200)), 0) >>> 0);
  });

  it('equals crc-32 for every size around the native switch, with chained seeds', () => {
    const sizes = [0, 1, 299, 1023, 1024, 1025, 4096, 65_537, 1 << 20];
    for (const size of sizes) {
      for (let i = 0; i < 8; i++) {
        const bytes = crypto.randomBytes(size);
        const seed = i === 0 ? 0 : crypto.randomInt(2 ** 32);
        assert.equal(crc32(bytes, seed), CRC32.buf(bytes, seed | 0) >>> 0, `size ${size} seed ${seed}`);
      }
    }
  });

  it('chains: the CRC of a whole equals the CRC of its second half seeded with the first', () => {
    const bytes = crypto.randomBytes(10_000);
    for (const cut of [0, 1, 500, 1024, 5000, 9999, 10_000]) {
      assert.equal(crc32(bytes.subarray(cut), crc32(bytes.subarray(0, cut), 0)), crc32(bytes, 0), `cut at ${cut}`);
    }
  });
});
