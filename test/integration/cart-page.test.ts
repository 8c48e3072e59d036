import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Express } from 'express';
import request, { type Response } from 'supertest';
import { sign } from 'cookie-signature';
import { createApp } from '../../app';
import { createLogger } from '../../logger';
import { Book } from '../../models';
import { bumpCatalog } from '../../services/catalog-cache';
import { FLASH_COOKIE, sealFlash } from '../../middleware/flash';
import { SESSION_COOKIE } from '../../middleware/session';
import { csrfFrom, startTestApp, type TestApp } from '../helpers';
import { asBytes, bytesOf, guestThrough, headersOf, Jar, outcomeCount } from '../early-answers';

// A guest's GET /cart is answered before the middleware chain (middleware/cart-page.ts). Each test
// asks the app with that early answer and a second app on the same database without it the same
// thing, with the same cookies, and the two answers must be the same bytes: status, headers in their
// order (but the request id and the date) and body. The store's own counter says who answered.

let t: TestApp;
/** The same store without the early answer: every request goes down the chain. */
let chain: Express;

before(async () => {
  t = await startTestApp();
  chain = createApp({ config: t.config, db: t.db, logger: createLogger(t.config), earlyCartPage: false });
});
after(async () => t.close());

/** A guest with a session and `books` in its cart (one copy each unless said), and a valid CSRF cookie. */
async function guestWith(books: Array<[bookId: number, quantity?: number]>): Promise<Jar> {
  return (await guestThrough(chain, t.config.sessionSecret, books)).jar;
}

type Outcome = 'early' | 'chain' | 'error';

/** The early-answer counter of the app with it (GET /metrics). */
async function outcomes(): Promise<Record<Outcome, number>> {
  const text = (await request(t.app).get('/metrics').expect(200)).text;
  const count = (outcome: Outcome) => outcomeCount(text, 'epicbook_early_cart_pages_total', outcome);
  return { early: count('early'), chain: count('chain'), error: count('error') };
}

interface Ask {
  path?: string;
  method?: 'get' | 'head';
  headers?: Record<string, string>;
  /** Puts the database back as it was before each of the two requests (a chain's answer may write). */
  reset?: () => Promise<void>;
  /** For what differs by the time it is made (a renewed cookie's expiry, an error page's reference). */
  normalise?: (name: string, value: string) => string;
  normaliseBody?: (body: string) => string;
}

/**
 * Asks both apps the same and checks that the answers are the same bytes; resolves to the early
 * app's answer and how its counter moved.
 */
async function compare(cookie: string, ask: Ask = {}): Promise<{ res: Response; moved: Record<Outcome, number> }> {
  const { path = '/cart', method = 'get', headers = {}, reset, normaliseBody = (b) => b } = ask;
  // A body that differs (an error page's reference) has an ETag that differs with it.
  const normalise = ask.normaliseBody
    ? (name: string, value: string) => (name === 'etag' ? 'ETAG' : (ask.normalise ?? ((_n, v) => v))(name, value))
    : ask.normalise ?? ((_n: string, v: string) => v);
  const send = async (app: Express) => {
    await reset?.();
    let req = asBytes(request(app)[method](path).set('Cookie', cookie));
    for (const [name, value] of Object.entries(headers)) req = req.set(name, value);
    return req;
  };
  const before = await outcomes();
  const early = await send(t.app);
  const after = await outcomes();
  const full = await send(chain);
  assert.equal(early.status, full.status, 'status');
  assert.deepEqual(headersOf(early, normalise), headersOf(full, normalise), 'headers, in order');
  assert.equal(normaliseBody(bytesOf(early).toString('utf8')), normaliseBody(bytesOf(full).toString('utf8')), 'body');
  if (!ask.normaliseBody) assert.ok(bytesOf(early).equals(bytesOf(full)), 'body bytes');
  const moved = { early: after.early - before.early, chain: after.chain - before.chain, error: after.error - before.error };
  return { res: early, moved };
}

const ANSWERED_EARLY = { early: 1, chain: 0, error: 0 };
const LEFT_TO_CHAIN = { early: 0, chain: 1, error: 0 };
const NOT_LOOKED_AT = { early: 0, chain: 0, error: 0 };

const withFlash = (jar: Jar, flash: boolean, message = 'Added “Dune” & <b>more</b> to your cart.'): string =>
  flash ? `${jar.header()}; ${FLASH_COOKIE}=${encodeURIComponent(sealFlash(t.config.sessionSecret, { type: 'success', message }))}` : jar.header();

describe('a guest\'s cart page answered early', () => {
  for (const flash of [false, true]) {
    const what = flash ? 'with a message' : 'without a message';

    test(`a cart with lines, ${what}: the chain's answer, byte for byte`, async () => {
      const jar = await guestWith([[3, 2], [7], [12]]);
      const { res, moved } = await compare(withFlash(jar, flash));
      assert.deepEqual(moved, ANSWERED_EARLY);
      assert.equal(res.status, 200);
      assert.match(res.text ?? (res.body as Buffer).toString(), /Subtotal \(4 items\)/);
      assert.equal(/class="flash flash-success"/.test((res.body as Buffer).toString()), flash);
      if (flash) assert.match((res.body as Buffer).toString(), /&amp; &lt;b&gt;more&lt;\/b&gt;/, 'the message escaped');
    });

    test(`an empty cart, ${what}`, async () => {
      const jar = await guestWith([[5]]);
      const page = await request(chain).get('/cart').set('Cookie', jar.header()).expect(200);
      jar.keep(await request(chain).post('/cart/items/5/delete').set('Cookie', jar.header()).type('form').send({ _csrf: csrfFrom(page.text) }).expect(303));
      const { res, moved } = await compare(withFlash(jar, flash, 'The book was removed from your cart.'), { headers: {} });
      assert.deepEqual(moved, ANSWERED_EARLY);
      assert.match((res.body as Buffer).toString(), /Your cart is empty\./);
      assert.match((res.body as Buffer).toString(), /data-cart-count="0"/);
    });

    test(`a line over the stock, ${what}`, async () => {
      const book = (await Book.findByPk(9))!;
      const stock = book.inventory;
      await book.update({ inventory: 10 });
      try {
        const jar = await guestWith([[9, 3], [10]]);
        await book.update({ inventory: 1 });
        const { res, moved } = await compare(withFlash(jar, flash));
        assert.deepEqual(moved, ANSWERED_EARLY);
        assert.match((res.body as Buffer).toString(), /Some books have fewer copies in stock/);
        assert.match((res.body as Buffer).toString(), /Only 1 in stock/);
      } finally {
        await book.update({ inventory: stock });
      }
    });
  }

  test('a change to the category menu reaches the early page at once, as it reaches the chain\'s', async () => {
    const jar = await guestWith([[2]]);
    assert.deepEqual((await compare(jar.header())).moved, ANSWERED_EARLY, 'the layout is stored with today\'s menu');
    const book = (await Book.findByPk(2))!;
    const genre = book.genre;
    await book.update({ genre: 'Zeta Test Poems' });
    await t.db.sqlWriteTransaction((sql) => bumpCatalog(sql));
    try {
      const { res, moved } = await compare(jar.header());
      assert.deepEqual(moved, ANSWERED_EARLY);
      assert.match((res.body as Buffer).toString(), /Zeta Test Poems/);
    } finally {
      await book.update({ genre });
      await t.db.sqlWriteTransaction((sql) => bumpCatalog(sql));
    }
  });

  test('the badge shows the lines the page lists, also when the stored total disagrees (an edit behind the app\'s back)', async () => {
    const jar = await guestWith([[14, 2]]);
    const sid = jar.sid();
    const [row] = await t.db.sql().all<{ data: string }>('SELECT data FROM Sessions WHERE sid = ?', [sid]);
    const { visitorKey } = JSON.parse(row.data) as { visitorKey: string };
    await t.db.sql().run("UPDATE Carts SET totalQuantity = 97 WHERE ownerKey = ? AND status = 'open'", [visitorKey]);
    const { res, moved } = await compare(jar.header());
    assert.deepEqual(moved, ANSWERED_EARLY);
    assert.match((res.body as Buffer).toString(), /data-cart-count="2"/);
    assert.match((res.body as Buffer).toString(), /Subtotal \(2 items\)/);
  });

  test('a message cookie that is not the store\'s shows nothing and is cleared, as by the chain', async () => {
    const jar = await guestWith([[4]]);
    const forged = sealFlash('another secret entirely', { type: 'error', message: 'Call 555-0100' });
    const { res, moved } = await compare(`${jar.header()}; ${FLASH_COOKIE}=${encodeURIComponent(forged)}`);
    assert.deepEqual(moved, ANSWERED_EARLY);
    assert.doesNotMatch((res.body as Buffer).toString(), /555-0100/);
    assert.ok(headersOf(res, (_n, v) => v).some(([name, value]) => name === 'set-cookie' && value.startsWith(`${FLASH_COOKIE}=;`)));
  });

  test('HEAD, a conditional GET (304) and one over HTTPS through the proxy', async () => {
    const jar = await guestWith([[2]]);
    const head = await compare(jar.header(), { method: 'head' });
    assert.deepEqual(head.moved, ANSWERED_EARLY);
    assert.ok(!Buffer.isBuffer(head.res.body) || head.res.body.length === 0, "no body");
    const etag = (await request(t.app).get('/cart').set('Cookie', jar.header()).expect(200)).headers.etag;
    assert.match(etag, /^W\/"/);
    const fresh = await compare(jar.header(), { headers: { 'If-None-Match': etag } });
    assert.equal(fresh.res.status, 304);
    assert.deepEqual(fresh.moved, ANSWERED_EARLY);
    const secure = await compare(jar.header(), { headers: { 'X-Forwarded-Proto': 'https' } });
    assert.deepEqual(secure.moved, ANSWERED_EARLY);
    assert.ok(headersOf(secure.res, (_n, v) => v).some(([name, value]) => name === 'set-cookie' && /; Secure;/.test(value)));
  });

  test('a guest without a CSRF cookie gets a new token, in the page and in the cookie, as from the chain', async () => {
    const jar = await guestWith([[6]]);
    const res = await request(t.app).get('/cart').set('Cookie', jar.header(['epicbook.csrf'])).expect(200);
    const cookie = ((res.headers['set-cookie'] as unknown as string[])).find((line) => line.startsWith('epicbook.csrf='))!;
    assert.equal(cookie.replace(/=[^;]*/, '=VALUE'), 'epicbook.csrf=VALUE; Path=/; HttpOnly; SameSite=Lax');
    const token = /^epicbook\.csrf=([^;]*)/.exec(cookie)![1];
    assert.equal(csrfFrom(res.text), token);
    // The token works for the next form post.
    await request(t.app).post('/cart/items/6').set('Cookie', `${jar.header(['epicbook.csrf'])}; epicbook.csrf=${token}`).type('form')
      .send({ _csrf: token, quantity: '2' }).expect(303);
  });
});

describe('what the early answer leaves to the chain, answered as the chain answers it', () => {
  test('a tampered session cookie', async () => {
    const jar = await guestWith([[1]]);
    const value = decodeURIComponent(jar.get(SESSION_COOKIE)!);
    const tampered = `${value.slice(0, -3)}${value.endsWith('AAA') ? 'BBB' : 'AAA'}`;
    const { res, moved } = await compare(`${jar.header([SESSION_COOKIE])}; ${SESSION_COOKIE}=${encodeURIComponent(tampered)}`);
    assert.deepEqual(moved, LEFT_TO_CHAIN);
    assert.match((res.body as Buffer).toString(), /Your cart is empty\./);
    // Another session's id under a genuine signature of another secret, and an unsigned id.
    const other = `s:${sign(jar.sid(), 'not the secret')}`;
    assert.deepEqual((await compare(`${jar.header([SESSION_COOKIE])}; ${SESSION_COOKIE}=${encodeURIComponent(other)}`)).moved, LEFT_TO_CHAIN);
    assert.deepEqual((await compare(`${jar.header([SESSION_COOKIE])}; ${SESSION_COOKIE}=${jar.sid()}`)).moved, LEFT_TO_CHAIN);
  });

  test('an expired session, and one with no row', async () => {
    const jar = await guestWith([[2]]);
    const sid = jar.sid();
    await t.db.sql().run('UPDATE Sessions SET expires = ? WHERE sid = ?', [new Date(Date.now() - 1000), sid]);
    const { res, moved } = await compare(jar.header());
    assert.deepEqual(moved, LEFT_TO_CHAIN);
    assert.match((res.body as Buffer).toString(), /Your cart is empty\./);
    await t.db.sql().run('DELETE FROM Sessions WHERE sid = ?', [sid]);
    assert.deepEqual((await compare(jar.header())).moved, LEFT_TO_CHAIN);
  });

  test('a signed-in shopper\'s session', async () => {
    const jar = await guestWith([[3]]);
    const form = jar.keep(await request(chain).get('/register').set('Cookie', jar.header()).expect(200));
    jar.keep(await request(chain).post('/register').set('Cookie', jar.header()).type('form').send({
      _csrf: csrfFrom(form.text), name: 'Ada Lovelace', email: `ada-${process.pid}@example.com`, password: 'correct-horse-battery',
    }).expect(303));
    // The token is bound to the account from now on: the next page hands out one, kept for both apps.
    jar.keep(await request(chain).get('/books?page=2').set('Cookie', jar.header()).expect(200));
    const { res, moved } = await compare(jar.header());
    assert.deepEqual(moved, LEFT_TO_CHAIN);
    assert.match((res.body as Buffer).toString(), /Sign out/);
    assert.match((res.body as Buffer).toString(), /Subtotal \(1 item\)/);
  });

  test('a session due for renewal (the chain writes it and sends its cookie again)', async () => {
    const jar = await guestWith([[8]]);
    const sid = jar.sid();
    const [row] = await t.db.sql().all<{ data: string }>('SELECT data FROM Sessions WHERE sid = ?', [sid]);
    const data = JSON.parse(row.data) as { cookie: { expires: string } };
    const soon = new Date(Date.now() + t.config.sessionMaxAgeMs / 4);
    data.cookie.expires = soon.toISOString();
    const reset = async () => {
      await t.db.sql().run('UPDATE Sessions SET expires = ?, data = ? WHERE sid = ?', [soon, JSON.stringify(data), sid]);
    };
    // The renewed cookie's expiry is a second apart at most between the two answers.
    const normalise = (name: string, value: string) => (name === 'set-cookie' ? value.replace(/Expires=[^;]*/, 'Expires=WHEN') : value);
    const { res, moved } = await compare(jar.header(), { reset, normalise });
    assert.deepEqual(moved, LEFT_TO_CHAIN);
    assert.ok(headersOf(res, (_n, v) => v).some(([name, value]) => name === 'set-cookie' && value.startsWith(`${SESSION_COOKIE}=`)), 'renewed');
  });

  test('a failed read: the chain answers with its error page', async () => {
    const jar = await guestWith([[11]]);
    await t.db.sequelize.query('ALTER TABLE Cartbooks RENAME TO CartbooksAway');
    try {
      const reference = (body: string) => body.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, 'REFERENCE');
      const { res, moved } = await compare(jar.header(), { normaliseBody: reference });
      assert.deepEqual(moved, { early: 0, chain: 0, error: 1 });
      assert.ok(res.status >= 500, `an error page (${res.status})`);
    } finally {
      await t.db.sequelize.query('ALTER TABLE CartbooksAway RENAME TO Cartbooks');
    }
    assert.deepEqual((await compare(jar.header())).moved, ANSWERED_EARLY, 'answered early again once the table is back');
  });

  test('a query string, another spelling of the path, or a client that wants JSON', async () => {
    const jar = await guestWith([[13]]);
    for (const path of ['/cart?x=1', '/cart?page=2', '/cart/', '/CART']) {
      const { res, moved } = await compare(jar.header(), { path });
      assert.deepEqual(moved, NOT_LOOKED_AT, path);
      assert.equal(res.status, 200, path);
    }
    const json = await compare(jar.header(), { headers: { Accept: 'application/json' } });
    assert.deepEqual(json.moved, NOT_LOOKED_AT);
  });

  test('a visitor without a session cookie', async () => {
    const jar = await guestWith([]);
    const { res, moved } = await compare(jar.header());
    assert.deepEqual(moved, NOT_LOOKED_AT);
    assert.match((res.body as Buffer).toString(), /Your cart is empty\./);
  });
});
