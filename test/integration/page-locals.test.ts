import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import request, { type Response } from 'supertest';
import { setStatementHook } from '../../db/sql';
import { Shopper, badgeCount, csrfFrom, startTestApp, type TestApp } from '../helpers';

// The page locals (middleware/locals.ts) are loaded only for a page that is rendered: the cart
// badge's query, the menu (which reads the catalog stamp) and the CSRF token and its cookie.

let t: TestApp;
before(async () => {
  t = await startTestApp();
});
after(async () => t.close());
afterEach(() => setStatementHook(null));

// The badge's read (services/cart.ts cartCount, batched across requests).
const BADGE = /^SELECT id, ownerKey, totalQuantity FROM Carts WHERE ownerKey IN/;
const MENU_STAMP = /^SELECT version FROM CacheStamps/;

/** Records the text of every plain-SQL statement run from now on. */
function recordStatements(): string[] {
  const seen: string[] = [];
  setStatementHook((text) => seen.push(text.trim()));
  return seen;
}

const setsCookie = (res: Response, name: string) =>
  ((res.headers['set-cookie'] as unknown as string[] | undefined) ?? []).some((cookie) => cookie.startsWith(`${name}=`));

/** The item count the cart page's subtotal line states. */
function listedCount(html: string): number {
  const match = /Subtotal \((\d+) items?\)/.exec(html);
  if (!match) throw new Error('no subtotal on the cart page');
  return Number(match[1]);
}

/** Whether the page carries the category menu. */
const hasMenu = (html: string) => /href="\/category\/classics"/.test(html);

/** A shopper with `copies` of book 3 in the cart, the add's message already shown. */
async function shopperWithCart(copies: number): Promise<Shopper> {
  const shopper = new Shopper(t.app);
  await shopper.add(3, copies).expect(303);
  await shopper.agent.get('/cart').expect(200);
  return shopper;
}

describe('a request that only redirects', () => {
  test('a cart change runs neither the badge\'s query nor the menu\'s, and sets no CSRF cookie', async () => {
    const shopper = await shopperWithCart(1);
    const seen = recordStatements();
    const changed = await shopper.post('/cart/items/3', { quantity: 2 }).expect(303);
    setStatementHook(null);
    assert.ok(seen.length > 0, 'the change itself ran');
    assert.deepEqual(seen.filter((text) => BADGE.test(text) || MENU_STAMP.test(text)), []);
    assert.equal(setsCookie(changed, 'epicbook.csrf'), false);
    assert.equal(setsCookie(changed, 'epicbook.flash'), true, 'the message for the next page');
    // The page it leads to has all of it: badge, menu, message, and a token that works.
    const cart = await shopper.agent.get('/cart').expect(200);
    assert.equal(badgeCount(cart.text), 2);
    assert.ok(hasMenu(cart.text));
    assert.match(cart.text, /Your cart is updated\./);
    await shopper.post('/cart/items/3', { quantity: 1 }).expect(303);
  });

  test('the first add, which starts the session, reads no locals either', async () => {
    const shopper = new Shopper(t.app);
    await shopper.csrf();
    const seen = recordStatements();
    await shopper.add(4, 1).expect(303);
    setStatementHook(null);
    assert.deepEqual(seen.filter((text) => BADGE.test(text) || MENU_STAMP.test(text)), []);
  });

  test('a message the request brought is still used up, as before, even though nothing is rendered', async () => {
    const shopper = new Shopper(t.app);
    await shopper.add(3, 1).expect(303); // leaves "Added …" for the next page
    const changed = await shopper.post('/cart/items/3', { quantity: 2 }).expect(303);
    // Replaced by this change's message, not sent twice.
    const flashCookies = ((changed.headers['set-cookie'] as unknown as string[]) ?? []).filter((c) => c.startsWith('epicbook.flash='));
    assert.equal(flashCookies.length, 1);
    const cart = await shopper.agent.get('/cart').expect(200);
    assert.match(cart.text, /Your cart is updated\./);
    assert.doesNotMatch(cart.text, /Added /);
  });
});

describe('pages that know the count', () => {
  test('the cart page\'s badge is the count it lists, with no badge query', async () => {
    const shopper = await shopperWithCart(3);
    await shopper.add(5, 2).expect(303);
    const seen = recordStatements();
    const cart = await shopper.agent.get('/cart').expect(200);
    setStatementHook(null);
    assert.equal(listedCount(cart.text), 5);
    assert.equal(badgeCount(cart.text), 5);
    assert.deepEqual(seen.filter((text) => BADGE.test(text)), []);
    assert.ok(hasMenu(cart.text));
    csrfFrom(cart.text);
  });

  test('an empty cart page shows 0 on the badge', async () => {
    const cart = await request(t.app).get('/cart').expect(200);
    assert.equal(badgeCount(cart.text), 0);
    assert.ok(hasMenu(cart.text));
  });

  test('the checkout page\'s badge is the count of the cart it shows, with no badge query', async () => {
    const shopper = await shopperWithCart(2);
    const seen = recordStatements();
    const page = await shopper.agent.get('/checkout').expect(200);
    setStatementHook(null);
    assert.equal(badgeCount(page.text), 2);
    assert.deepEqual(seen.filter((text) => BADGE.test(text)), []);
  });

  test('a page that does not know the count reads it', async () => {
    const shopper = await shopperWithCart(4);
    const seen = recordStatements();
    const page = await shopper.agent.get('/login').expect(200);
    setStatementHook(null);
    assert.equal(badgeCount(page.text), 4);
    assert.equal(seen.filter((text) => BADGE.test(text)).length, 1);
    assert.ok(hasMenu(page.text));
  });
});

describe('error pages', () => {
  test('a 404 page has the visitor\'s badge, the menu and a token', async () => {
    const shopper = await shopperWithCart(2);
    const page = await shopper.agent.get('/no-such-page').expect(404);
    assert.equal(badgeCount(page.text), 2);
    assert.ok(hasMenu(page.text));
  });

  test('a refused form (bad CSRF token) answers 403 with the badge and menu, and a fresh token to retry with', async () => {
    const shopper = await shopperWithCart(1);
    const page = await shopper.agent.post('/cart/items/3').type('form').send({ _csrf: 'forged', quantity: '2' }).expect(403);
    assert.equal(badgeCount(page.text), 1);
    assert.ok(hasMenu(page.text));
    assert.ok(setsCookie(page, 'epicbook.csrf'));
    const cart = await shopper.agent.get('/cart').expect(200);
    assert.equal(badgeCount(cart.text), 1, 'nothing changed');
  });

  test('a refused change (more than the stock) answers with the badge and menu', async () => {
    const shopper = await shopperWithCart(1);
    const page = await shopper.post('/cart/items/3', { quantity: 100000 });
    assert.ok(page.status >= 400 && page.status < 500, `answered ${page.status}`);
    assert.equal(badgeCount(page.text), 1);
    assert.ok(hasMenu(page.text));
  });

  test('when the locals cannot be loaded, the page still renders with an empty badge and menu', async () => {
    const shopper = await shopperWithCart(2);
    setStatementHook((text) => {
      if (BADGE.test(text)) throw new Error('the badge query failed');
    });
    const notFound = await shopper.agent.get('/no-such-page').expect(404);
    assert.equal(badgeCount(notFound.text), 0);
    assert.equal(hasMenu(notFound.text), false);
    const login = await shopper.agent.get('/login').expect(200);
    assert.equal(badgeCount(login.text), 0);
    csrfFrom(login.text);
    // A page that knows its count runs no badge query, so it has both.
    const cart = await shopper.agent.get('/cart').expect(200);
    assert.equal(badgeCount(cart.text), 2);
    assert.ok(hasMenu(cart.text));
    setStatementHook(null);
    assert.equal(badgeCount((await shopper.agent.get('/login').expect(200)).text), 2);
  });
});

test('the JSON API gets no page locals (no CSRF cookie from them, no badge query)', async () => {
  const shopper = await shopperWithCart(1);
  const seen = recordStatements();
  const res = await shopper.agent.get('/api/genres').expect(200);
  setStatementHook(null);
  assert.deepEqual(seen.filter((text) => BADGE.test(text)), []);
  assert.equal(setsCookie(res, 'epicbook.csrf'), false);
});
