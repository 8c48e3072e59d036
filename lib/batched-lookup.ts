/**
 * Looks up values by key for many concurrent requests with few queries (the stock counts; with one
 * key, the cache stamp's batchedReader in services/catalog-cache.ts): one read at a time, and the
 * keys asked for while it runs are read together by the next one, which starts as soon as it ends.
 *
 * A key never joins a read that was already under way when it was asked for: that read could miss
 * a change committed just before. So every answer reflects every commit made before its caller asked.
 *
 * Hand-written rather than DataLoader: DataLoader collects keys for one tick and then dispatches,
 * whatever is still running, so under load it keeps several small reads in flight where this keeps
 * one, and its per-key memo has to be switched off for answers that must be current.
 */
/**
 * The most keys one call of readMany is given: a batch gathered under a flood of distinct keys (each
 * a session id, say) is read in several statements rather than one whose IN list passes SQLite's
 * limit on bound parameters (32,766 on Debian 12's 3.40) and fails every request in the batch.
 */
export const MAX_KEYS_PER_READ = 256;

/** readMany over at most MAX_KEYS_PER_READ keys at a time, the answers merged. */
async function readInChunks<K, V>(readMany: (keys: K[]) => Promise<ReadonlyMap<K, V>>, keys: K[]): Promise<ReadonlyMap<K, V>> {
  if (keys.length <= MAX_KEYS_PER_READ) return readMany(keys);
  const chunks: K[][] = [];
  for (let i = 0; i < keys.length; i += MAX_KEYS_PER_READ) chunks.push(keys.slice(i, i + MAX_KEYS_PER_READ));
  const answers = await Promise.all(chunks.map((chunk) => readMany(chunk)));
  const merged = new Map<K, V>();
  for (const answer of answers) for (const [key, value] of answer) merged.set(key, value);
  return merged;
}

export function batchedLookup<K, V>(readMany: (keys: K[]) => Promise<ReadonlyMap<K, V>>): (key: K) => Promise<V | undefined> {
  /** The read under way, settled either way (its own callers see its failure). */
  let underWay: Promise<void> | null = null;
  /** The keys waiting for the next read, and that read's answer once it has started. */
  let next: { keys: Set<K>; answer: Promise<ReadonlyMap<K, V>> } | null = null;

  const start = (keys: Set<K>): Promise<ReadonlyMap<K, V>> => {
    const answer = readInChunks(readMany, [...keys]);
    const settled = answer.then(() => undefined, () => undefined);
    underWay = settled;
    void settled.then(() => {
      if (underWay === settled) underWay = null;
    });
    return answer;
  };

  return (key) => {
    if (!underWay) return start(new Set([key])).then((values) => values.get(key));
    if (!next) {
      const keys = new Set<K>();
      // Registered after start()'s own clean-up on the same promise, so it runs right after it.
      const answer = underWay.then(() => {
        next = null;
        return start(keys);
      });
      next = { keys, answer };
    }
    next.keys.add(key);
    return next.answer.then((values) => values.get(key));
  };
}

/**
 * `keys` for an `IN (?, …)` list, padded with its last key to the next power of two, and the list's
 * placeholders. A batch of any size then runs one of a few statement texts, which db.sql() keeps
 * prepared (db/statement-cache.ts keeps 128 texts per connection), instead of one text per size.
 */
export function inList<K>(keys: readonly K[]): { keys: K[]; placeholders: string } {
  if (keys.length === 0) throw new Error('an IN list needs at least one key');
  let size = 1;
  while (size < keys.length) size *= 2;
  const padded = [...keys];
  while (padded.length < size) padded.push(keys[keys.length - 1]);
  return { keys: padded, placeholders: padded.map(() => '?').join(', ') };
}
