import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { Book, Checkout } from '../../models';
import { Shopper, signedInShopper, startTestApp, validShipping, type TestApp } from '../helpers';
import { ApiContract, PATHS_BY_FILE } from '../api-contract';
import { ApiClient } from '../api-client';

let t: TestApp;
let api: ApiContract;
let gatsby: number; // $17.00
let catcher: number; // 2 in stock
before(async () => {
  t = await startTestApp();
  api = new ApiContract((await request(t.app).get('/api/openapi.json').expect(200)).body);
  gatsby = (await Book.findOne({ where: { title: 'The Great Gatsby' } }))!.id;
  catcher = (await Book.findOne({ where: { title: 'The Catcher in the Rye' } }))!.id;
  // Enough copies for every order this file places.
  await Book.update({ inventory: 50 }, { where: { id: gatsby } });
});
after(() => t.close());

const { addressLine2: _optional, ...required } = validShipping;

async function withCart(bookId = gatsby, quantity = 1): Promise<ApiClient> {
  const c = new ApiClient(t.app, api);
  await c.add(bookId, quantity, 200, null);
  return c;
}

const checkout = (c: ApiClient, body: unknown, status: number, token?: string | null) =>
  c.send('post', '/api/checkout', '/api/checkout', body, status, token);
const order = (c: ApiClient, id: number | string, status: number) => c.get('/api/orders/{id}', `/api/orders/${id}`, status);

describe('POST /api/checkout', () => {
  test('places the cart as an order: 201 with Location, stock taken, the next cart empty', async () => {
    const c = await withCart(gatsby, 2);
    const stock = (await Book.findByPk(gatsby))!.inventory;
    const sent = { ...required, state: 'il' };
    api.checkRequest('CheckoutRequest', sent);
    api.checkRequest('CheckoutRequest', validShipping);
    const res = await c.raw('post', '/api/checkout').send(sent).expect(201);
    const body = api.check('POST', '/api/checkout', res);
    assert.equal(res.headers.location, `/api/orders/${body.order.id}`);
    assert.equal(body.order.status, 'placed');
    assert.match(body.order.number, /^EB-\d{6}$/);
    assert.equal(body.order.itemCount, 2);
    assert.deepEqual(body.order.subtotal, { cents: 3400, formatted: '$34.00', currency: 'USD' });
    assert.deepEqual(body.order.shipping, { ...required, state: 'IL', addressLine2: null });
    assert.ok(Math.abs(Date.parse(body.order.placedAt) - Date.now()) < 60_000);
    assert.equal((await Book.findByPk(gatsby))!.inventory, stock - 2);
    assert.equal((await c.cart()).cart.itemCount, 0);
    assert.equal((await checkout(c, validShipping, 409)).error.code, 'empty_cart');
  });

  test('an empty cart, or no session at all, is 409 empty_cart', async () => {
    const anonymous = new ApiClient(t.app, api);
    assert.equal((await checkout(anonymous, validShipping, 409, null)).error.code, 'empty_cart');
  });

  test('shipping mistakes are 422 with a message per field; unknown fields and non-objects 400', async () => {
    const c = await withCart();
    const orders = await Checkout.count();
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ ...validShipping, email: 'not-an-email' }, 'email'],
      [{ ...validShipping, zipCode: '1234' }, 'zipCode'],
      [{ ...validShipping, state: 'XX' }, 'state'],
      [{ ...validShipping, fullName: 'A\u0007B' }, 'fullName'],
      [{ ...validShipping, city: 42 }, 'city'],
      [{ ...validShipping, addressLine1: 'x'.repeat(121) }, 'addressLine1'],
      [{ ...required, fullName: undefined }, 'fullName'],
    ];
    for (const [body, field] of cases) {
      const answer = await checkout(c, body, 422);
      assert.equal(answer.error.code, 'invalid');
      assert.deepEqual(Object.keys(answer.error.fields), [field], JSON.stringify(body));
    }
    const all = await checkout(c, {}, 422);
    assert.deepEqual(Object.keys(all.error.fields).sort(), ['addressLine1', 'city', 'email', 'fullName', 'state', 'zipCode']);
    api.checkRequest('CheckoutRequest', { ...validShipping, coupon: 'FREE' }, false);
    assert.equal((await checkout(c, { ...validShipping, coupon: 'FREE' }, 400)).error.fields.coupon, 'Unknown field.');
    assert.ok((await checkout(c, [validShipping], 400)).error.fields.body);
    assert.equal(await Checkout.count(), orders);
  });

  test('stock that ran out since the add is 409 out_of_stock, and nothing is taken', async () => {
    const c = await withCart(catcher, 2);
    await c.add(gatsby, 1);
    await Book.update({ inventory: 1 }, { where: { id: catcher } });
    const gatsbyStock = (await Book.findByPk(gatsby))!.inventory;
    try {
      const body = await checkout(c, validShipping, 409);
      assert.equal(body.error.code, 'out_of_stock');
      assert.match(body.error.message, /The Catcher in the Rye/);
      assert.equal((await Book.findByPk(gatsby))!.inventory, gatsbyStock);
      assert.equal((await c.cart()).cart.itemCount, 3, 'the cart is still there');
    } finally {
      await Book.update({ inventory: 2 }, { where: { id: catcher } });
    }
  });

  test('needs the CSRF header with the session cookie, and a JSON body', async () => {
    const c = await withCart();
    assert.equal((await checkout(c, validShipping, 403, null)).error.code, 'csrf');
    assert.equal((await checkout(c, validShipping, 403, 'nope')).error.code, 'csrf');
    const form = await c.raw('post', '/api/checkout').type('form').send(validShipping).expect(415);
    assert.equal(api.check('POST', '/api/checkout', form).error.code, 'unsupported_media_type');
    assert.equal((await c.cart()).cart.itemCount, 1);
  });
});

describe('GET /api/orders/{id}', () => {
  test('shows the order to the session that placed it, at the prices it was placed at', async () => {
    const c = await withCart(gatsby, 1);
    const placed = (await checkout(c, validShipping, 201)).order;
    await Book.update({ price: '99.00' }, { where: { id: gatsby } });
    try {
      const body = await order(c, placed.id, 200);
      assert.deepEqual(body.order, placed);
      assert.equal(body.order.lines[0].unitPrice.cents, 1700);
    } finally {
      await Book.update({ price: '17.00' }, { where: { id: gatsby } });
    }
  });

  test('anyone else gets the same 404 as for an order that does not exist', async () => {
    const c = await withCart();
    const placed = (await checkout(c, validShipping, 201)).order;
    const stranger = await withCart();
    const notYours = await order(stranger, placed.id, 404);
    const missing = await order(stranger, 999_999, 404);
    assert.deepEqual(notYours, missing);
    await order(new ApiClient(t.app, api), placed.id, 404);
    for (const id of ['abc', '0', '-1', '1.0', '99999999999']) assert.ok((await order(c, id, 400)).error.fields.id, id);
  });

  test('a signed-in shopper\'s order is theirs from any session, in the API and on the page', async () => {
    const { shopper, email, password } = await signedInShopper(t);
    const token = api.check('GET', '/api/cart', await shopper.agent.get('/api/cart').expect(200)).csrfToken;
    await shopper.agent.post('/api/cart/items').set('X-CSRF-Token', token).send({ bookId: gatsby }).expect(200);
    const res = await shopper.agent.post('/api/checkout').set('X-CSRF-Token', token).send(validShipping).expect(201);
    const placed = api.check('POST', '/api/checkout', res).order;
    const page = await shopper.agent.get(`/orders/${placed.id}`).expect(200);
    assert.match(page.text, new RegExp(placed.number));

    const elsewhere = new Shopper(t.app);
    assert.equal((await elsewhere.signIn(email, password)).status, 303);
    const body = api.check('GET', '/api/orders/{id}', await elsewhere.agent.get(`/api/orders/${placed.id}`).expect(200));
    assert.equal(body.order.id, placed.id);
    await elsewhere.signOut();
    api.check('GET', '/api/orders/{id}', await elsewhere.agent.get(`/api/orders/${placed.id}`).expect(404));
  });
});

test('every documented checkout and order response was checked', () => {
  api.assertCovered(PATHS_BY_FILE['api-checkout.test.ts']);
});
