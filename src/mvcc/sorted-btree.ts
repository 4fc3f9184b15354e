/**
 * ESM access to sorted-btree. The package is CommonJS with `exports.default = BTree`; under
 * Node's ESM loader a default import yields the whole `module.exports`, so the class is its
 * `.default`. Everything in the project imports the B+ tree from here.
 */
import sortedBtree from 'sorted-btree';
import type SortedBtreeTypes from 'sorted-btree';

export type BTree<K, V> = SortedBtreeTypes.default<K, V>;
export const BTree = sortedBtree.default;

/** Plain string order (UTF-16 code units), the same as `<` on strings. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
