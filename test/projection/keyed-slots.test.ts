import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { KeyedSlots } from '../../src/projection/keyed-slots.js';

describe('KeyedSlots', () => {
  it('keeps a key in its slot while it lives, and gives a freed slot to a later key', () => {
    const slots = new KeyedSlots<number>();
    slots.set('a', 1);
    slots.set('b', 2);
    const a = slots.slotOf('a');
    slots.set('a', 10); // replaced: same slot
    assert.equal(slots.slotOf('a'), a);
    assert.equal(slots.valueAt(a), 10);
    assert.equal(slots.keyAt(a), 'a');
    assert.equal(slots.delete('a'), true);
    assert.equal(slots.delete('a'), false);
    assert.equal(slots.slotOf('a'), -1);
    assert.equal(slots.keyAt(a), undefined);
    assert.equal(slots.valueAt(a), undefined);
    slots.set('c', 3); // takes the freed slot
    assert.equal(slots.slotOf('c'), a);
    assert.equal(slots.slotLimit, 2);
    assert.equal(slots.size, 2);
    assert.deepEqual([...slots.values()].sort(), [2, 3]);
    assert.deepEqual([...slots.keys()].sort(), ['b', 'c']);
    assert.equal(slots.get('b'), 2);
    assert.equal(slots.has('c'), true);
    assert.equal(slots.keyAt(99), undefined, 'beyond the limit: no key');
    slots.setAt(slots.slotOf('b'), 20);
    assert.equal(slots.get('b'), 20);
    assert.throws(() => slots.setAt(99, 1), /slot 99 is free/);
  });

  it('builds a table of new keys, and says when a key was not new', () => {
    const slots = new KeyedSlots<string>();
    assert.equal(slots.addNew('a', 'x'), null);
    assert.equal(slots.addNew('b', 'y'), null);
    assert.deepEqual([slots.slotOf('a'), slots.slotOf('b'), slots.size, slots.slotLimit], [0, 1, 2, 2]);
    assert.equal(slots.addNew('a', 'z'), 'duplicate key a');
  });
});
