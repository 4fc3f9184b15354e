import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeCursor, encodeCursor, pageOf, type Page, type PageCursor } from '../../src/sim/page-cursor.js';

const IDS = Array.from({ length: 23 }, (_, i) => `id-${String(i).padStart(2, '0')}`);
const key = (s: string): string => s;

describe('sim page cursors', () => {
  it('a token round-trips', () => {
    assert.deepEqual(decodeCursor(encodeCursor({ page: 4, after: 'i-0abc' })), { page: 4, after: 'i-0abc' });
  });

  it('tokens the simulator did not issue are rejected', () => {
    for (const t of ['garbage', 'simpage1.!!!', 'simpage1.' + Buffer.from('{"p":1,"a":"x"}').toString('base64url')]) {
      assert.equal(decodeCursor(t), null, t);
    }
  });

  it('paging walks every id once, in order, and the last page has no next cursor', () => {
    const seen: string[] = [];
    let cursor: PageCursor | null = null;
    let pages = 0;
    do {
      const page: Page<string> = pageOf(IDS, key, cursor, 10);
      seen.push(...page.items);
      pages += 1;
      assert.equal(page.page, pages);
      cursor = page.next;
    } while (cursor !== null && pages < 10);
    assert.deepEqual(seen, IDS);
    assert.equal(pages, 3);
  });

  it('a cursor survives an id vanishing behind it without repeating or skipping later ids', () => {
    const first = pageOf(IDS, key, null, 10);
    assert.ok(first.next);
    const shrunk = IDS.filter((id) => id !== 'id-03');
    assert.deepEqual(pageOf(shrunk, key, first.next, 10).items, IDS.slice(10, 20));
  });
});
