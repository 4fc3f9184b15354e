/**
 * ESM access to sorted-btree. The package is CommonJS with `exports.default = BTree`; under
 * Node's ESM loader a default import yields the whole `module.exports`, so the class is its
 * `.default`. Everything in the project imports the B+ tree from here.
 */
import sortedBtree from 'sorted-btree';
import type SortedBtreeTypes from 'sorted-btree';
import { bulkLoad as bulkLoadTree } from 'sorted-btree/extended/bulkLoad.js';

export type BTree<K, V> = SortedBtreeTypes.default<K, V>;
export const BTree = sortedBtree.default;

/** sorted-btree's default node size (a tree made with `new BTree(entries, compare)`). */
const NODE_SIZE = 32;

/**
 * A tree of `keys` (strictly ascending) and `values`, built in one pass: leaves filled
 * left to right instead of a descent and a split per insert.
 */
export function bulkLoad<K, V>(keys: K[], values: V[], compare: (a: K, b: K) => number): BTree<K, V> {
  return bulkLoadTree(keys, values, NODE_SIZE, compare) as BTree<K, V>;
}

/** Plain string order (UTF-16 code units), the same as `<` on strings. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
