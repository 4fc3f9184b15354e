/**
 * The key index's key strings handed to the projections restored after it, so a restored
 * process keeps one string per resource key (as adoptKeyString does for every event
 * replayed or committed): each snapshot lists its keys ascending, and so does the key
 * index, so a merge walk pairs them by comparing characters, with no hashing; the maps
 * then hash the one string once (V8 keeps a string's hash with it). At a million keys the
 * lookup-and-rebuild it replaced took ~7 s of a 23 s restart.
 */

/** The canonical string equal to `key`, or `key` itself. */
export type CanonicalKey = (key: string) => string;

/** No canonical strings (nothing restored before): every key as it is. */
export const ownKey: CanonicalKey = (key) => key;

/**
 * Canonical keys from `sorted` (ascending), for keys asked in ascending order, each once. A
 * key asked out of order, twice, or not in `sorted`, comes back as it is: sharing is lost,
 * nothing else. The common case (the next key asked is the next key held) is one string
 * compare: keys share long prefixes, so each compare reads most of both, and a restart at
 * 1 M resources spent ~0.7 s in three (`<` then `===`, then `<` again for the next key).
 */
export function ascendingKeys(sorted: Iterator<string>): CanonicalKey {
  let current = sorted.next();
  return (key) => {
    while (!current.done) {
      const held = current.value;
      if (held === key) {
        current = sorted.next();
        return held;
      }
      if (held > key) return key; // not held
      current = sorted.next();
    }
    return key;
  };
}
