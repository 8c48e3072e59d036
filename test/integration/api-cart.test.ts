import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { Book, Cart, Cartbook } from '../../models';
import { Shopper, badgeCount, signedInShopper, startTestApp, type TestApp } from '../helpers';
import { ApiContract, PATHS_BY_FILE } from '../api-contract';
import { ApiClient, cookieNames } from '../api-client';

let t: TestApp;
let api: ApiContract;
let gatsby: number; // $17.00
let catcher: number; // 2 in stock
before(async () => {
  t = await startTestApp();
  api = new ApiContract((await request(t.app).get('/api/openapi.json').expect(200)).body);
  gatsby = (await Book.findOne({ where: { title: 'The Great Gatsby' } }))!.id;
  catcher = (await Book.findOne({ where: { title: 'The Catcher in the Rye' } }))!.id;
});
after(() => t.close());

const client = () => new ApiClient(t.app, api);
const item = (id: number | string) => `/api/cart/items/${id}`;

/** A client whose cart already holds copies of `bookId` (its first add needs no token: no cookie yet). */
async function withCart(bookId = gatsby, quantity = 1): Promise<ApiClient> {
  const c = client();
  await c.add(bookId, quantity, 200, null);
  return c;
}

describe('GET /api/cart', () => {
  test('without a session: an empty cart and a token, and no session is created', async () => {
    const res = await request(t.app).get('/api/cart').expect(200);
    const body = api.check('GET', '/api/cart', res);
    assert.deepEqual(body.cart, { lines: [], itemCount: 0, subtotal: { cents: 0, formatted: '$0.00', currency: 'USD' }, hasStockProblem: false });
    assert.ok(body.csrfToken.length > 20);
    assert.deepEqual(cookieNames(res), ['epicbook.csrf']);
    assert.equal(res.headers['cache-control'], 'no-store');
  });
});

describe('POST /api/cart/items', () => {
  test('the first add needs no token, starts the session and the cart, and answers the whole cart', async () => {
    const c = client();
    const carts = await Cart.count();
    api.checkRequest('AddItemRequest', { bookId: gatsby, quantity: 2 });
    api.checkRequest('AddItemRequest', { bookId: gatsby });
    for (const wrong of [{ quantity: 2 }, { bookId: '14' }, { bookId: gatsby, quantity: 100 }, { bookId: gatsby, colour: 'red' }]) {
      api.checkRequest('AddItemRequest', wrong, false);
    }
    const body = await c.add(gatsby, 2, 200, null);
    assert.equal(await Cart.count(), carts + 1);
    assert.equal(body.cart.itemCount, 2);
    assert.deepEqual(body.cart.lines.map((l: any) => [l.book.id, l.quantity, l.unitPrice.cents, l.lineTotal.cents]), [[gatsby, 2, 1700, 3400]]);
    assert.deepEqual(body.cart.subtotal, { cents: 3400, formatted: '$34.00', currency: 'USD' });
    // The next add, now with the session cookie, goes to the same cart.
    const again = await c.add(gatsby);
    assert.equal(again.cart.itemCount, 3, 'quantity defaults to 1 and adds up');
    assert.equal(await Cart.count(), carts + 1);
  });

  test('with the session cookie, a write needs the token from this session: 403 and no change otherwise', async () => {
    const c = await withCart();
    const other = await withCart();
    const lines = await Cartbook.count();
    for (const token of [null, '', 'forged-token', other.token]) {
      const body = await c.add(catcher, 1, 403, token);
      assert.equal(body.error.code, 'csrf');
      assert.match(body.error.message, /X-CSRF-Token/);
    }
    assert.equal(await Cartbook.count(), lines);
    assert.equal((await c.add(catcher, 1)).cart.itemCount, 2);
  });

  test('the session is the pages\' session: the page cart shows API adds, and a signed-in shopper\'s token works', async () => {
    const { shopper } = await signedInShopper(t);
    const page = await shopper.agent.get('/cart').expect(200);
    assert.equal(badgeCount(page.text), 0);
    const res = await shopper.agent.get('/api/cart').expect(200);
    const token = api.check('GET', '/api/cart', res).csrfToken;
    const added = await shopper.agent.post('/api/cart/items').set('X-CSRF-Token', token).send({ bookId: gatsby, quantity: 2 }).expect(200);
    api.check('POST', '/api/cart/items', added);
    assert.equal(badgeCount((await shopper.agent.get('/cart').expect(200)).text), 2);
    // A page adds, the API sees it.
    await shopper.add(catcher, 1).expect(303);
    const both = api.check('GET', '/api/cart', await shopper.agent.get('/api/cart').expect(200));
    assert.equal(both.cart.itemCount, 3);
  });

  test('a malformed book id or body is 400; a bad quantity 422; unknown book 404; nothing changes', async () => {
    const c = await withCart();
    const lines = await Cartbook.count();
    for (const bookId of ['abc', String(gatsby), 0, -1, 1.5, null, 99_999_999_999, true]) {
      const body = await c.add(bookId, 1, 400);
      assert.ok(body.error.fields.bookId, JSON.stringify(bookId));
    }
    assert.ok((await c.send('post', '/api/cart/items', '/api/cart/items', { quantity: 1 }, 400)).error.fields.bookId);
    for (const quantity of [0, -2, 1.5, '2', 100, 1e6, true, null]) {
      const body = await c.add(gatsby, quantity, 422);
      assert.equal(body.error.code, 'invalid');
      assert.ok(body.error.fields.quantity, JSON.stringify(quantity));
    }
    assert.match((await c.add(gatsby, 100, 422)).error.fields.quantity, /at most 99/);
    const extra = await c.send('post', '/api/cart/items', '/api/cart/items', { bookId: gatsby, colour: 'red' }, 400);
    assert.equal(extra.error.fields.colour, 'Unknown field.');
    for (const key of ['__proto__', 'constructor']) {
      // JSON.parse makes an own property of __proto__, as the server's body parser does.
      const odd = await c.send('post', '/api/cart/items', '/api/cart/items', JSON.parse(`{"${key}":{"x":1},"bookId":${gatsby}}`), 400);
      assert.equal(odd.error.fields[key], 'Unknown field.', key);
    }
    const list = await c.send('post', '/api/cart/items', '/api/cart/items', [{ bookId: gatsby }], 400);
    assert.ok(list.error.fields.body);
    assert.equal((await c.add(999_999, 1, 404)).error.code, 'not_found');
    assert.equal(await Cartbook.count(), lines);
  });

  test('more than the stock is 409 out_of_stock, counting what the cart holds', async () => {
    const c = await withCart(catcher, 2);
    const body = await c.add(catcher, 1, 409);
    assert.equal(body.error.code, 'out_of_stock');
    assert.match(body.error.fields.quantity, /Only 2 in stock/);
    assert.equal((await c.cart()).cart.itemCount, 2);
  });

  test('a hidden book cannot be added', async () => {
    await Book.update({ removedAt: new Date() }, { where: { id: gatsby } });
    try {
      assert.equal((await client().add(gatsby, 1, 404, null)).error.code, 'not_found');
    } finally {
      await Book.update({ removedAt: null }, { where: { id: gatsby } });
    }
  });

  test('only JSON: forms, text and empty bodies are 415, with or without a session', async () => {
    const carts = await Cart.count();
    const form = await request(t.app).post('/api/cart/items').type('form').send({ bookId: String(gatsby) }).expect(415);
    assert.equal(api.check('POST', '/api/cart/items', form).error.code, 'unsupported_media_type');
    const text = await request(t.app).post('/api/cart/items').set('Content-Type', 'text/plain').send(JSON.stringify({ bookId: gatsby })).expect(415);
    api.check('POST', '/api/cart/items', text);
    api.check('POST', '/api/cart/items', await request(t.app).post('/api/cart/items').expect(415));
    const c = await withCart();
    api.check('POST', '/api/cart/items', await c.raw('post', '/api/cart/items').type('form').send({ bookId: String(gatsby) }).expect(415));
    assert.equal(await Cart.count(), carts + 1, 'only withCart made a cart');
  });
});

describe('PATCH /api/cart/items/{bookId}', () => {
  const patch = (c: ApiClient, id: number | string, body: unknown, status: number, token?: string | null) =>
    c.send('patch', '/api/cart/items/{bookId}', item(id), body, status, token);

  test('sets the quantity of a line', async () => {
    const c = await withCart(gatsby, 1);
    api.checkRequest('SetQuantityRequest', { quantity: 4 });
    api.checkRequest('SetQuantityRequest', { quantity: 0 }, false);
    const body = await patch(c, gatsby, { quantity: 4 }, 200);
    assert.equal(body.cart.lines[0].quantity, 4);
    assert.equal(body.cart.subtotal.cents, 6800);
  });

  test('refuses what the cart page refuses', async () => {
    const c = await withCart(catcher, 1);
    assert.ok((await patch(c, 'abc', { quantity: 1 }, 400)).error.fields.bookId);
    assert.ok((await patch(c, catcher, { quantity: 1, bookId: 3 }, 400)).error.fields.bookId);
    assert.equal((await patch(c, gatsby, { quantity: 1 }, 404)).error.code, 'not_found', 'not in this cart');
    for (const quantity of [0, 100, '1', undefined]) {
      assert.ok((await patch(c, catcher, quantity === undefined ? {} : { quantity }, 422)).error.fields.quantity);
    }
    assert.equal((await patch(c, catcher, { quantity: 3 }, 409)).error.code, 'out_of_stock');
    assert.equal((await patch(c, catcher, { quantity: 2 }, 403, null)).error.code, 'csrf');
    api.check('PATCH', '/api/cart/items/{bookId}', await c.raw('patch', item(catcher)).type('form').send({ quantity: '2' }).expect(415));
    assert.equal((await c.cart()).cart.itemCount, 1, 'nothing changed');
  });

  test('a cart whose stock fell below a line says so', async () => {
    const c = await withCart(catcher, 2);
    await Book.update({ inventory: 1 }, { where: { id: catcher } });
    try {
      const { cart } = await c.cart();
      assert.equal(cart.hasStockProblem, true);
      assert.equal(cart.lines[0].exceedsStock, true);
      assert.equal(cart.lines[0].maxQuantity, 1);
      assert.equal((await patch(c, catcher, { quantity: 1 }, 200)).cart.hasStockProblem, false);
    } finally {
      await Book.update({ inventory: 2 }, { where: { id: catcher } });
    }
  });
});

describe('DELETE /api/cart/items/{bookId}', () => {
  const remove = (c: ApiClient, id: number | string, status: number, token?: string | null) =>
    c.send('delete', '/api/cart/items/{bookId}', item(id), undefined, status, token);

  test('removes a line; removing it again is 404', async () => {
    const c = await withCart(gatsby, 2);
    await c.add(catcher, 1);
    assert.equal((await remove(c, catcher, 403, null)).error.code, 'csrf');
    const body = await remove(c, catcher, 200);
    assert.deepEqual(body.cart.lines.map((l: any) => l.book.id), [gatsby]);
    assert.equal((await remove(c, catcher, 404)).error.code, 'not_found');
    assert.ok((await remove(c, '1e3', 400)).error.fields.bookId);
    api.check('DELETE', '/api/cart/items/{bookId}', await c.raw('delete', item(gatsby)).type('form').send('x=1').expect(415));
    assert.equal((await c.cart()).cart.itemCount, 2);
  });

  test('without a session there is nothing to remove', async () => {
    assert.equal((await remove(client(), gatsby, 404, null)).error.code, 'not_found');
  });
});

test('wrong methods are 405 with Allow', async () => {
  const res = await request(t.app).get('/api/cart/items').expect(405);
  assert.equal(res.headers.allow, 'POST');
  assert.equal(api.checkError(res).error.code, 'method_not_allowed');
  const put = await request(t.app).put(item(gatsby)).set('Content-Type', 'application/json').send('{}').expect(405);
  assert.equal(put.headers.allow, 'PATCH, DELETE');
  api.checkError(put);
});

test('every documented cart response was checked', () => {
  api.assertCovered(PATHS_BY_FILE['api-cart.test.ts']);
});
