import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createPageCache } from '../../services/page-cache';
import type { Stamps } from '../../services/catalog-cache';

type Cache = ReturnType<typeof createPageCache>;

function pageOf(cache: Cache, body: string): string {
  return `<form><input name="_csrf" value="${cache.placeholder}"></form>${body}<input value="${cache.placeholder}">`;
}

/** Fillers with only a token: the visitor and flash slots left empty. */
const tokenOnly = (token: string) => ({ token: Buffer.from(token), visitor: Buffer.alloc(0), flash: Buffer.alloc(0) });

/** A page with every kind of slot, as the layout and a catalog view put them. */
function slottedPageOf(cache: Cache, body: string): string {
  const { token, visitor, flash } = cache.markers;
  return `<nav>menu${visitor}</nav><main>${flash}${body}<input name="_csrf" value="${token}"></main>`;
}

describe('page cache store', () => {
  test('fills every placeholder with the token, and keeps nothing of it', () => {
    const cache = createPageCache(async () => ({ catalog: 1, stock: 1 }));
    cache.set('/a', 2, pageOf(cache, 'body'), '/');
    const page = cache.get('/a', 2)!;
    assert.equal(cache.fill(page, tokenOnly('T1')).toString(), '<form><input name="_csrf" value="T1"></form>body<input value="T1">');
    assert.equal(cache.fill(page, tokenOnly('T2')).toString(), '<form><input name="_csrf" value="T2"></form>body<input value="T2">');
  });

  test('fills each kind of slot with its own visitor\'s fragment, and stores none of them', () => {
    const cache = createPageCache(async () => ({ catalog: 1, stock: 1 }));
    const stored = cache.set('/c', 1, slottedPageOf(cache, 'body'), '/');
    assert.deepEqual(stored.slots, ['visitor', 'flash', 'token']);
    const page = cache.get('/c', 1)!;
    const ada = { token: Buffer.from('TA'), visitor: Buffer.from('<li>Ada</li>'), flash: Buffer.from('<p>Added</p>') };
    const bob = { token: Buffer.from('TB'), visitor: Buffer.from('<li>Bob</li>'), flash: Buffer.alloc(0) };
    assert.equal(cache.fill(page, ada).toString(), '<nav>menu<li>Ada</li></nav><main><p>Added</p>body<input name="_csrf" value="TA"></main>');
    assert.equal(cache.fill(page, bob).toString(), '<nav>menu<li>Bob</li></nav><main>body<input name="_csrf" value="TB"></main>');
    assert.equal(Buffer.concat(cache.pieces(page, ada)).toString(), cache.fill(page, ada).toString(), 'pieces are the page in order');
    assert.ok(cache.pieces(page, bob).every((piece) => piece.length > 0), 'an empty slot adds no piece');
  });

  test('a fragment rendered once carries each visitor\'s own token in its token slots', () => {
    const cache = createPageCache(async () => ({ catalog: 1, stock: 1 }));
    cache.set('/d', 1, slottedPageOf(cache, 'body'), '/');
    const page = cache.get('/d', 1)!;
    const nav = cache.fragment(`<form><input value="${cache.markers.token}"></form>${cache.markers.visitor}`);
    assert.deepEqual(nav.slots, ['token'], 'only token markers are cut in a fragment');
    const fillers = (token: string) => ({ token: Buffer.from(token), visitor: nav, flash: Buffer.alloc(0) });
    assert.equal(
      cache.fill(page, fillers('T1')).toString(),
      `<nav>menu<form><input value="T1"></form>${cache.markers.visitor}</nav><main>body<input name="_csrf" value="T1"></main>`,
    );
    assert.match(cache.fill(page, fillers('T2')).toString(), /<input value="T2">.*value="T2"/);
  });

  test('markers are random per cache: another cache\'s markers in a page are plain text', () => {
    const cache = createPageCache(async () => ({ catalog: 1, stock: 1 }));
    const other = createPageCache(async () => ({ catalog: 1, stock: 1 }));
    assert.notEqual(cache.markers.visitor, other.markers.visitor);
    const html = `a${other.markers.visitor}b${other.markers.token}c`;
    const page = cache.set('/e', 1, html, '/');
    assert.deepEqual(page.slots, []);
    assert.equal(cache.fill(page, tokenOnly('T')).toString(), html);
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
    assert.match(cache.fill(cache.get('/b', 7)!, tokenOnly('T')).toString(), /v7/);
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
