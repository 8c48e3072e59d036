import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { batchedReader, createStampedCache } from '../../services/catalog-cache';

/**
 * Stamp reads the test completes by hand. Like a query, each read sees the stamp as it was when the
 * read started, whenever its answer arrives.
 */
function manualReads() {
  const pending: Array<() => void> = [];
  let stamp = 0;
  return {
    read: () => {
      const seen = stamp;
      return new Promise<number | null>((resolve) => pending.push(() => resolve(seen)));
    },
    commitChange: () => {
      stamp += 1;
    },
    finishOne: async () => {
      pending.shift()!();
      // Let the reader's bookkeeping (finally, then) run.
      for (let i = 0; i < 5; i += 1) await Promise.resolve();
    },
    get inFlight() {
      return pending.length;
    },
  };
}

describe('batchedReader', () => {
  test('requests that arrive during a read share the next read, not the one under way', async () => {
    const reads = manualReads();
    const read = batchedReader(reads.read);
    const first = read();
    reads.commitChange(); // commits after the first read started, before the next requests arrive
    const second = read();
    const third = read();
    assert.equal(reads.inFlight, 1, 'one query at a time');
    await reads.finishOne();
    assert.equal(await first, 0);
    assert.equal(reads.inFlight, 1, 'the requests that waited got one new read between them');
    await reads.finishOne();
    assert.equal(await second, 1, 'a request sees every change committed before it arrived');
    assert.equal(await third, 1);
    assert.equal(reads.inFlight, 0);
  });

  test('a failed read fails its own callers only; the next callers read again', async () => {
    let calls = 0;
    const read = batchedReader(async () => {
      calls += 1;
      if (calls === 1) throw new Error('database away');
      return 7;
    });
    const failing = read();
    const waiting = read();
    await assert.rejects(failing, /database away/);
    assert.equal(await waiting, 7);
    assert.equal(await read(), 7);
    assert.equal(calls, 3);
  });
});

describe('createStampedCache', () => {
  test('serves the copy while the stamp is unchanged and reloads once it moves', async () => {
    let stamp = 1;
    let loads = 0;
    const cache = createStampedCache(async () => stamp);
    const load = async () => [{ n: ++loads }];
    assert.deepEqual(await cache.get('k', load), [{ n: 1 }]);
    assert.deepEqual(await cache.get('k', load), [{ n: 1 }]);
    stamp = 2;
    assert.deepEqual(await cache.get('k', load), [{ n: 2 }]);
    assert.equal(loads, 2);
  });

  test('concurrent misses load once', async () => {
    let loads = 0;
    const cache = createStampedCache(async () => 1);
    const load = async () => {
      loads += 1;
      await new Promise((r) => setTimeout(r, 5));
      return 'value';
    };
    assert.deepEqual(await Promise.all([cache.get('k', load), cache.get('k', load), cache.get('k', load)]), ['value', 'value', 'value']);
    assert.equal(loads, 1);
  });

  test('without a stamp row nothing is cached; a failed load is not kept', async () => {
    let loads = 0;
    const noStamp = createStampedCache(async () => null);
    await noStamp.get('k', async () => ++loads);
    await noStamp.get('k', async () => ++loads);
    assert.equal(loads, 2);

    const cache = createStampedCache(async () => 1);
    await assert.rejects(cache.get('k', async () => {
      throw new Error('query failed');
    }), /query failed/);
    assert.equal(await cache.get('k', async () => 'recovered'), 'recovered');
  });

  test('a copy older than a minute is reloaded even if the stamp never moved', async () => {
    let clock = 0;
    let loads = 0;
    const cache = createStampedCache(async () => 1, () => clock);
    await cache.get('k', async () => ++loads);
    clock = 59_000;
    await cache.get('k', async () => ++loads);
    assert.equal(loads, 1);
    clock = 61_000;
    await cache.get('k', async () => ++loads);
    assert.equal(loads, 2);
  });

  test('cached lists and their items are frozen, so no request can change them for the next', async () => {
    const cache = createStampedCache(async () => 1);
    const list = await cache.get('k', async () => [{ name: 'Fantasy' }]);
    assert.throws(() => (list as Array<{ name: string }>).push({ name: 'x' }), TypeError);
    assert.throws(() => {
      (list[0] as { name: string }).name = 'changed';
    }, TypeError);
  });
});
