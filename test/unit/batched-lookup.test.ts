import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_KEYS_PER_READ, batchedLookup, inList } from '../../lib/batched-lookup';

/**
 * Reads the test completes by hand, oldest first. Like a query, each read sees the values as they
 * were when it started, whenever its answer arrives.
 */
function manualReads() {
  const values = new Map<number, number>([[1, 10], [2, 20], [3, 30]]);
  const open: Array<{ resolve: () => void; reject: (error: Error) => void }> = [];
  const started: number[][] = [];
  return {
    values,
    started,
    readMany: (keys: number[]) => {
      started.push(keys);
      const seen = new Map([...values].filter(([key]) => keys.includes(key)));
      return new Promise<ReadonlyMap<number, number>>((resolve, reject) => {
        open.push({ resolve: () => resolve(seen), reject });
      });
    },
    /** Completes the oldest open read, then lets the bookkeeping after it run. */
    async finish(error?: Error) {
      const read = open.shift()!;
      if (error) read.reject(error);
      else read.resolve();
      for (let i = 0; i < 5; i += 1) await Promise.resolve();
    },
  };
}

describe('batchedLookup', () => {
  test('keys asked for during a read share the next read, never the one under way', async () => {
    const reads = manualReads();
    const lookup = batchedLookup(reads.readMany);
    const first = lookup(1);
    reads.values.set(1, 11); // committed after the first read started, before the next callers ask
    const again = lookup(1);
    const other = lookup(2);
    const twice = lookup(2);
    const missing = lookup(4);
    assert.deepEqual(reads.started, [[1]], 'one read at a time');
    await reads.finish();
    assert.equal(await first, 10);
    assert.deepEqual(reads.started, [[1], [1, 2, 4]], 'those who waited share one read, each key once');
    await reads.finish();
    assert.equal(await again, 11, 'a caller sees every change committed before it asked');
    assert.equal(await other, 20);
    assert.equal(await twice, 20);
    assert.equal(await missing, undefined, 'a key the read did not find');
    // Nothing under way: the next caller reads at once, on its own.
    const later = lookup(3);
    assert.deepEqual(reads.started.at(-1), [3]);
    await reads.finish();
    assert.equal(await later, 30);
  });

  test('a failed read fails its own callers only; those waiting get the next read', async () => {
    const reads = manualReads();
    const lookup = batchedLookup(reads.readMany);
    const failing = lookup(1);
    const waiting = lookup(2);
    await reads.finish(new Error('database away'));
    await assert.rejects(failing, /database away/);
    assert.deepEqual(reads.started, [[1], [2]]);
    await reads.finish();
    assert.equal(await waiting, 20);
    const next = lookup(1);
    await reads.finish();
    assert.equal(await next, 10);
  });
});

describe('batchedLookup under a flood of distinct keys', () => {
  test('a batch larger than one read may take is read in chunks, and every caller gets its answer', async () => {
    const started: number[][] = [];
    const lookup = batchedLookup(async (keys: number[]) => {
      started.push(keys);
      return new Map(keys.map((key) => [key, key * 2]));
    });
    const first = lookup(0);
    const count = MAX_KEYS_PER_READ * 2 + 3;
    const waiting = Array.from({ length: count }, (_, i) => lookup(i + 1));
    assert.equal(await first, 0);
    assert.deepEqual(await Promise.all(waiting), Array.from({ length: count }, (_, i) => (i + 1) * 2));
    assert.deepEqual(started.map((keys) => keys.length), [1, MAX_KEYS_PER_READ, MAX_KEYS_PER_READ, 3]);
  });
});

describe('inList', () => {
  test('pads the keys with the last one to a power of two, with a placeholder each', () => {
    const sizes = [1, 2, 3, 4, 5, 8, 9, 50].map((n) => inList(Array.from({ length: n }, (_, i) => i)).keys.length);
    assert.deepEqual(sizes, [1, 2, 4, 4, 8, 8, 16, 64]);
    assert.deepEqual(inList(['a', 'b', 'c']), { keys: ['a', 'b', 'c', 'c'], placeholders: '?, ?, ?, ?' });
    assert.throws(() => inList([]), /at least one key/);
  });
});
