import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { Book, Cart, Cartbook, Checkout } from '../../models';
import { QueryTypes } from 'sequelize';
import { Shopper, badgeCount, startTestApp, type TestApp } from '../helpers';

let t: TestApp;
const idOf = async (title: string) => (await Book.findOne({ where: { title } }))!.id;
const stockOf = async (id: number) => (await Book.findByPk(id))!.inventory;

before(async () => {
  t = await startTestApp();
});
after(() => t.close());

describe('the checkout form', () => {
  test('an empty cart has nothing to check out', async () => {
    const page = await request(t.app).get('/checkout').expect(200);
    assert.match(page.text, /Your cart is empty/);
    const shopper = new Shopper(t.app);
    const res = await shopper.checkout().expect(409);
    assert.match(res.text, /Your cart is empty/);
    assert.equal(await Checkout.count(), 0);
  });

  test('shows every field with a label and the order summary', async () => {
    const shopper = new Shopper(t.app);
    await shopper.add(await idOf('Dune'), 2).expect(303);
    const page = await shopper.agent.get('/checkout').expect(200);
    for (const field of ['fullName', 'email', 'addressLine1', 'addressLine2', 'city', 'state', 'zipCode']) {
      assert.match(page.text, new RegExp(`<label for="${field}">`), field);
      assert.match(page.text, new RegExp(`name="${field}"`), field);
    }
    assert.match(page.text, /Dune × 2/);
    assert.match(page.text, /\$99\.90/);
  });

  test('a bad form comes back with messages beside the fields and the input kept', async () => {
    const shopper = new Shopper(t.app);
    const dune = await idOf('Dune');
    await shopper.add(dune, 1).expect(303);
    const stock = await stockOf(dune);
    const res = await shopper
      .checkout({ fullName: '<script>alert(1)</script>', email: 'not-an-email', zipCode: 'ABCDE', state: 'ZZ', city: '' })
      .expect(422);
    assert.match(res.text, /Please correct the highlighted fields/);
    assert.match(res.text, /id="email-error"[^>]*>Enter an email address like name@example.com/);
    assert.match(res.text, /id="zipCode-error"[^>]*>Enter a 5-digit ZIP code/);
    assert.match(res.text, /id="state-error"[^>]*>Choose your state/);
    assert.match(res.text, /id="city-error"[^>]*>Enter your city/);
    assert.match(res.text, /value="not-an-email"/, 'input kept');
    assert.match(res.text, /value="12 Analytical Way"/, 'valid input kept too');
    assert.doesNotMatch(res.text, /<script>alert/, 'input is escaped');
    assert.match(res.text, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
    assert.equal(await Checkout.count({}), 0);
    assert.equal(await stockOf(dune), stock, 'stock untouched');
  });

  test('missing fields, arrays and absurd lengths are refused, never a crash', async () => {
    const shopper = new Shopper(t.app);
    await shopper.add(await idOf('Dune'), 1).expect(303);
    const token = await shopper.csrf();
    await shopper.agent.post('/checkout').type('form').send({ _csrf: token }).expect(422);
    await shopper.agent.post('/checkout').type('form')
      .send(`_csrf=${token}&fullName=a&fullName=b&email=x@y.co&addressLine1=1+Main+St&city=Town&state=NY&zipCode=10001`)
      .expect(422);
    const long = await shopper.checkout({ addressLine1: 'x'.repeat(5000) }).expect(422);
    assert.match(long.text, /Keep your street address under 121 characters/);
  });
});

describe('placing an order', () => {
  test('places the order, shows the confirmation, empties the cart and takes the stock', async () => {
    const shopper = new Shopper(t.app);
    const hobbit = await idOf('The Hobbit');
    const room = await idOf('The Room Where It Happened');
    const hobbitStock = await stockOf(hobbit);
    const roomStock = await stockOf(room);
    await shopper.add(hobbit, 2).expect(303);
    await shopper.add(room, 1).expect(303);

    const res = await shopper.checkout({ state: 'ny', zipCode: '10001-1234' }).expect(303);
    const match = /^\/orders\/(\d+)$/.exec(res.headers.location);
    assert.ok(match, res.headers.location);

    const page = await shopper.agent.get(res.headers.location).expect(200);
    assert.match(page.text, /Your order is placed!/);
    assert.match(page.text, new RegExp(`EB-${match[1].padStart(6, '0')}`));
    assert.match(page.text, /The Hobbit[\s\S]*\$35\.96[\s\S]*2[\s\S]*\$71\.92/);
    assert.match(page.text, /The Room Where It Happened[\s\S]*\$32\.50/);
    assert.match(page.text, /Subtotal \(3 items\)[\s\S]*\$104\.42/);
    assert.match(page.text, /12 Analytical Way<br>\s*Apt 3<br>\s*Springfield, NY 10001-1234/);
    assert.equal(badgeCount(page.text), 0, 'badge empty');

    const cart = await shopper.agent.get('/cart').expect(200);
    assert.match(cart.text, /Your cart is empty/);
    assert.equal(await stockOf(hobbit), hobbitStock - 2);
    assert.equal(await stockOf(room), roomStock - 1);

    const order = await Checkout.findByPk(Number(match[1]));
    assert.equal(order?.fullName, 'Ada Lovelace');
    assert.equal(order?.state, 'NY');
    assert.equal(String(order?.subTotal), '104.42');
  });

  test('the order keeps the price it was bought at', async () => {
    const shopper = new Shopper(t.app);
    const id = await idOf('Twilight');
    await shopper.add(id, 1).expect(303);
    const res = await shopper.checkout().expect(303);
    await Book.update({ price: '99.00' }, { where: { id } });
    const page = await shopper.agent.get(res.headers.location).expect(200);
    assert.match(page.text, /\$45\.00/);
    assert.doesNotMatch(page.text, /\$99\.00/);
  });

  test('the next add after an order starts a fresh cart', async () => {
    const shopper = new Shopper(t.app);
    await shopper.add(await idOf('Dune'), 1).expect(303);
    await shopper.checkout().expect(303);
    await shopper.add(await idOf('The Hobbit'), 1).expect(303);
    const cart = await shopper.agent.get('/cart').expect(200);
    assert.doesNotMatch(cart.text, />Dune</);
    assert.match(cart.text, /The Hobbit/);
    assert.equal(badgeCount(cart.text), 1);
  });

  test('stock that ran out after adding refuses the order with 409 and writes nothing', async () => {
    const shopper = new Shopper(t.app);
    const id = await idOf('The Last Wish');
    await shopper.add(id, 3).expect(303);
    await Book.update({ inventory: 2 }, { where: { id } });
    const orders = await Checkout.count();
    const res = await shopper.checkout().expect(409);
    assert.match(res.text, /The Last Wish.*only 2 left/);
    assert.match(res.text, /value="Ada Lovelace"/, 'form kept');
    assert.equal(await Checkout.count(), orders);
    assert.equal(await stockOf(id), 2);
    assert.equal((await Cart.findOne({ where: { id: (await Cartbook.findOne({ where: { BookId: id } }))!.CartId } }))!.status, 'open');
  });
});

describe('what an order writes', () => {
  const stamps = async () => Object.fromEntries(
    (await t.db.sequelize.query<{ name: string; version: number | string }>('SELECT name, version FROM CacheStamps', { type: QueryTypes.SELECT }))
      .map((row) => [row.name, Number(row.version)]),
  );

  test('dated rows, frozen prices, the books\' updatedAt untouched, and the stamp only a sale that sells a book out moves', async () => {
    const lastWish = await idOf('The Last Wish');
    const dune = await idOf('Dune');
    await Book.update({ inventory: 2 }, { where: { id: lastWish } });
    await Book.update({ inventory: 50 }, { where: { id: dune } });
    const versionOf = async (id: number) => (await Book.findByPk(id))!.updatedAt.getTime();
    const updatedBefore = [await versionOf(lastWish), await versionOf(dune)];

    // Dune stays in stock: no stamp moves (the book page's count is a slot filled per response; see
    // the page cache tests).
    const started = Date.now() - 1000;
    const first = new Shopper(t.app);
    await first.add(dune, 2).expect(303);
    let before = await stamps();
    const placed = await first.checkout().expect(303);
    let after = await stamps();
    assert.deepEqual(after, before);
    const order = (await Checkout.findByPk(Number(/(\d+)$/.exec(placed.headers.location)![1])))!;
    assert.equal(order.status, 'placed');
    assert.ok(order.createdAt.getTime() >= started && order.updatedAt.getTime() >= started, 'the order is dated');
    const lines = await Cartbook.findAll({ where: { CartId: order.CartId } });
    assert.deepEqual(lines.map((l) => [l.BookId, l.quantity, Number(l.unitPrice).toFixed(2)]), [[dune, 2, '49.95']]);
    assert.ok(lines[0].createdAt.getTime() >= started, 'the line is dated');
    const cart = (await Cart.findByPk(order.CartId))!;
    assert.deepEqual([cart.status, cart.totalQuantity, Number(cart.totalPrice).toFixed(2)], ['ordered', 2, '99.90']);
    assert.ok(cart.createdAt.getTime() >= started);

    // The Last Wish sells out: the catalog stamp moves, and only it (the 'stock' row is no longer used).
    const second = new Shopper(t.app);
    await second.add(lastWish, 2).expect(303);
    before = await stamps();
    await second.checkout().expect(303);
    after = await stamps();
    assert.deepEqual(after, { ...before, catalog: before.catalog + 1 });
    assert.equal(await stockOf(lastWish), 0);
    assert.deepEqual([await versionOf(lastWish), await versionOf(dune)], updatedBefore, 'cover URLs keep their version');
  });

  test('one cart submitted twice at once (a double click) becomes one order', async () => {
    const id = await idOf('Dune');
    await Book.update({ inventory: 10 }, { where: { id } });
    const shopper = new Shopper(t.app);
    await shopper.add(id, 3).expect(303);
    const orders = await Checkout.count();
    const results = await Promise.all([shopper.checkout(), shopper.checkout(), shopper.checkout()]);
    assert.deepEqual(results.map((r) => r.status).sort(), [303, 409, 409]);
    for (const r of results.filter((r) => r.status === 409)) assert.match(r.text, /Your cart is empty/);
    assert.equal(await Checkout.count(), orders + 1);
    assert.equal(await stockOf(id), 7, 'the stock is taken once');
  });
});

describe('order pages are private', () => {
  test('only the visitor who placed an order can see it', async () => {
    const owner = new Shopper(t.app);
    await owner.add(await idOf('Dune'), 1).expect(303);
    const { headers } = await owner.checkout().expect(303);
    await owner.agent.get(headers.location).expect(200);

    const other = new Shopper(t.app);
    await other.add(await idOf('Dune'), 1).expect(303);
    const res = await other.agent.get(headers.location).expect(404);
    assert.doesNotMatch(res.text, /Ada Lovelace/);
    await request(t.app).get(headers.location).expect(404);
    for (const bad of ['/orders/abc', '/orders/0', '/orders/-1', '/orders/999999', '/orders/1e3']) {
      await owner.agent.get(bad).expect(404);
    }
  });
});

describe('concurrency', () => {
  test('twenty shoppers race for the last copy: exactly one order, stock 0, nothing half-written', async () => {
    const id = await idOf('Infinite Jest');
    await Book.update({ inventory: 1 }, { where: { id } });
    const shoppers = Array.from({ length: 20 }, () => new Shopper(t.app));
    for (const s of shoppers) await s.add(id, 1).expect(303);
    const ordersBefore = await Checkout.count();

    const results = await Promise.all(shoppers.map((s) => s.checkout()));
    const statuses = results.map((r) => r.status).sort();
    assert.equal(statuses.filter((s) => s === 303).length, 1, `statuses: ${statuses.join(',')}`);
    assert.equal(statuses.filter((s) => s === 409).length, 19, `statuses: ${statuses.join(',')}`);
    for (const r of results.filter((r) => r.status === 409)) assert.match(r.text, /Infinite Jest.*sold out/);

    assert.equal(await stockOf(id), 0);
    assert.equal(await Checkout.count(), ordersBefore + 1);
    const ordered = await Cart.count({ where: { status: 'ordered' }, include: [{ model: Cartbook, where: { BookId: id } }] });
    assert.equal(ordered, 1, 'only the winning cart is closed');
  });

  test('stock never goes negative when shoppers order overlapping books at once', async () => {
    const a = await idOf('Never Let Me Go');
    const b = await idOf('Things Fall Apart');
    await Book.update({ inventory: 3 }, { where: { id: [a, b] } });
    const shoppers = Array.from({ length: 8 }, () => new Shopper(t.app));
    for (const [i, s] of shoppers.entries()) {
      await s.add(i % 2 ? a : b, 1).expect(303);
      await s.add(i % 2 ? b : a, 1).expect(303);
    }
    const results = await Promise.all(shoppers.map((s) => s.checkout()));
    const placed = results.filter((r) => r.status === 303).length;
    assert.equal(placed, 3);
    assert.equal(await stockOf(a), 0);
    assert.equal(await stockOf(b), 0);
    assert.deepEqual([...new Set(results.map((r) => r.status))].sort(), [303, 409]);
  });
});

