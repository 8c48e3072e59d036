import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import request, { type Response } from 'supertest';
import type { Express } from 'express';
import { Op, QueryTypes } from 'sequelize';
import { Book } from '../../models';
import { createApp } from '../../app';
import { createLogger } from '../../logger';
import { bumpCatalogStamp } from '../../services/catalog-cache';
import { badgeCount, bookEditForm, csrfFrom, Shopper, signedInAdmin, signedInShopper, startTestApp, type TestApp } from '../helpers';

// Two apps on one database, each with its own page cache: two PM2 workers.
let workerA: TestApp;
let workerB: Express;
let admin: Shopper;

before(async () => {
  workerA = await startTestApp();
  workerB = createApp({ config: workerA.config, db: workerA.db, logger: createLogger(workerA.config) });
  admin = await signedInAdmin(workerA);
});
after(async () => workerA.close());

const cacheState = (res: Response): string | undefined => res.headers['x-page-cache'];

/** The page with its CSRF token blanked out: what every anonymous visitor must see alike. */
const withoutToken = (html: string): string => html.replaceAll(csrfFrom(html), 'TOKEN');

function cookiesOf(res: Response): string[] {
  const raw = res.headers['set-cookie'] as unknown as string[] | undefined;
  return (raw ?? []).map((cookie) => cookie.split('=')[0]);
}

/** A book with plenty in stock, with the address it is served at. */
async function someBook(offset = 0): Promise<{ book: Book; url: string }> {
  const books = await Book.findAll({ where: { removedAt: null, inventory: { [Op.gte]: 5 } }, order: [['id', 'ASC']], offset, limit: 1 });
  const book = books[0];
  const res = await request(workerA.app).get(`/books/${book.id}`).expect(301);
  return { book, url: res.headers.location };
}

const stockShown = (html: string): number => Number(/data-stock="(\d+)"/.exec(html)![1]);

async function stamps(): Promise<Record<string, number>> {
  const rows = await workerA.db.sequelize.query<{ name: string; version: number | string }>(
    'SELECT name, version FROM CacheStamps',
    { type: QueryTypes.SELECT },
  );
  return Object.fromEntries(rows.map((row) => [row.name, Number(row.version)]));
}


describe('page cache for anonymous visitors', () => {
  test('a second anonymous GET is a hit: the same page with its own token and cookie', async () => {
    const first = await request(workerA.app).get('/category/childrens-books').expect(200);
    const second = await request(workerA.app).get('/category/childrens-books').expect(200);
    assert.equal(cacheState(first), 'miss');
    assert.equal(cacheState(second), 'hit');
    assert.notEqual(csrfFrom(first.text), csrfFrom(second.text), 'each visitor gets a token of its own');
    assert.equal(withoutToken(second.text), withoutToken(first.text));
    assert.doesNotMatch(second.text, /csrf-[0-9a-f]{32}/, 'no placeholder left in the page');
    for (const res of [first, second]) {
      assert.match(res.headers['content-type'], /^text\/html; charset=utf-8$/);
      assert.deepEqual(cookiesOf(res), ['epicbook.csrf'], 'the CSRF cookie and nothing else');
      assert.ok(res.headers['content-security-policy'], 'helmet\'s headers on hits and misses');
    }
  });

  test('every catalog page is cached, and HEAD is answered from the cache', async () => {
    const { url } = await someBook();
    for (const path of ['/', '/books', '/books?page=2', '/gallery', '/search?q=dragon', '/search', url]) {
      await request(workerA.app).get(path).expect(200);
      const again = await request(workerA.app).get(path).expect(200);
      assert.equal(cacheState(again), 'hit', `${path} is served from the cache`);
    }
    const head = await request(workerA.app).head('/gallery').expect(200);
    assert.equal(cacheState(head), 'hit');
    assert.deepEqual(cookiesOf(head), ['epicbook.csrf']);
  });

  test('the token in a cached page works for a POST with that visitor\'s cookie, and only with it', async () => {
    const { book, url } = await someBook(1);
    await request(workerA.app).get(url).expect(200);
    const visitor = request.agent(workerA.app);
    const other = request.agent(workerA.app);
    const page = await visitor.get(url).expect(200);
    const otherPage = await other.get(url).expect(200);
    assert.equal(cacheState(page), 'hit');
    assert.equal(cacheState(otherPage), 'hit');
    const token = csrfFrom(page.text);
    assert.notEqual(token, csrfFrom(otherPage.text));
    // Another visitor's token does not pass with this visitor's cookie.
    await other.post('/cart/items').type('form').send({ _csrf: token, bookId: String(book.id), quantity: '1' }).expect(403);
    await visitor.post('/cart/items').type('form').send({ _csrf: token, bookId: String(book.id), quantity: '1', returnTo: url }).expect(303);
    // Now the visitor has a cart: never the cached page, and the badge counts the book.
    const withCart = await visitor.get(url).expect(200);
    assert.equal(cacheState(withCart), undefined);
    assert.equal(badgeCount(withCart.text), 1);
    // ...and what it saw was not stored for anyone else.
    const anonymous = await request(workerA.app).get(url).expect(200);
    assert.equal(cacheState(anonymous), 'hit');
    assert.equal(badgeCount(anonymous.text), 0);
  });

  test('a signed-in shopper is never served nor stored into the cache', async () => {
    const { shopper } = await signedInShopper(workerA, 'Cache Avoider');
    for (let i = 0; i < 2; i += 1) {
      const res = await shopper.agent.get('/gallery?page=2').expect(200);
      assert.equal(cacheState(res), undefined);
      assert.match(res.text, /Sign out/);
      assert.match(res.text, /Cache Avoider/);
    }
    const anonymous = await request(workerA.app).get('/gallery?page=2').expect(200);
    assert.equal(cacheState(anonymous), 'miss', 'the signed-in page was not stored');
    assert.doesNotMatch(anonymous.text, /Sign out|Cache Avoider/);
  });

  test('a flash message is never cached', async () => {
    const { shopper } = await signedInShopper(workerA, 'Flash Reader');
    await shopper.signOut();
    const flashed = await shopper.agent.get('/?sort=after-signout').expect(200);
    assert.match(flashed.text, /You are signed out\./);
    assert.equal(cacheState(flashed), undefined);
    const next = await request(workerA.app).get('/?sort=after-signout').expect(200);
    assert.equal(cacheState(next), 'miss');
    assert.doesNotMatch(next.text, /You are signed out\./);
    // The flash is gone once shown; sign-out ended the session too, so this browser is now an
    // anonymous visitor and gets the stored page, without the message.
    const again = await shopper.agent.get('/?sort=after-signout').expect(200);
    assert.equal(cacheState(again), 'hit');
    assert.doesNotMatch(again.text, /You are signed out\./);
    assert.equal(cacheState(await request(workerA.app).get('/?sort=after-signout').expect(200)), 'hit');
  });

  test('made-up query parameters are rendered for but never stored, so they cannot push pages out', async () => {
    for (let i = 0; i < 2; i += 1) {
      const odd = await request(workerA.app).get('/books?utm_source=mail&x=1').expect(200);
      assert.equal(cacheState(odd), undefined);
    }
    await request(workerA.app).get('/books?sort=price-asc&page=2').expect(200);
    assert.equal(cacheState(await request(workerA.app).get('/books?sort=price-asc&page=2').expect(200)), 'hit');
  });

  test('redirects and unknown pages are not cached', async () => {
    const { book, url } = await someBook(2);
    for (const path of [`/books/${book.id}`, `${url.replace(/-[^-]+$/, '-stale')}`]) {
      for (let i = 0; i < 2; i += 1) {
        const res = await request(workerA.app).get(path).expect(301);
        assert.equal(res.headers.location, url);
        assert.equal(cacheState(res), undefined);
      }
    }
    for (const path of ['/category/no-such-genre', '/books/99999999-nothing', '/books/not-a-book']) {
      for (let i = 0; i < 2; i += 1) {
        const res = await request(workerA.app).get(path).expect(404);
        assert.equal(cacheState(res), undefined);
      }
    }
  });

  test('a sale shows on the book page at once, and leaves the menu cache alone', async () => {
    const { book, url } = await someBook(3);
    await request(workerB).get(url).expect(200);
    const before = await request(workerB).get(url).expect(200);
    assert.equal(cacheState(before), 'hit');
    const stock = stockShown(before.text);
    assert.ok(stock > 2, 'enough stock that the sale does not sell the book out');
    const stampsBefore = await stamps();

    const buyer = new Shopper(workerA.app);
    await buyer.add(book.id, 2).expect(303);
    await buyer.checkout().expect(303);

    const after = await request(workerB).get(url).expect(200);
    assert.equal(cacheState(after), 'miss');
    assert.equal(stockShown(after.text), stock - 2);
    const stampsAfter = await stamps();
    assert.equal(stampsAfter.stock, stampsBefore.stock + 1, 'the sale bumped the stock stamp');
    assert.equal(stampsAfter.catalog, stampsBefore.catalog, 'but not the catalog stamp: nothing sold out');
  });

  test('an admin\'s stock, price and title changes through worker A show on worker B at once', async () => {
    const { book, url } = await someBook(4);
    await request(workerB).get(url).expect(200);
    const before = await request(workerB).get(url).expect(200);
    assert.equal(cacheState(before), 'hit');
    const stock = stockShown(before.text);

    await admin.post(`/admin/books/${book.id}/stock`, { change: '5', reason: 'Delivery' }).expect(303);
    const restocked = await request(workerB).get(url).expect(200);
    assert.equal(stockShown(restocked.text), stock + 5);

    const current = (await Book.findByPk(book.id))!;
    await admin.post(`/admin/books/${book.id}`, bookEditForm(current, { price: '77.70' })).expect(303);
    const repriced = await request(workerB).get(url).expect(200);
    assert.match(repriced.text, /\$77\.70/);

    await admin.post(`/admin/books/${book.id}`, bookEditForm(current, { price: '77.70', title: 'Retitled While Cached' })).expect(303);
    const renamed = await request(workerB).get(`/books/${book.id}`).expect(301);
    assert.match(renamed.headers.location, /retitled-while-cached$/);
    await request(workerB).get(url).expect(301);
    const page = await request(workerB).get(renamed.headers.location).expect(200);
    assert.match(page.text, /Retitled While Cached/);
    const found = await request(workerB).get('/search?q=retitled+while+cached').expect(200);
    assert.match(found.text, /Retitled While Cached/);
  });

  test('the pages really are cached: a write behind the app\'s back shows only once a stamp moves', async () => {
    const { book, url } = await someBook(6);
    await request(workerB).get(url).expect(200);
    await Book.update({ bookDescription: 'Changed behind the app.' }, { where: { id: book.id } });
    try {
      const stale = await request(workerB).get(url).expect(200);
      assert.equal(cacheState(stale), 'hit');
      assert.doesNotMatch(stale.text, /Changed behind the app\./);
      await workerA.db.writeTransaction((t) => bumpCatalogStamp(t));
      assert.match((await request(workerB).get(url).expect(200)).text, /Changed behind the app\./);
    } finally {
      await Book.update({ bookDescription: book.bookDescription }, { where: { id: book.id } });
      await workerA.db.writeTransaction((t) => bumpCatalogStamp(t));
    }
  });

  test('a JSON client is not answered from the cache', async () => {
    await request(workerA.app).get('/books').expect(200);
    const res = await request(workerA.app).get('/books').set('Accept', 'application/json');
    assert.equal(cacheState(res), undefined);
  });
});
