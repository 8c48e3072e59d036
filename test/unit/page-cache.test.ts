import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createPageCache } from '../../services/page-cache';
import type { Stamps } from '../../services/catalog-cache';

function pageOf(cache: ReturnType<typeof createPageCache>, body: string): string {
  return `<form><input name="_csrf" value="${cache.placeholder}"></form>${body}<input value="${cache.placeholder}">`;
}

describe('page cache store', () => {
  test('fills every placeholder with the token, and keeps nothing of it', () => {
    const cache = createPageCache(async () => ({ catalog: 1, stock: 1 }));
    cache.set('/a', 2, pageOf(cache, 'body'), '/');
    const page = cache.get('/a', 2)!;
    assert.equal(cache.fill(page, 'T1').toString(), '<form><input name="_csrf" value="T1"></form>body<input value="T1">');
    assert.equal(cache.fill(page, 'T2').toString(), '<form><input name="_csrf" value="T2"></form>body<input value="T2">');
  });

  test('the version is the sum of both stamps, and null (never cache) without either row', async () => {
    let stamps: Stamps = { catalog: 3, stock: 4 };
    const cache = createPageCache(async () => stamps);
    assert.equal(await cache.version(), 7);
    stamps = { catalog: 3, stock: null };
    assert.equal(await cache.version(), null);
    stamps = { catalog: null, stock: 4 };
    assert.equal(await cache.version(), null);
  });

  test('a page older than the current version is not served, and an older render does not replace a newer one', () => {
    const cache = createPageCache(async () => ({ catalog: 0, stock: 0 }));
    cache.set('/b', 5, pageOf(cache, 'v5'), '/');
    assert.ok(cache.get('/b', 5));
    assert.ok(cache.get('/b', 4), 'a newer copy than asked for is fine');
    assert.equal(cache.get('/b', 6), undefined);
    cache.set('/b', 7, pageOf(cache, 'v7'), '/');
    cache.set('/b', 6, pageOf(cache, 'v6'), '/');
    assert.match(cache.fill(cache.get('/b', 7)!, 'T').toString(), /v7/);
  });

  test('stays within its byte bound however many URLs it is asked to keep, dropping the least recently used', () => {
    const maxBytes = 200_000;
    const cache = createPageCache(async () => ({ catalog: 0, stock: 0 }), { maxBytes });
    const body = 'x'.repeat(10_000);
    cache.set('/search?q=kept', 1, pageOf(cache, body), '/search');
    for (let i = 0; i < 500; i += 1) {
      cache.set(`/search?q=${i}`, 1, pageOf(cache, body), '/search');
      // Reading it keeps it recent.
      assert.ok(cache.get('/search?q=kept', 1));
      assert.ok(cache.stats().bytes <= maxBytes, `at most ${maxBytes} bytes after ${i + 1} pages`);
    }
    const { pages, bytes } = cache.stats();
    assert.ok(pages > 1 && pages <= maxBytes / body.length, `${pages} pages kept`);
    assert.ok(bytes > maxBytes / 2, 'the bound is used, not wasted');
    assert.equal(cache.get('/search?q=0', 1), undefined, 'the oldest unread page went first');
    assert.ok(cache.get('/search?q=499', 1));
  });
});
