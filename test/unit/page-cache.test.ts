import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createPageCache, stockTexts, type PageCacheSources } from '../../services/page-cache';

type Cache = ReturnType<typeof createPageCache>;

/** Sources with a fixed catalog stamp and the given books' stock. */
function sources(stamp: number | null = 1, stock: Record<number, number> = {}): PageCacheSources {
  return { readStamp: async () => stamp, readStock: async (id) => stock[id] };
}

const EMPTY = Buffer.alloc(0);
const noStock = { stock: EMPTY, stockLimit: EMPTY };

function pageOf(cache: Cache, body: string): string {
  return `<form><input name="_csrf" value="${cache.placeholder}"></form>${body}<input value="${cache.placeholder}">`;
}

/** Fillers with only a token: the visitor and flash slots left empty. */
const tokenOnly = (token: string) => ({ token: Buffer.from(token), visitor: EMPTY, flash: EMPTY, ...noStock });

/** A page with every kind of slot, as the layout and a catalog view put them. */
function slottedPageOf(cache: Cache, body: string): string {
  const { token, visitor, flash } = cache.markers;
  return `<nav>menu${visitor}</nav><main>${flash}${body}<input name="_csrf" value="${token}"></main>`;
}

describe('page cache store', () => {
  test('fills every placeholder with the token, and keeps nothing of it', () => {
    const cache = createPageCache(sources());
    cache.set('/a', 2, pageOf(cache, 'body'), '/');
    const page = cache.get('/a', 2)!;
    assert.equal(cache.fill(page, tokenOnly('T1')).toString(), '<form><input name="_csrf" value="T1"></form>body<input value="T1">');
    assert.equal(cache.fill(page, tokenOnly('T2')).toString(), '<form><input name="_csrf" value="T2"></form>body<input value="T2">');
  });

  test('fills each kind of slot with its own visitor\'s fragment, and stores none of them', () => {
    const cache = createPageCache(sources());
    const stored = cache.set('/c', 1, slottedPageOf(cache, 'body'), '/');
    assert.deepEqual(stored.slots, ['visitor', 'flash', 'token']);
    const page = cache.get('/c', 1)!;
    const ada = { token: Buffer.from('TA'), visitor: Buffer.from('<li>Ada</li>'), flash: Buffer.from('<p>Added</p>'), ...noStock };
    const bob = { token: Buffer.from('TB'), visitor: Buffer.from('<li>Bob</li>'), flash: EMPTY, ...noStock };
    assert.equal(cache.fill(page, ada).toString(), '<nav>menu<li>Ada</li></nav><main><p>Added</p>body<input name="_csrf" value="TA"></main>');
    assert.equal(cache.fill(page, bob).toString(), '<nav>menu<li>Bob</li></nav><main>body<input name="_csrf" value="TB"></main>');
    assert.equal(Buffer.concat(cache.pieces(page, ada)).toString(), cache.fill(page, ada).toString(), 'pieces are the page in order');
    assert.ok(cache.pieces(page, bob).every((piece) => piece.length > 0), 'an empty slot adds no piece');
  });

  test('a fragment rendered once carries each visitor\'s own token in its token slots', () => {
    const cache = createPageCache(sources());
    cache.set('/d', 1, slottedPageOf(cache, 'body'), '/');
    const page = cache.get('/d', 1)!;
    const nav = cache.fragment(`<form><input value="${cache.markers.token}"></form>${cache.markers.visitor}`);
    assert.deepEqual(nav.slots, ['token'], 'only token markers are cut in a fragment');
    const fillers = (token: string) => ({ token: Buffer.from(token), visitor: nav, flash: EMPTY, ...noStock });
    assert.equal(
      cache.fill(page, fillers('T1')).toString(),
      `<nav>menu<form><input value="T1"></form>${cache.markers.visitor}</nav><main>body<input name="_csrf" value="T1"></main>`,
    );
    assert.match(cache.fill(page, fillers('T2')).toString(), /<input value="T2">.*value="T2"/);
  });

  test('markers are random per cache: another cache\'s markers in a page are plain text', () => {
    const cache = createPageCache(sources());
    const other = createPageCache(sources());
    assert.notEqual(cache.markers.visitor, other.markers.visitor);
    const html = `a${other.markers.visitor}b${other.markers.token}c`;
    const page = cache.set('/e', 1, html, '/');
    assert.deepEqual(page.slots, []);
    assert.equal(cache.fill(page, tokenOnly('T')).toString(), html);
  });

  test('the version is the catalog stamp, and null (never cache) without its row', async () => {
    let stamp: number | null = 3;
    const cache = createPageCache({ readStamp: async () => stamp, readStock: async () => undefined });
    assert.equal(await cache.version(), 3);
    stamp = null;
    assert.equal(await cache.version(), null);
  });

  test('a page older than the current version is not served, and an older render does not replace a newer one', () => {
    const cache = createPageCache(sources());
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
    const cache = createPageCache(sources(), { maxBytes });
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

  test('stock slots show the count each response brings, and the quantity limit never past 99', () => {
    const cache = createPageCache(sources());
    const { stock, stockLimit } = cache.markers;
    const html = `<span data-stock="${stock}">${stock} in stock</span><input max="${stockLimit}">`;
    const page = cache.set('/books/7-dune', 1, html, '/books/:param', { bookId: 7, count: 12 });
    assert.deepEqual(page.stock, { bookId: 7, inStock: true });
    assert.deepEqual(page.slots, ['stock', 'stock', 'stockLimit']);
    const filled = (count: number) => cache.fill(page, { ...tokenOnly('T'), ...cache.stockFillers(count) }).toString();
    assert.equal(filled(12), '<span data-stock="12">12 in stock</span><input max="12">');
    assert.equal(filled(11), '<span data-stock="11">11 in stock</span><input max="11">', 'the same stored copy, another count');
    assert.equal(filled(250), '<span data-stock="250">250 in stock</span><input max="99">');
    assert.deepEqual(stockTexts(3), { stock: '3', stockLimit: '3' });
    assert.deepEqual(cache.stockFillers(null), noStock, 'a page without stock slots gets nothing for them');
  });

  test('a page with stock slots must say whose stock they show', () => {
    const cache = createPageCache(sources());
    assert.throws(() => cache.set('/x', 1, `<b>${cache.markers.stockLimit}</b>`, '/'), /needs the book/);
    assert.equal(cache.get('/x', 1), undefined, 'and is not stored');
    const plain = cache.set('/y', 1, '<b>no count here</b>', '/');
    assert.equal(plain.stock, null);
  });

  test('the current count fits a stored copy only while the book is as in or out of stock as when rendered', async () => {
    const counts: Record<number, number> = { 1: 5, 2: 0 };
    const cache = createPageCache({ readStamp: async () => 1, readStock: async (id) => counts[id] });
    const inStock = { bookId: 1, inStock: true };
    const soldOut = { bookId: 2, inStock: false };
    assert.equal(await cache.stockCount(inStock), 5);
    assert.equal(await cache.stockCount(soldOut), 0);
    counts[1] = 0;
    counts[2] = 4;
    assert.equal(await cache.stockCount(inStock), undefined, 'sold out since: render it again');
    assert.equal(await cache.stockCount(soldOut), undefined, 'back in stock since: render it again');
    assert.equal(await cache.stockCount({ bookId: 3, inStock: true }), undefined, 'no such book any more');
    const failing = createPageCache({ readStamp: async () => 1, readStock: async () => { throw new Error('database away'); } });
    await assert.rejects(failing.stockCount(inStock), /database away/);
  });
});
