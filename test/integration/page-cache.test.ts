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
    // Now the visitor has a cart (and a session): still the cached page, with its own badge and message.
    const withCart = await visitor.get(url).expect(200);
    assert.equal(cacheState(withCart), 'hit');
    assert.equal(badgeCount(withCart.text), 1);
    assert.match(withCart.text, /to your cart\./);
    assert.equal(csrfFrom(withCart.text), token, 'the same visitor keeps its token');
    // ...and what it saw was not stored for anyone else.
    const anonymous = await request(workerA.app).get(url).expect(200);
    assert.equal(cacheState(anonymous), 'hit');
    assert.equal(badgeCount(anonymous.text), 0);
    assert.doesNotMatch(anonymous.text, /to your cart\./);
  });

  test('a signed-in shopper is served from the cache with their own header, and nothing of theirs is stored', async () => {
    const { shopper } = await signedInShopper(workerA, 'Cache Reader');
    await shopper.agent.get('/').expect(200); // the welcome message, shown once
    const states: Array<string | undefined> = [];
    for (let i = 0; i < 2; i += 1) {
      const res = await shopper.agent.get('/gallery?page=2').expect(200);
      states.push(cacheState(res));
      assert.match(res.text, /Sign out/);
      assert.match(res.text, /Cache Reader/);
      assert.doesNotMatch(res.text, /href="\/login"/);
    }
    assert.deepEqual(states, ['miss', 'hit'], 'the shopper\'s own miss stored the page');
    const anonymous = await request(workerA.app).get('/gallery?page=2').expect(200);
    assert.equal(cacheState(anonymous), 'hit');
    assert.doesNotMatch(anonymous.text, /Sign out|Cache Reader|Welcome/);
    assert.match(anonymous.text, /href="\/login"/);
  });

  test('a flash message shows once, to its own visitor, on a cached page', async () => {
    const { book } = await someBook(5);
    await request(workerA.app).get('/?sort=after-add').expect(200);
    const visitor = new Shopper(workerA.app);
    await visitor.add(book.id, 1, { returnTo: '/?sort=after-add' }).expect(303);
    const flashed = await visitor.agent.get('/?sort=after-add').expect(200);
    assert.equal(cacheState(flashed), 'hit');
    assert.match(flashed.text, /<p class="flash flash-success" role="status">Added [^<]*to your cart\.<\/p>/);
    const next = await request(workerA.app).get('/?sort=after-add').expect(200);
    assert.equal(cacheState(next), 'hit');
    assert.doesNotMatch(next.text, /to your cart\./);
    // The flash is gone once shown.
    const again = await visitor.agent.get('/?sort=after-add').expect(200);
    assert.equal(cacheState(again), 'hit');
    assert.doesNotMatch(again.text, /to your cart\.|class="flash/);
    assert.equal(badgeCount(again.text), 1);
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

  test('a sale through worker A shows on worker B\'s cached book page at once: still a hit, with a new count and ETag', async () => {
    const fullRender = createApp({ config: { ...workerA.config, env: 'development' }, db: workerA.db, logger: createLogger(workerA.config) });
    const { book, url } = await someBook(3);
    await request(workerB).get(url).expect(200);
    // One browser, which keeps its CSRF cookie and so its token: its ETag changes only with the page.
    const visitor = request.agent(workerB);
    const before = await visitor.get(url).expect(200);
    assert.equal(cacheState(before), 'hit');
    const stock = stockShown(before.text);
    assert.ok(stock > 2, 'enough stock that the sale does not sell the book out');
    assert.match(before.text, new RegExp(`>${stock} in stock<`));
    await visitor.get(url).set('If-None-Match', before.headers.etag).expect(304);
    const stampsBefore = await stamps();

    const buyer = new Shopper(workerA.app);
    await buyer.add(book.id, 2).expect(303);
    await buyer.checkout().expect(303);

    const after = await visitor.get(url).set('If-None-Match', before.headers.etag).expect(200);
    assert.equal(cacheState(after), 'hit', 'the stored page was not thrown away');
    assert.equal(stockShown(after.text), stock - 2);
    assert.match(after.text, new RegExp(`>${stock - 2} in stock<`));
    assert.match(after.text, new RegExp(`name="quantity" value="1" min="1" max="${Math.min(stock - 2, 99)}"`));
    assert.notEqual(after.headers.etag, before.headers.etag, 'the ETag covers the count');
    await visitor.get(url).set('If-None-Match', after.headers.etag).expect(304);
    const full = await request(fullRender).get(url).expect(200);
    assert.equal(withoutToken(after.text), withoutToken(full.text), 'reads as a full render after the sale');
    assert.deepEqual(await stamps(), stampsBefore, 'no stamp moved: the menu, the featured books and every other page stay cached');
    const anonymous = await request(workerA.app).get(url).expect(200);
    assert.equal(stockShown(anonymous.text), stock - 2, 'on the worker that sold it too');
  });

  test('a sale that sells the book out renders its page again, with the out-of-stock button', async () => {
    const { book, url } = await someBook(13);
    await Book.update({ inventory: 2 }, { where: { id: book.id } });
    try {
      await request(workerB).get(url).expect(200);
      const before = await request(workerB).get(url).expect(200);
      assert.equal(cacheState(before), 'hit');
      assert.equal(stockShown(before.text), 2, 'a count changed behind the app\'s back shows too: it is read per response');
      const buyer = new Shopper(workerA.app);
      await buyer.add(book.id, 2).expect(303);
      await buyer.checkout().expect(303);
      const after = await request(workerB).get(url).expect(200);
      assert.equal(cacheState(after), 'miss', 'the catalog stamp moved');
      assert.match(after.text, /data-stock="0">Out of stock</);
      assert.doesNotMatch(after.text, /name="quantity"/);
      assert.equal(cacheState(await request(workerB).get(url).expect(200)), 'hit');
    } finally {
      await Book.update({ inventory: book.inventory }, { where: { id: book.id } });
      await workerA.db.writeTransaction((t) => bumpCatalogStamp(t));
    }
  });

  test('a book that sold out or came back behind the app\'s back is rendered again, never shown with the wrong button', async () => {
    const { book, url } = await someBook(14);
    const { book: other } = await someBook(15);
    const shopper = new Shopper(workerB);
    await shopper.add(other.id, 1).expect(303);
    await shopper.agent.get('/cart').expect(200); // the add's message, shown once
    try {
      await request(workerB).get(url).expect(200);
      await Book.update({ inventory: 0 }, { where: { id: book.id } });
      // With a session: the stored page has an add button, so it is rendered afresh (and stored).
      const soldOut = await shopper.agent.get(url).expect(200);
      assert.equal(cacheState(soldOut), 'miss');
      assert.match(soldOut.text, /data-stock="0">Out of stock</);
      assert.doesNotMatch(soldOut.text, /name="quantity"/);
      assert.equal(badgeCount(soldOut.text), 1);
      const stored = await request(workerB).get(url).expect(200);
      assert.equal(cacheState(stored), 'hit', 'the new render was stored');
      assert.match(stored.text, /data-stock="0">Out of stock</);

      await Book.update({ inventory: 3 }, { where: { id: book.id } });
      // Without a session: the stored page has no add button, so it is rendered afresh.
      const back = await request(workerB).get(url).expect(200);
      assert.equal(cacheState(back), 'miss');
      assert.match(back.text, /data-stock="3">3 in stock</);
      assert.match(back.text, /max="3"/);
      const again = await shopper.agent.get(url).expect(200);
      assert.equal(cacheState(again), 'hit');
      assert.match(again.text, /data-stock="3">3 in stock</);
    } finally {
      await Book.update({ inventory: book.inventory }, { where: { id: book.id } });
    }
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

/** Every CSRF token on a page: with a session, the header's sign-out form and each add-to-cart form carry one. */
const tokensIn = (html: string): string[] => [...html.matchAll(/name="_csrf" value="([^"]*)"/g)].map((match) => match[1]);

/** The cookies a browser holds, as it would send them. */
const cookieHeader = (shopper: Shopper): string =>
  shopper.agent.jar.getCookies({ domain: '127.0.0.1', path: '/', secure: false, script: false }).toValueString();

describe('page cache for visitors with a session', () => {
  test('two signed-in shoppers with different carts, interleaved, each see only their own name, badge, message and token', async () => {
    const { book, url } = await someBook(7);
    const { book: otherBook } = await someBook(8);
    // Stored by someone else first, so every page below is a hit put together per visitor.
    await request(workerA.app).get(url).expect(200);
    const ada = (await signedInShopper(workerA, '<b>Ada & "Co"</b>')).shopper;
    const bob = (await signedInShopper(workerA, 'Bob Builder')).shopper;
    await ada.add(book.id, 2).expect(303);
    await bob.add(otherBook.id, 3).expect(303);
    const adaToken = await ada.csrf();
    const bobToken = await bob.csrf();
    assert.notEqual(adaToken, bobToken);

    const expectAda = (html: string, withFlash: boolean) => {
      assert.match(html, /Sign out <span class="visually-hidden">&lt;b&gt;Ada &amp; &quot;Co&quot;&lt;\/b&gt;<\/span>/);
      assert.doesNotMatch(html, /<b>Ada|Bob Builder/);
      assert.equal(badgeCount(html), 2);
      assert.deepEqual([...new Set(tokensIn(html))], [adaToken]);
      assert.equal(/Added 2 copies/.test(html), withFlash);
      assert.doesNotMatch(html, /Added 3 copies/);
    };
    const expectBob = (html: string, withFlash: boolean) => {
      assert.match(html, /Sign out <span class="visually-hidden">Bob Builder<\/span>/);
      assert.doesNotMatch(html, /Ada/);
      assert.equal(badgeCount(html), 3);
      assert.deepEqual([...new Set(tokensIn(html))], [bobToken]);
      assert.equal(/Added 3 copies/.test(html), withFlash);
      assert.doesNotMatch(html, /Added 2 copies/);
    };
    // One after the other first, so which request shows each message is certain: the first only.
    for (const [shopper, expect, withFlash] of [[ada, expectAda, true], [bob, expectBob, true], [ada, expectAda, false], [bob, expectBob, false]] as const) {
      const res = await shopper.agent.get(url).expect(200);
      assert.equal(cacheState(res), 'hit');
      expect(res.text, withFlash);
    }
    // Then all at once.
    const pages = await Promise.all([ada, bob, ada, bob, ada, bob].map((shopper) => shopper.agent.get(url).expect(200)));
    pages.forEach((res, i) => {
      assert.equal(cacheState(res), 'hit');
      (i % 2 === 0 ? expectAda : expectBob)(res.text, false);
    });
    // Each token works with its own visitor's cookies only.
    await bob.agent.post('/cart/items').type('form').send({ _csrf: adaToken, bookId: String(book.id), quantity: '1' }).expect(403);
    await ada.agent.post('/cart/items').type('form').send({ _csrf: adaToken, bookId: String(book.id), quantity: '1' }).expect(303);
    // Anonymous visitors still get the page without any of it.
    const anonymous = await request(workerA.app).get(url).expect(200);
    assert.equal(cacheState(anonymous), 'hit');
    assert.doesNotMatch(anonymous.text, /Ada|Bob Builder|Sign out|Added \d/);
    assert.equal(badgeCount(anonymous.text), 0);
  });

  test('the Admin link only for admins', async () => {
    const { shopper } = await signedInShopper(workerA, 'Not An Admin');
    await request(workerA.app).get('/books?page=3').expect(200);
    const adminPage = await admin.agent.get('/books?page=3').expect(200);
    const shopperPage = await shopper.agent.get('/books?page=3').expect(200);
    const anonymous = await request(workerA.app).get('/books?page=3').expect(200);
    for (const res of [adminPage, shopperPage, anonymous]) assert.equal(cacheState(res), 'hit');
    assert.match(adminPage.text, /<a href="\/admin">Admin<\/a>/);
    assert.doesNotMatch(shopperPage.text, /href="\/admin"/);
    assert.doesNotMatch(anonymous.text, /href="\/admin"/);
  });

  test('HEAD with a session is answered from the cache, without a body', async () => {
    const { shopper } = await signedInShopper(workerA, 'Head Only');
    await request(workerA.app).get('/gallery').expect(200);
    const head = await shopper.agent.head('/gallery').expect(200);
    assert.equal(cacheState(head), 'hit');
    assert.match(head.headers['content-type'], /^text\/html/);
    assert.equal(head.text, undefined);
  });

  test('a returning shopper gets a 304 for the page it has, and the page once its own header changes', async () => {
    const { book } = await someBook(12);
    const { shopper } = await signedInShopper(workerA, 'Returning Reader');
    await shopper.agent.get('/').expect(200);
    await shopper.agent.get('/books?page=6').expect(200);
    const first = await shopper.agent.get('/books?page=6').expect(200);
    assert.equal(cacheState(first), 'hit');
    assert.match(first.headers.etag, /^W\//);
    await shopper.agent.get('/books?page=6').set('If-None-Match', first.headers.etag).expect(304);
    // Another shopper's page, and an anonymous one, never match it.
    const other = (await signedInShopper(workerA, 'Someone Else')).shopper;
    await other.agent.get('/').expect(200);
    const otherPage = await other.agent.get('/books?page=6').expect(200);
    assert.notEqual(otherPage.headers.etag, first.headers.etag);
    await other.agent.get('/books?page=6').set('If-None-Match', first.headers.etag).expect(200);
    // One more book in the cart: the badge changed, so the page is sent again.
    await shopper.add(book.id, 1).expect(303);
    await shopper.agent.get('/cart').expect(200);
    const changed = await shopper.agent.get('/books?page=6').set('If-None-Match', first.headers.etag).expect(200);
    assert.equal(badgeCount(changed.text), 1);
    assert.notEqual(changed.headers.etag, first.headers.etag);
  });

  test('a forged or stale session cookie gets the anonymous header, as the session layer says', async () => {
    await request(workerA.app).get('/category/classics?page=1').expect(200);
    const forged = await request(workerA.app).get('/category/classics?page=1').set('Cookie', 'epicbook.sid=s%3Aforged.notasignature').expect(200);
    const { shopper } = await signedInShopper(workerA, 'Gone Away');
    await shopper.agent.get('/').expect(200); // the welcome message, shown once
    const old = cookieHeader(shopper);
    await shopper.signOut();
    const stale = await request(workerA.app).get('/category/classics?page=1').set('Cookie', old).expect(200);
    for (const res of [forged, stale]) {
      assert.equal(cacheState(res), 'hit');
      assert.match(res.text, /href="\/login"/);
      assert.doesNotMatch(res.text, /Sign out|Gone Away|You are signed out/);
      assert.equal(badgeCount(res.text), 0);
    }
    assert.deepEqual(cookiesOf(forged), ['epicbook.csrf'], 'no session is made up for a forged cookie');
  });

  test('a shopper\'s own purchase shows on the book page they come back to', async () => {
    const { book, url } = await someBook(9);
    const buyer = new Shopper(workerA.app);
    await buyer.add(book.id, 1).expect(303);
    await buyer.agent.get('/cart').expect(200); // the add's message, shown once
    const before = await buyer.agent.get(url).expect(200);
    const stock = stockShown(before.text);
    assert.equal(cacheState((await buyer.agent.get(url).expect(200))), 'hit');
    await buyer.checkout().expect(303);
    const after = await buyer.agent.get(url).expect(200);
    assert.equal(cacheState(after), 'hit');
    assert.equal(stockShown(after.text), stock - 1);
    assert.equal(badgeCount(after.text), 0, 'the cart is empty after the order');
  });

  test('when the page locals fail, a stored page is still served, but a render is not stored', async () => {
    const { book } = await someBook(11);
    const visitor = new Shopper(workerA.app);
    await visitor.add(book.id, 1).expect(303);
    await request(workerA.app).get('/books?page=4').expect(200);
    // The cart badge's query fails: the locals fall back to an empty badge (see middleware/locals.ts).
    await workerA.db.sequelize.query('ALTER TABLE Carts RENAME TO CartsGone');
    try {
      const stored = await visitor.agent.get('/books?page=4').expect(200);
      assert.equal(cacheState(stored), 'hit');
      assert.equal(badgeCount(stored.text), 0);
      assert.match(stored.text, /href="\/category\/classics"/, 'with the stored menu');
      for (let i = 0; i < 2; i += 1) {
        const rendered = await visitor.agent.get('/books?page=5').expect(200);
        assert.equal(cacheState(rendered), undefined, 'rendered in full, and not stored');
      }
    } finally {
      await workerA.db.sequelize.query('ALTER TABLE CartsGone RENAME TO Carts');
    }
    assert.equal(cacheState(await request(workerA.app).get('/books?page=5').expect(200)), 'miss');
  });

  test('every catalog page from the cache reads exactly as a full render for the same visitor', async () => {
    // The same store in development: no page cache, every page rendered in full from the locals.
    const fullRender = createApp({ config: { ...workerA.config, env: 'development' }, db: workerA.db, logger: createLogger(workerA.config) });
    const { book, url } = await someBook(10);
    const { shopper } = await signedInShopper(workerA, 'Twin <Reader>');
    await shopper.add(book.id, 2).expect(303);
    await shopper.agent.get('/cart').expect(200);
    const sameTokens = (html: string) => html.replace(/name="_csrf" value="[^"]*"/g, 'name="_csrf" value="TOKEN"');
    for (const path of ['/', '/books?page=2', '/books?sort=price-desc', '/gallery', '/search?q=dragon', '/search', '/category/classics', url]) {
      // Stored for another visitor, so nothing of this shopper's can be in the stored copy.
      await request(workerA.app).get(path).expect(200);
      const cached = await shopper.agent.get(path).expect(200);
      assert.equal(cacheState(cached), 'hit', path);
      const full = await request(fullRender).get(path).set('Cookie', cookieHeader(shopper)).expect(200);
      assert.equal(cacheState(full), undefined);
      assert.match(full.text, /Twin &lt;Reader&gt;/);
      assert.equal(sameTokens(cached.text), sameTokens(full.text), `${path} reads the same`);
    }
  });
});
